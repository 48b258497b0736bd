"""Who may see and change what: every private page and action loads its objects through these.

A provider reaches only the programs, revisions and venues of its own organizations; municipal staff
only those of their municipalities (a program belongs to the municipality of its venue); an admin
reaches everything staff can. A loader answers None for anything outside the account's reach, so
that views answer 404 without telling whether the object exists.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.accounts.models import Account, ProgramRevision
from navigator.catalogue.models import Organization, Program, Venue


def organization_ids(account: Account) -> set[int]:
    return {organization.id for organization in account.organizations} if account.role == "provider" else set()


def may_moderate(account: Account, municipality_id: int) -> bool:
    """Whether the account approves changes and archives programs in this municipality."""
    if account.role == "admin":
        return True
    return account.role == "municipal" and municipality_id in {m.id for m in account.municipalities}


def provider_organization(session: Session, account: Account, public_id: str) -> Organization | None:
    organization = session.scalar(select(Organization).where(Organization.public_id == public_id))
    return organization if organization is not None and organization.id in organization_ids(account) else None


def provider_program(session: Session, account: Account, public_id: str) -> Program | None:
    program = session.scalar(select(Program).where(Program.public_id == public_id))
    return program if program is not None and program.organization_id in organization_ids(account) else None


def provider_revision(session: Session, account: Account, revision_id: int) -> ProgramRevision | None:
    revision = session.get(ProgramRevision, revision_id)
    return revision if revision is not None and revision.organization_id in organization_ids(account) else None


def provider_venues(session: Session, account: Account, organization: Organization) -> list[Venue]:
    if organization.id not in organization_ids(account):
        return []
    return list(session.scalars(select(Venue).where(Venue.organization_id == organization.id).order_by(Venue.address)))


def moderated_revision(session: Session, account: Account, revision_id: int) -> ProgramRevision | None:
    revision = session.get(ProgramRevision, revision_id)
    return revision if revision is not None and may_moderate(account, revision.municipality_id) else None


def moderated_program(session: Session, account: Account, public_id: str) -> Program | None:
    program = session.scalar(select(Program).where(Program.public_id == public_id))
    return program if program is not None and may_moderate(account, program.venue.municipality_id) else None
