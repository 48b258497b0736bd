"""The `navigator` command (a Flask CLI group, so `flask --app navigator …` works as well).

Each command is a thin wrapper: it opens a session, calls one plain function and prints its result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from tqdm import tqdm

from navigator import migrations
from navigator.accounts.mail import send_password_link
from navigator.accounts.registry import AccountError, create_account, find_account, issue_password_link, password_link
from navigator.catalogue.importer import (
    ImportRejected,
    ReadOptions,
    already_imported,
    import_file,
    report_lines,
    write_report,
)
from navigator.catalogue.importer.mapping import MappingError, load_mapping
from navigator.catalogue.importer.reading import KNOWN_COLUMNS
from navigator.catalogue.models import ROLES
from navigator.extensions import database, db_session, search_index
from navigator.geocoding import geocode_venues, geocoding_for
from navigator.search import index_status, rebuild


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
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
def import_command(file: Path, dry_run: bool, archive_missing: bool, skip_if_imported: bool, report: Path | None,
                   **reading) -> None:
    """Import programs from a CSV or XLSX file (docs/data.md): all valid rows or, on any error, none.

    Exit status 0 when the import applied (with or without warnings), 1 when it applied nothing.
    """
    _require_schema()
    if skip_if_imported and already_imported(db_session(), file):
        click.echo(f"{file.name}: this file was imported before; skipped.")
        return
    options = _read_options(**reading)
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
    if not dry_run and current_app.config["GEOCODER"] != "off":
        _geocode(only_missing=True, retry_failed=False, limit=None)


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
@click.option("--if-needed", is_flag=True, help="Build only if the index is missing or cannot be read.")
@with_appcontext
def reindex_command(if_needed: bool) -> None:
    """Rebuild the search index from the database and swap it in atomically."""
    index_dir = search_index().index_dir
    if if_needed:
        problem = index_status(index_dir)
        if problem is None:
            click.echo(f"The search index in {index_dir} is in place.")
            return
        click.echo(problem)
    _require_schema()
    count = rebuild(index_dir, database().session_factory, progress=_progress_bar)
    click.echo(f"Indexed {count} programs into {index_dir}.")


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
    link = password_link(config["BASE_URL"], token)
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


def _geocode(**options) -> None:
    geocoding = geocoding_for(current_app.config)
    for warning in geocoding.warnings():
        click.echo(warning, err=True)
    click.echo(str(geocode_venues(db_session(), geocoding, progress=_progress_bar, **options)))


def _progress_bar(items, **options):
    """tqdm on stderr, shown only to a person at a terminal (and when the file is large enough to wait for)."""
    return tqdm(items, file=sys.stderr, disable=None, mininterval=0.5, **options)


def _require_schema() -> None:
    current = migrations.current_revision(database().engine)
    if current != migrations.head_revision():
        click.echo("The database schema is not up to date: run `navigator init-db` first.", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    for command in (init_db_command, import_command, reindex_command, create_account_command,
                    password_link_command, geocode_command):
        app.cli.add_command(command)


def _create_app():
    from navigator import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, set_debug_flag=False)
def main() -> None:
    """Navigator: children's additional education programs on a map."""


if __name__ == "__main__":
    main()
