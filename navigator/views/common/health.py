"""Health checks for a load balancer: /healthz (the process answers) and /readyz (it can serve correctly)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from navigator.catalogue.changes import latest_sequence, pending_since
from navigator.catalogue.models import utcnow
from navigator.extensions import db_session, search_index
from navigator.search import IndexUnavailable

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """The process is alive and answering (nothing else is checked: a restart would not help otherwise)."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz():
    """Ready when the database answers, the index opens and it is at most READY_MAX_LAG seconds behind.

    The change sequences stay inside: anyone may ask, and the sequence grows with every application sent,
    accepted or withdrawn, so it would count the site's applications; the lag in seconds says what matters.
    """
    checks: dict[str, str] = {}
    body: dict = {"checks": checks}
    try:
        session = db_session()
        latest_sequence(session)  # the database answers
        checks["database"] = "ok"
    except SQLAlchemyError as problem:
        checks["database"] = f"unreachable: {type(problem).__name__}"
        session = None
    index = search_index()
    try:
        index.warm()
        applied = index.applied_sequence()
        checks["index"] = "ok"
    except IndexUnavailable as problem:
        checks["index"] = str(problem)
        applied = None
    if session is not None and applied is not None:
        behind_since = pending_since(session, applied)
        lag = (utcnow() - behind_since).total_seconds() if behind_since else 0.0
        body["index_lag_s"] = round(max(lag, 0.0), 3)
        if lag > current_app.config["READY_MAX_LAG"]:
            checks["index"] = f"behind by {lag:.1f} s"
    ready = all(value == "ok" for value in checks.values())
    body["status"] = "ok" if ready else "unavailable"
    return jsonify(body), 200 if ready else 503
