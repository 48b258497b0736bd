"""Blueprints grouped by audience and feature: common/ (every page), parents/, enrollment/, providers/, staff/,
api/ (machines). Views are thin: they read the request, call one plain function, commit if they wrote, render."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from navigator.views import enrollment
    from navigator.views.api import hsds, v1
    from navigator.views.common import auth, errors, freshness, health, links, site
    from navigator.views.parents import pages
    from navigator.views.providers import cabinet
    from navigator.views.staff import admin, coverage, municipal

    site.init_site(app)
    links.init_links(app)  # after site: its refusal of a foreign host comes first of all
    freshness.init_freshness(app)
    errors.register_error_handlers(app)
    for blueprint in (health.blueprint, pages.blueprint, coverage.blueprint, v1.blueprint, hsds.blueprint):
        app.register_blueprint(blueprint)
    # The same HSDS API beside ours, where our OpenAPI document (one server, /api/v1) lists it.
    app.register_blueprint(hsds.blueprint, url_prefix="/api/v1/hsds", name="hsds_api")
    for blueprint in (auth.blueprint, cabinet.blueprint, *enrollment.BLUEPRINTS, municipal.blueprint,
                      admin.blueprint):
        app.register_blueprint(blueprint)
