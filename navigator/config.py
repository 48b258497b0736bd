"""Settings: declared once, as data, with their defaults and help text.

Each setting is read, in increasing priority, from its default, the optional instance config file
(`instance/navigator.cfg`, Python syntax), an environment variable `NAVIGATOR_<NAME>`, and the
test overrides given to create_app(). docs/configuration.md documents every one (a test checks).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "NAVIGATOR_"
INSTANCE_CONFIG_FILE = "navigator.cfg"
SECRET_KEY_FILE = "secret_key"
ENROLLMENT_KEY_FILE = "enrollment_key"
#: The repository (or installed project) root, where data/ lives.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where `make run` serves by default: the password-set links' address when NAVIGATOR_BASE_URL is not set.
DEVELOPMENT_ADDRESS = "http://127.0.0.1:5000"
#: The region's geodata (another region swaps these files, not code).
GEO_FILES = {"BOUNDARIES_FILE": "data/geo/municipalities.geojson", "GAZETTEER_FILE": "data/geo/settlements.csv",
             "CITY_DISTRICTS_FILE": "data/geo/city_districts.csv",
             "MAP_BOUNDARIES_FILE": "data/geo/municipalities_web.geojson", "POPULATION_FILE": "data/population.csv"}


def _boolean(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _one_of(name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        choice = text.strip().lower()
        if choice not in choices:
            raise ValueError(f"NAVIGATOR_{name} must be one of {', '.join(choices)}, not {text!r}")
        return choice
    return parse


def _geocoder(text: str) -> str:
    choice = text.strip().lower()
    if choice not in {"off", "nominatim"}:
        raise ValueError(f"NAVIGATOR_GEOCODER must be off or nominatim, not {text!r}")
    return choice


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
    Setting("INDEX_FOLLOWER", "Who applies committed changes to this process's index folder: `thread` (a "
            "background thread of the one-process site, `make run`), `external` (a separate `navigator index-follow` "
            "process per index folder, as `make serve` runs it; web workers then only read the index) or `inline` "
            "(right after each commit, in the committing process: tests and scripts).", "thread",
            _one_of("INDEX_FOLLOWER", ("thread", "external", "inline"))),
    Setting("READY_MAX_LAG", "Seconds the index may be behind the newest committed change before /readyz "
            "answers 503.", 5.0, float),
    Setting("WORKERS", "Gunicorn worker processes that `make serve` starts.", 4, int),
    Setting("MODERATION", "Whether providers' new programs and changes wait for approval by municipal staff; "
            "off publishes them at once.", True, _boolean),
    Setting("BASE_URL", "Address of the site's home page (https://navigator.example, or with a path prefix): every "
            "absolute link starts with it, never with a request's Host header — the links e-mailed to parents, the "
            "password-set links, canonical links and JSON-LD, the HSDS `openapi_url` and the OpenAPI `servers`. "
            "Required in production (NAVIGATOR_PRODUCTION); `make run` sets it to its own address. Empty (development "
            "only): pages and e-mails make their links from the address the request came to, the OpenAPI document "
            f"gives a relative server, and the commands print password-set links for {DEVELOPMENT_ADDRESS}.", ""),
    Setting("PRODUCTION", "The site serves the public (`make serve` turns it on): it refuses to start without "
            "NAVIGATOR_BASE_URL, and answers 400 to a request for any host not in NAVIGATOR_TRUSTED_HOSTS.", False,
            _boolean),
    Setting("TRUSTED_HOSTS", "Host names the site answers for, separated by commas or spaces (a leading dot "
            "accepts every subdomain: .navigator.example); a request with another Host header gets a plain 400. "
            "Default: in production the host of NAVIGATOR_BASE_URL, otherwise any.",
            None, lambda text: text.replace(",", " ").split()),
    Setting("SESSION_COOKIE_SECURE", "Send the session cookie over HTTPS only. It is sent so anyway on requests "
            "that arrive over HTTPS.", False, _boolean),
    Setting("BEHIND_PROXY", "One proxy in front passes each request (`make serve` sets it for its nginx): the "
            "client's address is the last X-Forwarded-For entry and the scheme X-Forwarded-Proto (werkzeug's ProxyFix, "
            "x_for=1, x_proto=1; X-Forwarded-Host is never used). Only where nothing but that proxy can reach the "
            "site — otherwise anyone could choose the address the log-in limits count.", False, _boolean),
    Setting("RATELIMIT_STORAGE_URI", "Where the rate-limit counters (log-in, password links, the API, the "
            "geocoder's site-wide budget) are kept: a Flask-Limiter storage URI. memory:// counts per process; "
            "with several workers use Redis (redis://127.0.0.1:6379, as `make serve` does) so limits hold across "
            "them. If Redis cannot be reached the site keeps serving and counts per process meanwhile "
            "(logged).", "memory://"),
    Setting("API_RATE_LIMIT", "Requests to the JSON API allowed per client address (a Flask-Limiter limit).",
            "6000 per minute"),
    Setting("LOGIN_LIMIT_ACCOUNT", "Log-in attempts allowed per e-mail address from one client address, counted "
            "before the password is checked; growing windows act as growing delays.",
            "5 per minute; 20 per hour; 50 per day"),
    Setting("LOGIN_LIMIT_ADDRESS", "Log-in attempts allowed per client IP address.", "30 per 15 minutes"),
    Setting("SESSION_IDLE_MINUTES", "A signed-in session ends after this many minutes without a request.", 60, int),
    Setting("SESSION_MAX_HOURS", "A signed-in session ends this many hours after log-in, however active "
            "(the session cookie's signature expires then too).", 12, int),
    Setting("UPLOAD_MAX_MB", "Largest request body, in megabytes (a provider's CSV or XLSX upload is the "
            "largest); a bigger one is refused with 413 before it is read.", 5, int),
    Setting("UPLOAD_MAX_ROWS", "Most programs in one provider upload (rows of a CSV, of a workbook's sheet); a "
            "longer file is refused with a message to split it.", 2000, int),
    Setting("PASSWORD_LINK_HOURS", "How long a one-time password-set link stays valid, in hours.", 72, int),
    Setting("MAIL_SERVER", "SMTP server (host or host:port) that e-mails password-set links; empty: links "
            "are only shown to the admin who made them.", ""),
    Setting("MAIL_SENDER", "From address of the e-mails the site sends.", "navigator@localhost"),
    Setting("SECRET_KEY", "Key that signs sessions and forms. Default: generated once into "
            "instance/secret_key and reused."),
    Setting("ENROLLMENT_KEY", "Fernet key(s) that encrypt the personal fields of applications, separated by spaces "
            "or commas: the first encrypts, every one decrypts (rotation: docs/enrollment.md). Default: generated "
            "once into instance/enrollment_key and reused."),
    Setting("ENROLLMENT_ANSWER_DAYS", "Working days (Monday to Friday) a provider has to answer an application "
            "before it is marked overdue.", 5, int),
    Setting("ENROLLMENT_RETENTION_DAYS", "Days after an application's final state (accepted, declined) before "
            "`navigator purge-applications` erases its personal fields.", 90, int),
    Setting("ENROLLMENT_LIMIT_CLIENT", "Application form posts allowed per client address (a Flask-Limiter "
            "limit).", "10 per hour; 30 per day"),
    Setting("ENROLLMENT_LIMIT_PROGRAM", "The usual pace of applications to one program (a limit in Flask-Limiter's "
            "notation, counted atomically in NAVIGATOR_RATELIMIT_STORAGE_URI): applications within it count in the "
            "public queue at once; those beyond it (a flood, or a rush) are stored all the same — nobody is refused "
            "for others' sends — but count only once the provider has opened them.", "30 per hour; 60 per day"),
    Setting("ENROLLMENT_MIN_SECONDS", "Least time in seconds between showing the application form and sending "
            "it; faster sends are refused as automated (not checked in TESTING mode).", 3.0, float),
    Setting("ENROLLMENT_FORM_HOURS", "How long an opened application form can be sent, in hours (its CSRF token "
            "lasts an hour too); its signed stamp is single-use as well. A parent who sends a stale or already-sent "
            "form gets it back, filled, with a fresh stamp.", 1.0, float),
    Setting("TILE_URL", "Leaflet URL template of the base map tiles; the Content-Security-Policy allows its "
            "server and no other.", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    Setting("TILE_ATTRIBUTION", "Attribution shown on every map for the tiles (HTML).",
            '&copy; <a href="https://www.openstreetmap.org/copyright">участники OpenStreetMap</a>'),
    Setting("LOGO_URL", "Address of the logo shown before the site's name (an image the region provides); "
            "empty: the placeholder static/logo.svg.", ""),
    Setting("CERTIFICATE_PORTAL_URL", "The region's portal of certificates of additional education (ПФДО), where "
            "a parent enrolls a child in a program paid by certificate; empty: the program page offers the "
            "organization's contacts instead.", ""),
    Setting("GEOCODER", "Online geocoder asked for the points of venues without coordinates when data enters: "
            "off (the database cache and the offline gazetteer only) or nominatim.", "off", _geocoder),
    Setting("NOMINATIM_URL", "Address of the Nominatim server (a self-hosted one, or the public one within its "
            "usage policy).", "https://nominatim.openstreetmap.org"),
    Setting("GEOCODER_USER_AGENT", "User-Agent that identifies this site to the geocoder.",
            "Navigator (catalogue of children's additional education)"),
    Setting("GEOCODER_EMAIL", "Contact e-mail sent with every geocoder request (Nominatim's `email` parameter).", ""),
    Setting("GEOCODER_MIN_DELAY", "Least time between two geocoder requests, in seconds.", 1.0, float),
    Setting("GEOCODER_TIMEOUT", "Seconds to wait for one geocoder answer.", 10.0, float),
    Setting("GEOCODER_RETRIES", "Retries of a request that failed with 5xx, 429 or a timeout.", 2, int),
    Setting("GEOCODER_BACKOFF", "Seconds before the first retry; each next one waits twice as long.", 2.0, float),
    Setting("GEOCODER_FAILURE_DAYS", "Days an address the geocoder failed on is not asked again "
            "(`navigator geocode --retry-failed` asks at once).", 7.0, float),
    Setting("BOUNDARIES_FILE", "GeoJSON of the region's municipalities (property `name`): geocoder answers outside "
            "them are rejected. Default: data/geo/municipalities.geojson; empty: no check."),
    Setting("GAZETTEER_FILE", "CSV of the region's settlements (name,kind,municipality,lat,lon,population,source) "
            "for offline geocoding. Default: data/geo/settlements.csv."),
    Setting("CITY_DISTRICTS_FILE", "CSV of city districts' centres (municipality,district,lat,lon). "
            "Default: data/geo/city_districts.csv."),
    Setting("MAP_BOUNDARIES_FILE", "GeoJSON of the municipalities simplified for the web (property `name`), drawn "
            "by the coverage map. Default: data/geo/municipalities_web.geojson; empty: no choropleth."),
    Setting("POPULATION_FILE", "CSV of children aged 5–18 per municipality with source, year and estimate method "
            "(docs/coverage.md), for seats per 1,000 children. Default: data/population.csv; empty: none."),
    Setting("HSDS_STATE_PROVINCE", "The region's name as HSDS addresses give it (`state_province` of the HSDS "
            "export and /hsds/ API).", "Кемеровская область — Кузбасс"),
    Setting("HSDS_COUNTRY", "Country of the HSDS addresses, an ISO 3166-1 alpha-2 code.", "RU"),
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
    for name, default in GEO_FILES.items():
        values[name] = _project_file(values[name], default)
    values["MAX_CONTENT_LENGTH"] = values["UPLOAD_MAX_MB"] * 1024 * 1024  # Flask answers 413 above it
    values["BASE_URL"], values["TRUSTED_HOSTS"] = _site_address(values)
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _stored_secret(instance_path, SECRET_KEY_FILE, lambda: secrets.token_hex(32))
    if not values["ENROLLMENT_KEY"]:
        values["ENROLLMENT_KEY"] = _stored_secret(instance_path, ENROLLMENT_KEY_FILE, _fernet_key)
    return values


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names it and says what it needs."""


