"""Blueprints, one per audience, plus the JSON API."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from navigator.views import api, coverage, errors, freshness, health, hsds, public, site

    site.init_site(app)
    freshness.init_freshness(app)
    errors.register_error_handlers(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(coverage.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(hsds.blueprint)
    # The same HSDS API beside ours, where our OpenAPI document (one server, /api/v1) lists it.
    app.register_blueprint(hsds.blueprint, url_prefix="/api/v1/hsds", name="hsds_api")

    from navigator.views import admin, auth, enrollment, municipal, provider

    for blueprint in (auth.blueprint, provider.blueprint, *enrollment.BLUEPRINTS, municipal.blueprint,
                      admin.blueprint):
        app.register_blueprint(blueprint)
