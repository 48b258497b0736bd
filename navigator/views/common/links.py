"""Absolute links: made from NAVIGATOR_BASE_URL, never from a request's Host header, and the refusal of a
request for a host the site does not serve.

A link that leaves the page — in an e-mail to a parent, a password-set link, the canonical link, JSON-LD,
the API documents — must point at the site whoever asked: built from the Host header, a request sent with
`Host: evil.example` made the site mail a parent a link to another site with her status token in it. In
production NAVIGATOR_BASE_URL is required (navigator/config.py); in development, without it, links are made
from the address the request came to, which is where the developer's browser is.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, jsonify, request, url_for
from werkzeug.exceptions import SecurityError

#: What a request for a host the site does not serve is told (before any page could be rendered for it).
UNTRUSTED_HOST = ("Неверный запрос: сайт не отвечает на этот адрес (заголовок Host). Откройте его по "
                  "основному адресу.")


def site_base() -> str:
    """The address links start with: NAVIGATOR_BASE_URL, or (development, unset) this request's own address."""
    base = current_app.config["BASE_URL"]
    if base or not has_request_context():
        return base
    return request.host_url.rstrip("/") + request.script_root


def absolute_url(endpoint: str, **values) -> str:
    """url_for with the site's address in front (url_for's own path keeps the request's path prefix out)."""
    path = url_for(endpoint, **values)
    if has_request_context():
        path = path.removeprefix(request.script_root)
    return site_base() + path


def _refuse_untrusted_host():
    """A Host outside NAVIGATOR_TRUSTED_HOSTS: 400 in plain words. Flask found it while matching the URL and
    left no URL adapter, so no page of the site (which builds links) can be rendered for it."""
    if isinstance(request.routing_exception, SecurityError):
        if request.path.startswith(("/api/", "/hsds/")):
            return jsonify({"error": {"status": 400, "message": UNTRUSTED_HOST}}), 400
        return current_app.response_class(UNTRUSTED_HOST + "\n", 400, content_type="text/plain; charset=utf-8")
    return None


def init_links(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)  # before anything reads the host
    app.add_template_global(absolute_url, "absolute_url")
