"""The commands of `navigator` (the group is navigator.__main__; `flask --app navigator …` works as well).

Each command is a thin wrapper: it opens a session, calls one plain function and prints its result.
"""

from __future__ import annotations

import dataclasses
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from navigator import migrations
from navigator.accounts.mail import send_password_link
from navigator.accounts.models import ROLES
from navigator.accounts.registry import AccountError, create_account, find_account, issue_password_link, password_link
from navigator.catalogue.importer import (
    ImportRejected,
    ReadOptions,
    already_imported,
    import_file,
    report_lines,
    write_report,
)
from navigator.catalogue.importer.hsds import import_package
from navigator.catalogue.importer.mapping import MappingError, load_mapping
from navigator.catalogue.importer.reading import KNOWN_COLUMNS
from navigator.config import DEVELOPMENT_ADDRESS
from navigator.enrollment.retention import purge, reseal_all
from navigator.enrollment.sealing import Sealer
from navigator.extensions import database, db_session, index_follower
from navigator.geocoding import geocode_venues, geocoding_for
from navigator.geocoding.region import load_region
from navigator.outward.hsds import Place
from navigator.outward.hsds_package import write_package
from navigator.search import IndexUnavailable, index_status


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or bring it to the latest schema revision."""
    before, after = migrations.upgrade(database().engine)
    if before == after:
        click.echo(f"Database is up to date (revision {after}).")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to revision {after}.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["csv", "hsds"]), default="csv", show_default=True,
              help="csv: our columns (docs/data.md); hsds: an Open Referral HSDS 3.0 package, a folder of CSV "
                   "tables or a JSON file (docs/hsds.md).")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; change nothing.")
@click.option("--archive-missing", is_flag=True,
              help="Archive programs of the file's organizations that the file no longer lists.")
@click.option("--skip-if-imported", is_flag=True,
              help="Do nothing if this exact file (same checksum) was imported before.")
@click.option("--strict", is_flag=True,
              help="Refuse rows that disagree about their organization or venue, and unknown columns.")
@click.option("--encoding", metavar="NAME", help="Encoding of a CSV (utf-8, cp1251, ...); detected if not given.")
@click.option("--delimiter", metavar="CHAR", help="Delimiter of a CSV (',', ';' or 'tab'); detected if not given.")
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx workbook (default: the first).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Column mapping (TOML, or YAML with PyYAML): their columns and values to ours.")
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE",
              help="Value for a field a row leaves empty (repeatable); each use is counted in the report.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every error and warning to this CSV (line, column, value, message, level).")
@with_appcontext
def import_command(file: Path, file_format: str, dry_run: bool, archive_missing: bool, skip_if_imported: bool,
                   report: Path | None, **reading) -> None:
    """Import programs from a CSV or XLSX file (docs/data.md) or an HSDS package: all valid rows or, on any error, none.

    Exit status 0 when the import applied (with or without warnings), 1 when it applied nothing.
    """
    _require_schema()
    options = _read_options(**reading)
    if file_format == "hsds":
        if skip_if_imported:
            raise click.BadParameter("applies to CSV files only", param_hint="--skip-if-imported")
        _import_hsds(file, dry_run, archive_missing, options.defaults, report)
        return
    if file.is_dir():
        raise click.BadParameter(f"{file} is a folder; only --format hsds reads a folder", param_hint="FILE")
    if skip_if_imported and already_imported(db_session(), file):
        click.echo(f"{file.name}: this file was imported before; skipped.")
        return
    try:
        summary = import_file(db_session(), file, dry_run=dry_run, archive_missing=archive_missing,
                              progress=_progress_bar, options=options)
    except ImportRejected as rejected:
        for line in rejected.detected:
            click.echo(f"{file.name}: {line}", err=True)
        for error in rejected.errors:
            click.echo(str(error), err=True)
        _write_report(report, [*rejected.errors, *rejected.warnings])
        click.echo(f"{file.name}: {len(rejected.errors)} error(s); nothing was imported.", err=True)
        sys.exit(1)
    for line in summary.findings.detected:
        click.echo(f"{file.name}: {line}")
    prefix = "Dry run, nothing changed. Would apply: " if dry_run else "Imported: "
    click.echo(f"{prefix}{summary}.")
    for line in report_lines(summary.findings):
        click.echo(line)
    _write_report(report, summary.findings.warnings)
    if dry_run:
        return
    if current_app.config["GEOCODER"] != "off":
        _geocode(only_missing=True, retry_failed=False, limit=None)
    _bring_index_up_to_date()


def _import_hsds(path: Path, dry_run: bool, archive_missing: bool, defaults: dict[str, str],
                 report: Path | None) -> None:
    boundaries = load_region(current_app.config["BOUNDARIES_FILE"], None, None).boundaries
    try:
        result = import_package(db_session(), path, defaults=defaults, dry_run=dry_run,
                                archive_missing=archive_missing, progress=_progress_bar,
                                inside_region=boundaries.contains if boundaries else None)
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(str(error), err=True)
        _write_report(report, rejected.errors)
        click.echo(f"{path.name}: {len(rejected.errors)} error(s); nothing was imported.", err=True)
        sys.exit(1)
    _write_report(report, [dataclasses.replace(warning, level="warning") for warning in result.warnings])
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for column, count in sorted(result.defaulted.items()):
        click.echo(f"{column}: the default value used for {count} program(s).")
    prefix = "Dry run, nothing changed. Would apply: " if dry_run else "Imported: "
    click.echo(f"{prefix}{result.summary}; {len(result.warnings)} warning(s).")
    if dry_run:
        return
    if current_app.config["GEOCODER"] != "off":
        _geocode(only_missing=True, retry_failed=False, limit=None)
    _bring_index_up_to_date()


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["hsds"]), required=True,
              help="hsds: an Open Referral HSDS 3.0 data package (docs/hsds.md).")
@with_appcontext
def export_command(folder: Path, file_format: str) -> None:
    """Write the active catalogue into FOLDER: datapackage.json, the HSDS CSV tables and services.json."""
    _require_schema()
    summary = write_package(db_session(), folder, Place.from_settings(current_app.config))
    click.echo(f"Exported to {folder}: {summary}.")


def _read_options(strict: bool, encoding: str | None, delimiter: str | None, sheet: str | None,
                  mapping: Path | None, defaults: tuple[str, ...], format: str | None = None) -> ReadOptions:
    """The reading options from the command line; a bad mapping or --default stops here."""
    pairs = {}
    for item in defaults:
        name, sign, value = item.partition("=")
        if not sign or name.strip() not in KNOWN_COLUMNS:
            raise click.BadParameter(f"{item!r}: expected FIELD=VALUE with one of our columns", param_hint="--default")
        pairs[name.strip()] = value.strip()
    try:
        loaded = load_mapping(mapping, set(KNOWN_COLUMNS)) if mapping else None
    except MappingError as problem:
        raise click.BadParameter(str(problem), param_hint="--mapping") from None
    return ReadOptions(strict=strict, encoding=encoding, delimiter=delimiter, sheet=sheet, mapping=loaded,
                       defaults=pairs, format=format)


def _write_report(path: Path | None, issues: list) -> None:
    if path is not None:
        count = write_report(path, issues)
        click.echo(f"Report: {count} error(s) and warning(s) written to {path}.", err=True)


@click.command("reindex")
@click.option("--if-needed", is_flag=True, help="Build only if the index is missing, unreadable or of another format.")
@with_appcontext
def reindex_command(if_needed: bool) -> None:
    """Rebuild the search index from the database and swap it in atomically."""
    follower = index_follower()
    reason = index_status(follower.index_dir) if if_needed else "asked"
    if reason is None:
        click.echo(f"The search index in {follower.index_dir} is in place.")
        return
    _require_schema()
    click.echo(str(follower.rebuild(progress=_progress_bar, reason=reason)))


@click.command("index-follow")
@click.option("--once", is_flag=True, help="Apply what is pending (or rebuild when the index is missing, too far "
                                           "behind or of another format version), then exit.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.2, show_default=True,
              help="Seconds between two looks at the outbox.")
@with_appcontext
def index_follow_command(once: bool, interval: float) -> None:
    """Keep this machine's search index in step with the database's change outbox (one per index folder)."""
    _require_schema()
    follower = index_follower()
    if once:
        try:
            click.echo(str(follower.follow_once(progress=_progress_bar)))
        except (OSError, IndexUnavailable) as problem:
            click.echo(f"Cannot write the search index in {follower.index_dir}: {problem}", err=True)
            sys.exit(1)
        return
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    click.echo(f"Following committed changes into {follower.index_dir} (stop with Ctrl+C or SIGTERM).")
    if not follower.run(stop, interval=interval, on_pass=lambda result: click.echo(str(result))):
        click.echo(f"Another follower already runs for {follower.index_dir}.", err=True)
        sys.exit(1)


@click.command("create-account")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="provider, municipal or admin.")
@click.option("--organization", "organizations", multiple=True, metavar="ID",
              help="organization_id of the provider's organization (repeat for several).")
@click.option("--municipality", "municipalities", multiple=True, metavar="NAME",
              help="Municipality of municipal staff, as in the catalogue (repeat for several).")
@with_appcontext
def create_account_command(email: str, role: str, organizations: tuple[str, ...],
                           municipalities: tuple[str, ...]) -> None:
    """Create an account and print its one-time password-set link."""
    _require_schema()
    session = db_session()
    try:
        account = create_account(session, email, role, organizations=organizations, municipalities=municipalities)
    except AccountError as problem:
        session.rollback()
        click.echo(str(problem), err=True)
        sys.exit(1)
    _print_password_link(session, account)


@click.command("password-link")
@click.argument("email")
@with_appcontext
def password_link_command(email: str) -> None:
    """Print a new one-time password-set link for an account (a forgotten password)."""
    _require_schema()
    session = db_session()
    account = find_account(session, email)
    if account is None:
        click.echo(f"No account {email}.", err=True)
        sys.exit(1)
    _print_password_link(session, account)


def _print_password_link(session, account) -> None:
    config = current_app.config
    token = issue_password_link(account, config["PASSWORD_LINK_HOURS"])
    session.commit()
    link = password_link(config["BASE_URL"] or DEVELOPMENT_ADDRESS, token)
    click.echo(f"Account {account.email} ({account.role}). Password-set link, valid for "
               f"{config['PASSWORD_LINK_HOURS']} hours and only once:\n{link}")
    if send_password_link(config, account.email, link):
        click.echo(f"The link was also e-mailed to {account.email}.")


@click.command("geocode")
@click.option("--only-missing", is_flag=True, help="Only venues without a point (else also re-check geocoded ones).")
@click.option("--retry-failed", is_flag=True, help="Ask the online geocoder again about addresses it failed on.")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N venues (run again to go on).")
@with_appcontext
def geocode_command(only_missing: bool, retry_failed: bool, limit: int | None) -> None:
    """Give venues not placed by their provider a point: cache, online geocoder (if on), gazetteer."""
    _require_schema()
    _geocode(only_missing=only_missing, retry_failed=retry_failed, limit=limit)
    _bring_index_up_to_date()


def _geocode(**options) -> None:
    geocoding = geocoding_for(current_app.config)
    for warning in geocoding.warnings():
        click.echo(warning, err=True)
    click.echo(str(geocode_venues(db_session(), geocoding, progress=_progress_bar, **options)))


@click.command("purge-applications")
@click.option("--older-than", "days", type=click.IntRange(min=0), default=None,
              help="Days after the final state; default: NAVIGATOR_ENROLLMENT_RETENTION_DAYS (90).")
@with_appcontext
def purge_applications_command(days: int | None) -> None:
    """Erase the personal fields of applications answered (or withdrawn) more than DAYS days ago."""
    _require_schema()
    days = current_app.config["ENROLLMENT_RETENTION_DAYS"] if days is None else days
    erased = purge(db_session(), days)
    db_session().commit()
    click.echo(f"Personal data erased from {erased} application(s) final for more than {days} days.")


@click.command("rotate-enrollment-key")
@with_appcontext
def rotate_enrollment_key_command() -> None:
    """Seal every application's personal fields again with the first key of NAVIGATOR_ENROLLMENT_KEY."""
    _require_schema()
    count = reseal_all(db_session(), Sealer.from_setting(current_app.config["ENROLLMENT_KEY"]))
    db_session().commit()
    click.echo(f"{count} application(s) sealed with the first key; older keys may now be removed.")


