"""A file (CSV, XLSX, or a registered reader's) → validated records → database, all or nothing, with a report.

A file is read and validated whole first (navigator.catalogue.importer.reading): errors stop it, warnings
say what was resolved; only a file without a single error is applied, in one transaction
(navigator.catalogue.importer.applying). A dry run applies the
same way and rolls back, so the counts it reports are exactly what a real run would do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.importer.applying import ApplySummary, apply_records
from navigator.catalogue.importer.issues import Findings, ImportRejected, RowError, report_lines, write_report
from navigator.catalogue.importer.reading import ParsedFile, Progress, ReadOptions, no_progress, read_file
from navigator.catalogue.models import ImportRun, utcnow

__all__ = ["ApplySummary", "Findings", "ImportRejected", "ReadOptions", "RowError", "already_imported",
           "import_file", "report_lines", "write_report"]


def import_file(session: Session, path: Path, *, dry_run: bool = False, archive_missing: bool = False,
                progress: Progress = no_progress, options: ReadOptions | None = None) -> ApplySummary:
    """Validate the file, then apply it whole and commit (or roll back for a dry run); findings on the summary."""
    started = utcnow()
    return apply_parsed(session, read_file(Path(path), progress, options or ReadOptions()), started,
                        dry_run=dry_run, archive_missing=archive_missing)


def apply_parsed(session: Session, parsed: ParsedFile, started: dt.datetime, *, dry_run: bool = False,
                 archive_missing: bool = False) -> ApplySummary:
    """Apply a checked file's records in one transaction and record the run (any reader's file)."""
    try:
        summary = apply_records(session, [record for _, record in parsed.records], archive_missing=archive_missing,
                                contacts=parsed.contacts)
        summary.findings = parsed.findings
        session.add(ImportRun(file_name=parsed.name, checksum=parsed.checksum, started_at=started,
                              rows=summary.rows, created=summary.created, updated=summary.updated,
                              unchanged=summary.unchanged, archived=summary.archived))
        if dry_run:
            session.rollback()
        else:
            mark_programs_changed(session, summary.changed_program_ids)
            session.commit()  # a batch job that ends its own transaction: the whole file or (dry run) nothing
    except BaseException:
        session.rollback()
        raise
    return summary


def already_imported(session: Session, path: Path) -> bool:
    """Whether a file with exactly these bytes was applied before (so `make run` need not import it again)."""
    checksum = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return session.scalar(select(ImportRun.id).where(ImportRun.checksum == checksum).limit(1)) is not None
