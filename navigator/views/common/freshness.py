"""Conditional requests for anonymous pages: an ETag made from what the page depends on, and a 304 without
rendering when the visitor's copy is still right.

A public page depends on the catalogue (the outbox sequence the database is at, and the one the index
has applied), the address, the low-vision settings, the address its links start with and the code. All of
that is known before rendering, so a revalidation costs two cheap reads instead of a search and a page.
Pages for a signed-in person (or a visitor with a session, e.g. a flash message waiting) are never tagged.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, current_app, g, make_response, request

from navigator.catalogue.changes import recent_sequence
from navigator.extensions import db_session, search_index
from navigator.search import IndexUnavailable
from navigator.views.common.links import site_base

TAGGED_BLUEPRINTS = frozenset({"public", "coverage", "enrollment"})
#: Pages of one person's application, which change without a catalogue change and must never be revalidated
#: from a shared basis: the form (its CSRF token and fill-time stamp) and the private status page.
UNTAGGED_ENDPOINTS = frozenset({"enrollment.apply", "enrollment.status"})
_CODE_TAG = "navigator.code_tag"


def init_freshness(app: Flask) -> None:
    app.extensions[_CODE_TAG] = _code_tag(Path(app.root_path).parent)
    app.before_request(_answer_unchanged)
    app.after_request(_tag_response)


def _code_tag(root: Path) -> str:
    """Changes when the code, templates or static files change (a deployment), the same in every worker."""
    latest = max((entry.stat().st_mtime_ns for folder in ("navigator", "templates", "static")
                  for entry in _files(root / folder)), default=0)
    return str(latest)


def _files(folder: Path):
    for directory, _folders, files in os.walk(folder):
        for name in files:
            yield Path(directory) / name


def _page_tag() -> str | None:
    if request.method not in ("GET", "HEAD") or request.blueprint not in TAGGED_BLUEPRINTS:
        return None
    if request.endpoint in UNTAGGED_ENDPOINTS:
        return None
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return None
    try:
        applied = search_index().applied_sequence()
    except IndexUnavailable:
        return None
    cookies = sorted((name, value) for name, value in request.cookies.items() if name.startswith("low_vision"))
    # The address links start with (canonical, JSON-LD): NAVIGATOR_BASE_URL, so the Host header changes nothing
    # in the body; in development without it the request's own address, which then belongs in the tag.
    basis = repr((current_app.extensions[_CODE_TAG], recent_sequence(db_session()), applied, request.full_path,
                  cookies, site_base()))
    return hashlib.blake2b(basis.encode(), digest_size=12).hexdigest()


def _answer_unchanged():
    tag = g.page_tag = _page_tag()
    if tag is not None and tag in request.if_none_match:
        response = make_response("", 304)
        response.set_etag(tag)
        return response
    return None


def _tag_response(response):
    tag = g.get("page_tag")
    if tag is not None and response.status_code == 200:
        response.set_etag(tag)
        response.headers["Cache-Control"] = "no-cache"  # may be kept, but asked about again each time
    return response
