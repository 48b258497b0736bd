"""Settings: declared once, as data, with their defaults and help text.

Each setting is read, in increasing priority, from its default, the optional instance config file
(`instance/navigator.cfg`, Python syntax), an environment variable `NAVIGATOR_<NAME>`, and the
test overrides given to create_app(). docs/configuration.md documents every one (a test checks).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "NAVIGATOR_"
INSTANCE_CONFIG_FILE = "navigator.cfg"
SECRET_KEY_FILE = "secret_key"
#: The repository (or installed project) root, where data/ lives.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _boolean(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    default: Any = None
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "SQLAlchemy URL of the database; PostgreSQL works too "
            "(postgresql+psycopg://user:password@host/db). Default: a SQLite file instance/navigator.db."),
    Setting("INDEX_DIR", "Folder of the Whoosh search index (a rebuildable cache of the database). "
            "Default: search_index/ next to the instance folder."),
    Setting("SYNONYMS_FILE", "Text file of search synonyms, one group of interchangeable words per line "
            "(e.g. «изо, рисование»); staff extend it without code. Default: data/synonyms.txt."),
    Setting("SECRET_KEY", "Key that signs sessions and forms. Default: generated once into "
            "instance/secret_key and reused."),
    Setting("TILE_URL", "Leaflet URL template of the base map tiles; the Content-Security-Policy allows its "
            "server and no other.", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    Setting("TILE_ATTRIBUTION", "Attribution shown on every map for the tiles (HTML).",
            '&copy; <a href="https://www.openstreetmap.org/copyright">участники OpenStreetMap</a>'),
)


def setting_names() -> list[str]:
    return [ENV_PREFIX + setting.name for setting in SETTINGS]


def load(instance_path: Path, environ: Mapping[str, str], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Resolve every setting in priority order; fill in the defaults that depend on the instance folder."""
    values: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
    values.update(_instance_file(instance_path))
    for setting in SETTINGS:
        if ENV_PREFIX + setting.name in environ:
            values[setting.name] = setting.parse(environ[ENV_PREFIX + setting.name])
    values.update(overrides or {})
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance_path / 'navigator.db'}"
    if not values["INDEX_DIR"]:
        values["INDEX_DIR"] = str(instance_path.parent / "search_index")
    if values["SYNONYMS_FILE"] is None:
        values["SYNONYMS_FILE"] = str(PROJECT_ROOT / "data" / "synonyms.txt")
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _stored_secret_key(instance_path)
    return values


def _instance_file(instance_path: Path) -> dict[str, Any]:
    path = instance_path / INSTANCE_CONFIG_FILE
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 — admin-owned file
    known = {setting.name for setting in SETTINGS}
    return {key: value for key, value in namespace.items() if key in known}


def _stored_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first run."""
    path = instance_path / SECRET_KEY_FILE
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by another process
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
