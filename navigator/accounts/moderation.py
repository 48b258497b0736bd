"""Providers' changes and their moderation: revisions, approval, archiving, and the change log.

A provider's new program or change to a published one is saved as a ProgramRevision (its fields as
CSV text). Submitting makes it wait for staff of its municipality (or, with moderation off, applies
it at once). Approval applies it through the importer's own apply_records, so a program published
from a form is exactly what the same row in a CSV would publish. Operational facts — free places
and the schedule — and archiving apply at once. Every applied change is logged with its field diff.

Each public function works in the caller's transaction and marks the programs it changed; the caller
(a view) commits, and the search index follows the commit. An upload does several in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from navigator.accounts.models import Account, ProgramChange, ProgramRevision
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.importer.applying import apply_records
from navigator.catalogue.models import Municipality, Organization, Program, Venue, utcnow
from navigator.catalogue.program_rows import differences, organization_fields, program_row
from navigator.catalogue.validation import COLUMNS, FieldError, ProgramRecord, validate_record
from navigator.catalogue.vocab import PROGRAM_STATUSES
from navigator.geocoding import Geocoding

OPEN_STATES = ("draft", "pending", "returned")
QUICK_FIELDS = ("seats_total", "seats_free", "schedule")
EVENT_LABELS = {
    "submitted": "отправлено на проверку", "returned": "возвращено на доработку",
    "approved": "одобрено и опубликовано", "published": "опубликовано (без модерации)",
    "archived": "перенесено в архив", "quick_edit": "изменены места или расписание",
    "withdrawn": "черновик удалён", "uploaded": "загружено из файла",
}


class RecordInvalid(ValueError):
    """The submitted fields have errors, each naming its column."""

    def __init__(self, errors: list[FieldError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class ModerationError(ValueError):
    """The action does not fit the revision's state; the message says why, in Russian."""


def _today() -> str:
    return dt.date.today().isoformat()


def open_revision(session: Session, program: Program) -> ProgramRevision | None:
    """The program's unfinished revision (draft, waiting or returned), if any: a program has at most one."""
    return session.scalar(select(ProgramRevision).where(
        ProgramRevision.program_id == program.id, ProgramRevision.state.in_(OPEN_STATES)))


def _ownership_errors(session: Session, row: Mapping[str, str], program: Program | None,
                      revision: ProgramRevision | None) -> list[FieldError]:
    """A code used by another program or another new program's revision; a municipality not in the catalogue."""
    errors = []
    public_id = (row.get("program_id") or "").strip()
    other_program = session.scalar(select(Program.id).where(Program.public_id == public_id))
    other_revision = session.scalar(select(ProgramRevision.id).where(
        ProgramRevision.public_id == public_id, ProgramRevision.program_id.is_(None),
        ProgramRevision.state.in_(OPEN_STATES), ProgramRevision.id != (revision.id if revision else -1)))
    if public_id and ((other_program and other_program != (program.id if program else None)) or other_revision):
        errors.append(FieldError("program_id", "этот код уже занят другой программой", public_id))
    municipality = (row.get("municipality") or "").strip()
    if municipality and _municipality_id(session, municipality) is None:
        errors.append(FieldError("municipality", "такого муниципалитета нет в каталоге; выберите из списка",
                                 municipality))
    return errors


def _municipality_id(session: Session, name: str) -> int | None:
    return session.scalar(select(Municipality.id).where(Municipality.name == name.strip()))


def checked_row(session: Session, organization: Organization, row: Mapping[str, str], *,
                program: Program | None = None, revision: ProgramRevision | None = None) -> dict[str, str]:
    """The row with the organization's own columns and today's date, or RecordInvalid with every error."""
    prepared = {**row, **organization_fields(organization), "updated": _today()}
    if program is not None:
        prepared["program_id"] = program.public_id
    _, errors = validate_record(prepared)
    errors += _ownership_errors(session, prepared, program, revision)
    if errors:
        raise RecordInvalid(errors)
    return {column: (prepared.get(column) or "").strip() for column in COLUMNS}


def save_revision(session: Session, author: Account, organization: Organization, row: Mapping[str, str], *,
                  program: Program | None = None, revision: ProgramRevision | None = None, submit: bool,
                  moderation: bool = True, geocoding: Geocoding | None = None) -> ProgramRevision:
    """Save a draft, or submit: with moderation it waits for staff, without it is published at once."""
    if revision is not None and revision.state not in OPEN_STATES:
        raise ModerationError("Эта версия уже рассмотрена; откройте программу заново.")
    program = program or (revision.program if revision else None)
    revision = revision or (open_revision(session, program) if program else None)
    checked = checked_row(session, organization, row, program=program, revision=revision)
    values = dict(public_id=checked["program_id"], record=checked, author_id=author.id, state="pending" if submit
                  else "draft", municipality_id=_municipality_id(session, checked["municipality"]))
    if revision is None:
        revision = ProgramRevision(program=program, organization_id=organization.id, **values)
        session.add(revision)
    else:
        for name, value in values.items():
            setattr(revision, name, value)
    if submit:
        revision.submitted_at = utcnow()
        session.flush()
        if moderation:
            log_change(session, revision.program_id, revision, author, "submitted")
        else:
            _apply(session, revision, author, "published", geocoding)
    return revision


def withdraw(session: Session, author: Account, revision: ProgramRevision) -> None:
    """Discard an unfinished revision; the published program, if any, stays as it is."""
    if revision.state not in OPEN_STATES:
        raise ModerationError("Эта версия уже рассмотрена.")
    revision.state = "withdrawn"
    log_change(session, revision.program_id, revision, author, "withdrawn")


