"""What every page shares: the Content-Security-Policy with a per-request nonce, the low-vision
setting kept in a cookie, Russian formatting filters, and the site's map builder."""

from __future__ import annotations

import functools
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request, url_for
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from navigator.catalogue import russian, vocab
from navigator.catalogue.cards import ProgramCard
from navigator.maps import MapBuilder, Tiles, safe_json, tile_server

LOW_VISION_COOKIE = "low_vision"
#: The largest id a route takes: the database's 32-bit integer keys (a bigger number is simply not found).
MAX_ROUTE_ID = 2**31 - 1
_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f-\x9f\\\u2028\u2029]")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route, bounded so that a 25-digit id is a 404 and never an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROUTE_ID)
        super().__init__(map, *args, **kwargs)


def local_path(target: str | None) -> str | None:
    """The target if it is a plain path on this site, else None (no open redirect).

    Browsers drop tabs and newlines and read a backslash as a slash, so any control character,
    whitespace or backslash refuses the target, as does anything with a scheme or a host.
    """
    if not target or _UNSAFE_IN_PATH.search(target) or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def csp_nonce() -> str:
    """The nonce of this response's inline scripts (the folium map script), made once per request."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, tile_url: str) -> str:
    """Only our own origin, plus images from the tile server; inline scripts only with this nonce."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        f"img-src 'self' data: {tile_server(tile_url)}",  # Leaflet blanks cancelled tiles with a data: GIF
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


#: Only this site may ask for the location (the «near me» button); no other powerful feature is used.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


def low_vision() -> bool:
    """Whether the visitor chose the version for the visually impaired (large type, contrast, no images)."""
    return request.cookies.get(LOW_VISION_COOKIE) == "1"


def map_builder() -> MapBuilder:
    """Maps with the configured tiles and our static files."""
    tiles = Tiles(current_app.config["TILE_URL"], current_app.config["TILE_ATTRIBUTION"])
    return MapBuilder(tiles, lambda path: url_for("static", filename=path))


def script_json(value) -> Markup:
    """JSON for a data block (<script type="application/json"> or JSON-LD), readable and safe inside HTML."""
    return Markup(safe_json(value))


#: Pages that hold one person's data or a one-time secret whoever asks: the application form (filled again with
#: the parent's data when it comes back with a problem), the private status page, the password-set page.
#: No cache, shared or the browser's own, may keep them.
NO_STORE_ENDPOINTS = frozenset({"enrollment.apply", "enrollment.status", "auth.set_password_page"})
#: Pages whose URL holds a secret token: the requests they lead to (their images, styles, forms) say only the
#: site's origin as Referer, so the token is not repeated in another request or in a log. Not no-referrer:
#: Flask-WTF needs a same-origin Referer on HTTPS form posts (the withdrawal, the new password).
TOKEN_ENDPOINTS = frozenset({"enrollment.status", "auth.set_password_page"})
#: What the site's forms send. Every POST route of the site is an HTML form; the JSON API only reads.
FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _form_bodies_only():
    """A body no form of the site sends (JSON, XML, text) is refused with 415 before any view reads it:
    Flask-WTF reads a JSON body as the form's data, and its fields then got numbers and lists (a 500)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype in FORM_BODIES:
        return
    if request.mimetype or request.content_length:
        abort(415, description="Сайт принимает только данные своих форм (application/x-www-form-urlencoded или "
                               "multipart/form-data), а не JSON или другой формат.")


def _secure_headers(response):
    if response.status_code != 304:  # a 304 keeps the stored page's policy, whose nonce its scripts carry
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce(),
                                                                              current_app.config["TILE_URL"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = ("strict-origin" if request.endpoint in TOKEN_ENDPOINTS
                                           else "strict-origin-when-cross-origin")
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    user = g.get("_login_user")  # loaded by every page that is signed in (static files never load it)
    if (user is not None and user.is_authenticated  # a signed-in page may show one-time links or drafts
            or request.endpoint in NO_STORE_ENDPOINTS):
        response.headers["Cache-Control"] = "no-store"
    return response


#: Cards rendered once and kept per worker, newest used first (about 1.5 KB each).
CARDS_KEPT = 4096


def _card_renderer(app: Flask):
    """program_card(...) for every template: the _cards.html macro, its HTML kept for frozen card records.

    Cards were half of a search page's rendering; the same programs come back on many pages. A card's HTML
    depends only on the record (any change in the database makes a new record, so a new key), the
    arguments and the site's path prefix; programs passed as models are rendered every time.
    """
    module = None

    def macro():
        nonlocal module
        if module is None or app.jinja_env.auto_reload:  # a developer editing templates sees each change
            module = app.jinja_env.get_template("public/_cards.html").make_module({"vocab": vocab})
        return module.program_card

    @functools.lru_cache(maxsize=CARDS_KEPT)
    def kept(_script_root, program, distance_km, heading, show_organization, price_max):
        return macro()(program, distance_km, heading, show_organization, price_max)

    def program_card(program, distance_km=None, heading="h3", show_organization=True, price_max=None):
        if isinstance(program, ProgramCard) and not app.jinja_env.auto_reload:
            return kept(request.script_root, program, distance_km, heading, show_organization, price_max)
        return macro()(program, distance_km, heading, show_organization, price_max)

    return program_card


def _template_context():
    return {"csp_nonce": csp_nonce, "low_vision": low_vision(), "vocab": vocab}


def init_site(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _form_bodies_only)  # before CSRF or a limit reads it
    app.after_request(_secure_headers)
    app.context_processor(_template_context)
    app.add_template_filter(russian.ages, "ages")
    app.add_template_filter(russian.seats, "seats")
    app.add_template_filter(russian.rubles, "rubles")
    app.add_template_filter(russian.decimal, "decimal")
    app.add_template_filter(russian.distance, "distance")
    app.add_template_filter(russian.date, "ru_date")
    app.add_template_filter(russian.found, "found")
    app.add_template_filter(russian.quoted, "quoted")
    app.add_template_filter(russian.nested_quotes, "quotes")
    app.add_template_global(russian.count, "count")
    app.add_template_global(_card_renderer(app), "program_card")
    app.add_template_filter(script_json, "script_json")
