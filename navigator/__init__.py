"""Navigator: search and map of children's additional education programs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

from navigator import config
from navigator.extensions import init_database, init_search


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: settings, database, blueprints, error pages and CLI commands."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True, instance_path=instance_path)
    app.config.update(config.load(Path(app.instance_path), os.environ, test_config))
    if app.config["BEHIND_PROXY"]:  # the client's address and scheme as the one proxy in front saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    init_database(app)
    init_search(app)
    # Text responses compressed for clients that accept it (a search page with thousands of map points
    # shrinks about fivefold): the site stays light without relying on a proxy being set up for it.
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/csv", "application/json",
                                                 "application/javascript", "text/javascript", "image/svg+xml",
                                                 "application/geo+json"])
    # Streamed responses (static files) are left alone: compressing them would read the file without closing
    # it; they are cached by browsers, and a proxy in front may compress them (deployment.md).
    app.config.setdefault("COMPRESS_STREAMS", False)
    # gzip level 4, not 6: a 48 KB search page takes 0.3 ms instead of 0.7 ms and comes out 5 % larger.
    app.config.setdefault("COMPRESS_LEVEL", 4)
    Compress(app)

    from navigator import cli
    from navigator.accounts.auth import init_auth
    from navigator.serving.access_log import mask_private_paths
    from navigator.views import register_views

    init_auth(app)
    register_views(app)
    mask_private_paths()  # no status or password-set token in the access log
    cli.register(app)
    return app
