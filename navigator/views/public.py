"""Pages for parents."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from navigator.extensions import db_session
from navigator.models import Program

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def index():
    """The search page."""
    total = db_session().scalar(select(func.count()).select_from(Program).where(Program.status == "active"))
    return render_template("public/index.html", total=total)
