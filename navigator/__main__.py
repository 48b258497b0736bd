"""The `navigator` command (`python -m navigator`, or `flask --app navigator …`): the app's CLI group.

The group builds the application with create_app, which registers the commands of navigator.cli; kept apart
from navigator.cli so that the package and its commands import each other in one direction only.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from navigator import create_app
from navigator.config import SettingsError


def _create_app():
    """The app for a command; a missing or unusable setting is a one-line error (exit 1), not a traceback."""
    try:
        return create_app()
    except SettingsError as problem:
        raise click.ClickException(str(problem)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, set_debug_flag=False)
def main() -> None:
    """Navigator: children's additional education programs on a map."""


if __name__ == "__main__":
    main()