def _bring_index_up_to_date() -> None:
    """After a command's commit: apply it to the index now, unless a running follower will; never fail for it."""
    follower = index_follower()
    if follower.running_elsewhere():
        click.echo("The index follower of this machine will apply the change within seconds.")
        return
    try:
        result = follower.follow_once(progress=_progress_bar, wait=False)
    except (OSError, IndexUnavailable) as problem:
        click.echo(f"The change is saved; the search index in {follower.index_dir} could not take it now "
                   f"({problem}). It will catch up when the index follower next runs (at once: "
                   "`navigator index-follow --once`).", err=True)
        return
    click.echo(str(result) if result else "The index is being written by another command; it will catch up.")


def _progress_bar(items, **options):
    """tqdm on stderr, shown only to a person at a terminal (and when the file is large enough to wait for)."""
    return tqdm(items, file=sys.stderr, disable=None, mininterval=0.5, **options)


def _require_schema() -> None:
    current = migrations.current_revision(database().engine)
    if current != migrations.head_revision():
        click.echo("The database schema is not up to date: run `navigator init-db` first.", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    for command in (init_db_command, import_command, export_command, reindex_command, index_follow_command,
                    create_account_command, password_link_command, geocode_command, purge_applications_command,
                    rotate_enrollment_key_command):
        app.cli.add_command(command)
