"""What the private pages list: a provider's programs with their states, the moderation queue, a
municipality's programs. Plain queries; the scope (which organizations or municipalities) is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from navigator.accounts.models import Account, ProgramRevision
from navigator.accounts.moderation import OPEN_STATES
from navigator.catalogue.models import Organization, Program, Venue
from navigator.catalogue.paging import Page, page_count, page_offset, read_page

PAGE_SIZE = 50
REVISION_STATE_LABELS = {"draft": "черновик", "pending": "на проверке", "returned": "возвращена на доработку"}
PROGRAM_STATE_LABELS = {"active": "опубликована", "archived": "в архиве"}
CHANGE_STATE_LABELS = {"draft": "есть черновик изменений", "pending": "изменения на проверке",
                       "returned": "изменения возвращены на доработку"}


@dataclass(frozen=True)
class Entry:
    """One line of a provider's list: a published or archived program, a new one not yet published, or both."""

    program: Program | None
    revision: ProgramRevision | None

    @property
    def title(self) -> str:
        return self.program.title if self.program else self.revision.record.get("title", "")

    @property
    def public_id(self) -> str:
        return self.program.public_id if self.program else self.revision.public_id

    @property
    def state(self) -> str:
        """draft, pending, returned (a new program), active or archived (a published one)."""
        return self.program.status if self.program else self.revision.state

    @property
    def state_label(self) -> str:
        if self.program is None:
            return REVISION_STATE_LABELS[self.revision.state]
        label = PROGRAM_STATE_LABELS.get(self.program.status, self.program.status)
        return f"{label}; {CHANGE_STATE_LABELS[self.revision.state]}" if self.revision else label


def organization_page(session: Session, organization: Organization, page: int = 1,
                      per_page: int = PAGE_SIZE) -> Page:
    """A page of the organization's list: its new programs in the making first, then its programs (published,
    then archived, by title). A page past the last is the last page (the caller compares `page` to say so)."""
    new = select(ProgramRevision).where(
        ProgramRevision.organization_id == organization.id, ProgramRevision.program_id.is_(None),
        ProgramRevision.state.in_(OPEN_STATES)).order_by(ProgramRevision.updated_at.desc(), ProgramRevision.id)
    programs = select(Program).where(Program.organization_id == organization.id).options(
        selectinload(Program.venue)).order_by(Program.status, func.lower(Program.title), Program.id)
    new_total, program_total = (session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
                                for statement in (new, programs))
    total = new_total + program_total
    page = min(page, page_count(total, per_page))
    offset = page_offset(page, per_page)
    revisions = list(session.scalars(new.limit(per_page).offset(offset))) if offset < new_total else []
    rest = per_page - len(revisions)
    listed = list(session.scalars(programs.limit(rest).offset(max(0, offset - new_total)))) if rest else []
    changes = {revision.program_id: revision for revision in session.scalars(select(ProgramRevision).where(
        ProgramRevision.program_id.in_([program.id for program in listed]), ProgramRevision.state.in_(OPEN_STATES)))}
    entries = [Entry(None, revision) for revision in revisions] + [
        Entry(program, changes.get(program.id)) for program in listed]
    return Page(entries, total, page, per_page)


def _municipality_filter(account: Account, column):
    """None for an admin (everywhere), else the account's municipalities."""
    if account.role == "admin":
        return None
    return column.in_([municipality.id for municipality in account.municipalities])


def queue(session: Session, account: Account, page: int = 1) -> Page:
    """Revisions waiting for this account's decision, oldest first, a page at a time (a large upload makes many)."""
    statement = select(ProgramRevision).where(ProgramRevision.state == "pending").options(
        selectinload(ProgramRevision.organization), selectinload(ProgramRevision.program),
        selectinload(ProgramRevision.author)).order_by(ProgramRevision.submitted_at, ProgramRevision.id)
    scope = _municipality_filter(account, ProgramRevision.municipality_id)
    return read_page(session, statement if scope is None else statement.where(scope), page, PAGE_SIZE)


def municipal_programs(session: Session, account: Account, *, q: str = "", status: str = "",
                       page: int = 1) -> Page:
    """The programs of the account's municipalities, filtered by words of the title or organization."""
    statement = select(Program).join(Program.venue).join(Program.organization)
    scope = _municipality_filter(account, Venue.municipality_id)
    if scope is not None:
        statement = statement.where(scope)
    if status in PROGRAM_STATE_LABELS:
        statement = statement.where(Program.status == status)
    for word in q.split():
        # SQLite folds the case of ASCII letters only, so Cyrillic words are tried as typed, lower and capitalized.
        variants = {word, word.lower(), word.capitalize()}
        statement = statement.where(or_(Program.public_id == word, *(
            column.contains(variant, autoescape=True) for variant in variants
            for column in (Program.title, Organization.name))))
    return read_page(session, statement.options(selectinload(Program.organization),
                                                selectinload(Program.venue).selectinload(Venue.municipality))
                     .order_by(func.lower(Program.title), Program.id), page, PAGE_SIZE)
