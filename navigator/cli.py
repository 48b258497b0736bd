"""The `navigator` command (a Flask CLI group, so `flask --app navigator …` works as well).

Each command is a thin wrapper: it opens a session, calls one plain function and prints its result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from tqdm import tqdm

from navigator import migrations
from navigator.extensions import database, db_session, search_index
from navigator.importer import ImportRejected, already_imported, import_file
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
@with_appcontext
def import_command(file: Path, dry_run: bool, archive_missing: bool, skip_if_imported: bool) -> None:
    """Import programs from a CSV file (docs/data.md): all rows or, on any error, none."""
    _require_schema()
    if skip_if_imported and already_imported(db_session(), file):
        click.echo(f"{file.name}: this file was imported before; skipped.")
        return
    try:
        summary = import_file(db_session(), file, dry_run=dry_run, archive_missing=archive_missing,
                              progress=_progress_bar)
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(str(error), err=True)
        click.echo(f"{file.name}: {len(rejected.errors)} error(s); nothing was imported.", err=True)
        sys.exit(1)
    prefix = "Dry run, nothing changed. Would apply: " if dry_run else "Imported: "
    click.echo(f"{prefix}{summary}.")


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


def _progress_bar(items, **options):
    """tqdm on stderr, shown only to a person at a terminal (and when the file is large enough to wait for)."""
    return tqdm(items, file=sys.stderr, disable=None, mininterval=0.5, **options)


def _require_schema() -> None:
    current = migrations.current_revision(database().engine)
    if current != migrations.head_revision():
        click.echo("The database schema is not up to date: run `navigator init-db` first.", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    for command in (init_db_command, import_command, reindex_command):
        app.cli.add_command(command)


def _create_app():
    from navigator import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, set_debug_flag=False)
def main() -> None:
    """Navigator: children's additional education programs on a map."""


if __name__ == "__main__":
    main()