def approve(session: Session, reviewer: Account, revision: ProgramRevision,
            geocoding: Geocoding | None = None) -> Program:
    """Publish a waiting revision: apply it to the program and log what changed."""
    if revision.state != "pending":
        raise ModerationError("Одобрить можно только версию, которая ждёт проверки.")
    return _apply(session, revision, reviewer, "approved", geocoding)


def return_revision(session: Session, reviewer: Account, revision: ProgramRevision, comment: str) -> None:
    """Send a waiting revision back to the provider with what to fix."""
    if revision.state != "pending":
        raise ModerationError("Вернуть можно только версию, которая ждёт проверки.")
    if not comment.strip():
        raise ModerationError("Напишите, что нужно исправить.")
    revision.state, revision.comment = "returned", comment.strip()
    revision.reviewer_id, revision.reviewed_at = reviewer.id, utcnow()
    log_change(session, revision.program_id, revision, reviewer, "returned", comment=comment.strip())


def _apply(session: Session, revision: ProgramRevision, account: Account, event: str,
           geocoding: Geocoding | None) -> Program:
    """Apply the revision through the importer's apply_records; re-check it first (data may have moved on)."""
    organization = session.get(Organization, revision.organization_id)
    program = revision.program or session.scalar(select(Program).where(Program.public_id == revision.public_id))
    before = snapshot(program) if program else {}
    record = _record(session, organization, revision, program)
    session.flush()
    summary = apply_records(session, [record])
    session.expire_all()  # apply_records writes with Core statements; reload what the session holds
    program = session.scalar(select(Program).where(Program.public_id == record.program_id))
    locate_venues(session, geocoding, {program.venue_id})
    mark_programs_changed(session, summary.changed_program_ids | {program.id})
    revision.state, revision.program_id = "approved", program.id
    if event == "approved":
        revision.reviewer_id, revision.reviewed_at = account.id, utcnow()
    session.execute(update(ProgramChange).where(ProgramChange.revision_id == revision.id,
                                                ProgramChange.program_id.is_(None)).values(program_id=program.id))
    log_change(session, program.id, revision, account, event, changes=differences(before, snapshot(program)))
    return program


def locate_venues(session: Session, geocoding: Geocoding | None, venue_ids: set[int]) -> None:
    """Give venues without a point one from the geocoding chain (a pin placed by hand is never replaced)."""
    if geocoding is None:
        return
    for venue in session.scalars(select(Venue).where(Venue.id.in_(venue_ids), Venue.lat.is_(None))):
        resolution = geocoding.resolve(session, venue.address, venue.municipality.name,
                                       venue.district.name if venue.district else None)
        if resolution.has_point:
            venue.lat, venue.lon = resolution.lat, resolution.lon
            venue.precision, venue.point_source = resolution.precision, resolution.source
            mark_programs_changed(session, session.scalars(select(Program.id).where(Program.venue_id == venue.id)))


def _record(session: Session, organization: Organization, revision: ProgramRevision,
            program: Program | None) -> ProgramRecord:
    checked = checked_row(session, organization, revision.record, program=program,
                          revision=revision if program is None else None)
    record, _ = validate_record(checked)
    return record


def snapshot(program: Program) -> dict[str, str]:
    """The program's row and status, as the change log compares them."""
    return {**program_row(program), "status": PROGRAM_STATUSES.label(program.status)}


def archive_program(session: Session, account: Account, program: Program, reason: str = "") -> bool:
    """Take a program out of search at once; False if it was already archived."""
    if program.status == "archived":
        return False
    before = snapshot(program)
    program.status = "archived"
    session.flush()
    mark_programs_changed(session, {program.id})
    log_change(session, program.id, None, account, "archived", changes=differences(before, snapshot(program)),
               comment=reason.strip() or None)
    return True


def quick_edit(session: Session, account: Account, program: Program, values: Mapping[str, str]) -> None:
    """Correct free places, places in total and the schedule at once (no moderation: they are facts of the day).

    An unfinished revision of the program gets the same values, so approving it later does not undo them.
    """
    before = snapshot(program)
    row = {**program_row(program), **{name: (values.get(name) or "").strip() for name in QUICK_FIELDS}}
    record, errors = validate_record(row)
    errors = [error for error in errors if error.column in QUICK_FIELDS] if errors else []
    if record is None:
        raise RecordInvalid(errors or [FieldError("seats_free", "запись программы не проходит проверку")])
    program.seats_total, program.seats_free, program.schedule = record.seats_total, record.seats_free, record.schedule
    pending = open_revision(session, program)
    if pending is not None:
        pending.record = {**pending.record, **{name: row[name] for name in QUICK_FIELDS}}
    session.flush()
    changes = differences(before, snapshot(program))
    if changes:
        mark_programs_changed(session, {program.id})
        log_change(session, program.id, None, account, "quick_edit", changes=changes)


def log_change(session: Session, program_id: int | None, revision: ProgramRevision | None, account: Account | None,
               event: str, *, changes: dict | None = None, comment: str | None = None) -> None:
    """Add an entry to the change log (in the caller's transaction)."""
    session.add(ProgramChange(program_id=program_id, revision_id=revision.id if revision else None,
                              account_id=account.id if account else None, event=event, changes=changes or None,
                              comment=comment))


def history(session: Session, program: Program) -> list[ProgramChange]:
    """The program's log, newest first, including what was submitted for it before it was published."""
    revision_ids = select(ProgramRevision.id).where(ProgramRevision.program_id == program.id)
    return list(session.scalars(select(ProgramChange).where(or_(
        ProgramChange.program_id == program.id, ProgramChange.revision_id.in_(revision_ids)))
        .order_by(ProgramChange.created_at.desc(), ProgramChange.id.desc())))
