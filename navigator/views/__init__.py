"""Blueprints, one per audience, plus the JSON API."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from navigator.views import api, public

    app.register_blueprint(public.blueprint)
    app.register_blueprint(api.blueprint)
