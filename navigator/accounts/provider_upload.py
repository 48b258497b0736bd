"""A provider's upload (CSV or XLSX): read and check it like the importer, preview it, apply it only when confirmed.

The file is read by the importer's reader (same columns, same messages, every error with its line
and column). Rows of organizations that are not the provider's, or codes of other organizations'
programs, are refused by line. The preview applies the rows in a transaction and rolls it back —
exactly the importer's dry run — so its lists are what confirming would do. Confirming is one
transaction, which the caller commits: with moderation, new and changed programs become revisions waiting
for approval; without it they are applied at once. Organization details always come from the catalogue,
not from the file.
The uploaded bytes wait in the instance folder under a random token until confirmed or discarded.
A workbook is checked with zipfile alone before openpyxl ever opens it (navigator.catalogue.importer.xlsx_guard).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.accounts.models import Account, ProgramRevision
from navigator.accounts.moderation import (
    OPEN_STATES,
    archive_program,
    locate_venues,
    log_change,
    save_revision,
    snapshot,
)
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.importer.applying import apply_records
from navigator.catalogue.importer.issues import Findings
from navigator.catalogue.importer.reading import ImportRejected, ReadOptions, RowError, check_file
from navigator.catalogue.importer.xlsx_guard import looks_like_xlsx, workbook_problem
from navigator.catalogue.models import Municipality, Organization, Program
from navigator.catalogue.program_rows import ORGANIZATION_COLUMNS, differences, record_row
from navigator.catalogue.validation import ProgramRecord
from navigator.geocoding import Geocoding

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
UPLOAD_LIFETIME_SECONDS = 24 * 3600
# Reading and checking an upload's rows stops after this long (2,000 rows take well under a second; the
# worker's timeout is 30 s): a file that would take longer is an error on the line reached, not a lost worker.
READ_SECONDS = 10.0


@dataclass(frozen=True)
class Listed:
    public_id: str
    title: str


@dataclass
class UploadPreview:
    """What confirming the file would do, or every error that stops it."""

    errors: list[RowError] = field(default_factory=list)
    created: list[Listed] = field(default_factory=list)
    updated: list[Listed] = field(default_factory=list)
    archived: list[Listed] = field(default_factory=list)
    unchanged: int = 0
    changed_program_ids: set[int] = field(default_factory=set)
    findings: Findings = field(default_factory=Findings)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class StoredUpload:
    token: str
    path: Path
    account_id: int
    file_name: str
    archive_missing: bool


def _checked_records(session: Session, path: Path, organizations: list[Organization], max_rows: int
                     ) -> tuple[list[ProgramRecord], list[RowError], Findings]:
    """The file's records with the catalogue's organization details, the errors (importer's and ours), the warnings.

    The stored file is checked again as at the upload (one stored before a check was added, or under
    another row limit, gets the check's message, not a long read), then read within the row and time budgets.
    Contacts come from the catalogue's organization here, so the importer's «kept as the program's
    contact» warnings do not apply to an upload and are left out.
    """
    problem = upload_problem(path.read_bytes(), max_rows, path.name)
    if problem is not None:
        return [], [RowError(1, None, problem)], Findings()
    try:
        parsed, errors = check_file(path, options=ReadOptions(max_rows=max_rows, seconds=READ_SECONDS))
    except ImportRejected as rejected:
        return [], rejected.errors, Findings(rejected.detected, rejected.warnings)
    findings = parsed.findings
    findings.warnings = [w for w in findings.warnings if w.column not in ORGANIZATION_COLUMNS]
    by_public_id = {organization.public_id: organization for organization in organizations}
    owners = dict(session.execute(select(Program.public_id, Organization.public_id).join(Program.organization)
                                  .where(Program.public_id.in_({r.program_id for _, r in parsed.records}))).all())
    new_elsewhere = dict(session.execute(
        select(ProgramRevision.public_id, ProgramRevision.organization_id).where(
            ProgramRevision.program_id.is_(None), ProgramRevision.state.in_(OPEN_STATES))).all())
    municipalities = set(session.scalars(select(Municipality.name)))
    records = []
    for line, record in parsed.records:
        organization = by_public_id.get(record.organization_id)
        if organization is None:
            errors.append(RowError(line, "organization_id", "строки других организаций не принимаются",
                                   record.organization_id))
            continue
        if record.municipality not in municipalities:
            errors.append(RowError(line, "municipality", "такого муниципалитета нет в каталоге",
                                   record.municipality))
            continue
        owner = owners.get(record.program_id)
        if (owner is not None and owner != record.organization_id) or \
                new_elsewhere.get(record.program_id, organization.id) != organization.id:
            errors.append(RowError(line, "program_id", "этот код занят программой другой организации",
                                   record.program_id))
            continue
        records.append(dataclasses.replace(record, organization=organization.name, organization_type=organization.type,
                                           phone=organization.phone, email=organization.email,
                                           website=organization.website))
    return records, sorted(errors, key=lambda error: error.line), findings


def _lists(session: Session, records: list[ProgramRecord], archive_missing: bool) -> UploadPreview:
    """Apply in the current transaction and say what was created, updated and archived (the caller ends it)."""
    listed = {record.program_id for record in records}
    existing = set(session.scalars(select(Program.public_id).where(Program.public_id.in_(listed))))
    summary = apply_records(session, records, archive_missing=archive_missing)
    session.expire_all()
    changed = session.execute(select(Program.public_id, Program.title, Program.status)
                              .where(Program.id.in_(summary.changed_program_ids)).order_by(Program.title)).all()
    preview = UploadPreview(unchanged=summary.unchanged, changed_program_ids=summary.changed_program_ids)
    for public_id, title, status in changed:
        if public_id not in listed:
            if status == "archived":
                preview.archived.append(Listed(public_id, title))
        elif public_id in existing:
            preview.updated.append(Listed(public_id, title))
        else:
            preview.created.append(Listed(public_id, title))
    return preview


def preview_upload(session: Session, path: Path, organizations: list[Organization], *,
                   archive_missing: bool, max_rows: int) -> UploadPreview:
    """What the file would change, computed by applying it and rolling back; nothing is kept."""
    records, errors, findings = _checked_records(session, path, organizations, max_rows)
    if errors:
        return UploadPreview(errors=errors, findings=findings)
    try:
        preview = _lists(session, records, archive_missing)
    finally:
        session.rollback()
    preview.findings = findings
    return preview


def confirm_upload(session: Session, account: Account, path: Path, organizations: list[Organization], *,
                   archive_missing: bool, moderation: bool, max_rows: int,
                   geocoding: Geocoding | None = None) -> UploadPreview:
    """Apply the file in the caller's transaction (the caller commits it whole or rolls it back): as revisions
    for approval (moderation) or published at once."""
    records, errors, findings = _checked_records(session, path, organizations, max_rows)
    if errors:
        return UploadPreview(errors=errors, findings=findings)
    if moderation:
        return _stage_for_moderation(session, account, records, archive_missing)
    return _publish(session, account, records, archive_missing, geocoding)


def _stage_for_moderation(session: Session, account: Account, records: list[ProgramRecord],
                          archive_missing: bool) -> UploadPreview:
    preview = _lists(session, records, archive_missing)
    session.rollback()
    organizations = {o.public_id: o for o in session.scalars(select(Organization).where(
        Organization.public_id.in_({record.organization_id for record in records})))}
    programs = {p.public_id: p for p in session.scalars(select(Program).where(
        Program.public_id.in_({item.public_id for item in (*preview.created, *preview.updated, *preview.archived)})))}
    drafts = {r.public_id: r for r in session.scalars(select(ProgramRevision).where(
        ProgramRevision.program_id.is_(None), ProgramRevision.state.in_(OPEN_STATES),
        ProgramRevision.organization_id.in_([o.id for o in organizations.values()])))}
    changing = {item.public_id for item in (*preview.created, *preview.updated)}
    for record in records:
        if record.program_id in changing:
            save_revision(session, account, organizations[record.organization_id], record_row(record),
                          program=programs.get(record.program_id), revision=drafts.get(record.program_id),
                          submit=True)
    for item in preview.archived:
        archive_program(session, account, programs[item.public_id], "нет в загруженном файле")
    return preview


def _publish(session: Session, account: Account, records: list[ProgramRecord], archive_missing: bool,
             geocoding: Geocoding | None) -> UploadPreview:
    organization_ids = select(Organization.id).where(Organization.public_id.in_({r.organization_id for r in records}))
    involved = select(Program).where(Program.public_id.in_({r.program_id for r in records})
                                     | Program.organization_id.in_(organization_ids))
    before = {program.public_id: snapshot(program) for program in session.scalars(involved)}
    preview = _lists(session, records, archive_missing)
    for program in session.scalars(involved):
        changes = differences(before.get(program.public_id, {}), snapshot(program))
        if changes:
            log_change(session, program.id, None, account, "uploaded", changes=changes)
    mark_programs_changed(session, preview.changed_program_ids)
    locate_venues(session, geocoding, set(session.scalars(select(Program.venue_id).where(
        Program.id.in_(preview.changed_program_ids)))))
    return preview


def upload_problem(data: bytes, max_rows: int, file_name: str = "") -> str | None:
    """Why a file is refused before it is read at all (too many rows, an unsafe workbook), or None.

    The request's size is bounded earlier (413).
    """
    if looks_like_xlsx(data, file_name):
        return workbook_problem(data, max_rows)
    # Lines after the header, ended as the csv module ends them: \r\n, \n, or \r alone (old Mac Excel).
    line_ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    rows = line_ends - 1 + (not data.endswith((b"\n", b"\r")))
    if rows > max_rows:
        return (f"В файле около {rows:,} строк, а за один раз можно загрузить не больше {max_rows:,}. "
                "Разделите файл на части.").replace(",", "\u00a0")
    return None


def store_upload(folder: Path, account_id: int, data: bytes, file_name: str, archive_missing: bool) -> str:
    """Keep the uploaded bytes until the provider confirms; return the token that names them."""
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    kind = "xlsx" if looks_like_xlsx(data, file_name) else "csv"  # the suffix tells the importer the format
    (folder / f"{token}.{kind}").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(
        {"account_id": account_id, "file_name": file_name, "archive_missing": archive_missing, "format": kind}))
    return token


def load_upload(folder: Path, token: str, account_id: int) -> StoredUpload | None:
    """The stored upload of this account with this token, or None (someone else's token finds nothing)."""
    if not TOKEN_PATTERN.match(token) or not (folder / f"{token}.json").exists():
        return None
    meta = json.loads((folder / f"{token}.json").read_text())
    if meta["account_id"] != account_id:
        return None
    path = folder / f"{token}.{meta.get('format', 'csv')}"
    return StoredUpload(token, path, account_id, meta["file_name"], meta["archive_missing"])


def discard_upload(upload: StoredUpload) -> None:
    upload.path.unlink(missing_ok=True)
    upload.path.with_suffix(".json").unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    """Uploads never confirmed are removed after a day."""
    limit = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in folder.iterdir():
        if path.suffix in (".csv", ".xlsx", ".json") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