def _site_address(values: Mapping[str, Any]) -> tuple[str, list[str] | None]:
    """BASE_URL checked (and required in production) without its trailing slash; the trusted hosts (Flask's
    TRUSTED_HOSTS: None answers any host)."""
    base = (values["BASE_URL"] or "").strip().rstrip("/")
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SettingsError(f"NAVIGATOR_BASE_URL must be the site's address, like https://navigator.example, "
                                f"not {base!r}")
    elif values["PRODUCTION"]:
        raise SettingsError("NAVIGATOR_BASE_URL is required in production (NAVIGATOR_PRODUCTION, which `make serve` "
                            "sets): the site's public address, like https://navigator.example. Every absolute link "
                            "(e-mails to parents, password-set links, canonical links, the API documents) is made "
                            "from it, never from a request's Host header.")
    hosts = values["TRUSTED_HOSTS"]
    if isinstance(hosts, str):  # from the instance file
        hosts = hosts.replace(",", " ").split()
    if not hosts and values["PRODUCTION"]:
        hosts = [urlsplit(base).hostname]
    return base, list(hosts) if hosts else None


def _project_file(value: str | None, default: str) -> str:
    """None means the bundled file; a relative path is taken from the project root; empty stays empty (none)."""
    if value is None:
        value = default
    return str(PROJECT_ROOT / value) if value else ""


def _instance_file(instance_path: Path) -> dict[str, Any]:
    path = instance_path / INSTANCE_CONFIG_FILE
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 — admin-owned file
    known = {setting.name for setting in SETTINGS}
    return {key: value for key, value in namespace.items() if key in known}


def _fernet_key() -> str:
    """A new Fernet key: 32 random bytes, URL-safe base64 (as cryptography's Fernet.generate_key makes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _stored_secret(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """Read an instance secret, creating it (readable by the owner only) on first run."""
    path = instance_path / name
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by another process
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(make())
    return path.read_text().strip()
