"""Municipal staff (/municipal): the moderation queue, their municipality's programs with history,
archiving with a reason. Admins see every municipality. Objects outside the account's
municipalities are 404, whatever the URL says.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from navigator.accounts import access
from navigator.accounts.auth import roles_required
from navigator.accounts.cabinet import PROGRAM_STATE_LABELS, municipal_programs, queue
from navigator.accounts.moderation import (
    EVENT_LABELS,
    ModerationError,
    RecordInvalid,
    approve,
    archive_program,
    history,
    open_revision,
    return_revision,
    snapshot,
)
from navigator.catalogue import russian
from navigator.catalogue.paging import MAX_PAGE
from navigator.catalogue.program_rows import FIELD_LABELS, differences
from navigator.catalogue.vocab import PROGRAM_STATUSES
from navigator.db import committing
from navigator.enrollment.statistics import municipal_counts
from navigator.extensions import db_session
from navigator.geocoding import geocoding_for
from navigator.views.common.forms import ReasonForm
from navigator.views.enrollment import support as enrollment_support

blueprint = Blueprint("municipal", __name__, url_prefix="/municipal")
blueprint.before_request(roles_required("municipal", "admin"))


def _account():
    return current_user._get_current_object()


@blueprint.get("")
def index():
    """Changes waiting for a decision, oldest first."""
    return render_template("municipal/queue.html", page=queue(db_session(), _account(), _page_number()))


@blueprint.get("/applications")
def applications():
    """Applications counted per municipality and organization: never a name or a contact."""
    account = _account()
    ids = None if account.role == "admin" else [m.id for m in account.municipalities]
    counts = municipal_counts(db_session(), ids, enrollment_support.today())
    return render_template("municipal/applications.html", counts=counts)


@blueprint.get("/revisions/<int:revision_id>")
def revision(revision_id: int):
    """A waiting change: what would change, field by field, against the published version."""
    found = access.moderated_revision(db_session(), _account(), revision_id) or abort(404)
    published = snapshot(found.program) if found.program else {}
    proposed = {**found.record, "status": PROGRAM_STATUSES.label("active")}
    return render_template("municipal/revision.html", revision=found, changes=differences(published, proposed),
                           labels=FIELD_LABELS, form=ReasonForm())


@blueprint.post("/revisions/<int:revision_id>/approve")
def approve_revision(revision_id: int):
    """Publish the change; search shows it as soon as this commits."""
    session = db_session()
    found = access.moderated_revision(session, _account(), revision_id) or abort(404)
    if not ReasonForm().validate_on_submit():
        abort(400)
    try:
        with committing(session):
            program = approve(session, _account(), found, geocoding_for(current_app.config))
    except (ModerationError, RecordInvalid) as refused:
        message = str(refused) if isinstance(refused, ModerationError) else "; ".join(
            error.describe() for error in refused.errors)
        flash(f"Не удалось опубликовать: {message}", "error")
        return redirect(url_for("municipal.revision", revision_id=revision_id))
    flash(f"{russian.quoted(program.title)} опубликована.", "status")
    return redirect(url_for("municipal.index"))


@blueprint.post("/revisions/<int:revision_id>/return")
def return_to_provider(revision_id: int):
    """Send the change back with what to fix."""
    session = db_session()
    found = access.moderated_revision(session, _account(), revision_id) or abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with committing(session):
            return_revision(session, _account(), found, form.reason.data or "")
    except ModerationError as refused:
        flash(str(refused), "error")
        return redirect(url_for("municipal.revision", revision_id=revision_id))
    flash("Возвращено организации на доработку.", "status")
    return redirect(url_for("municipal.index"))


def _page_number() -> int:
    """The page asked for: a bounded positive integer, or 400 (a huge or odd number must not reach SQL)."""
    text = request.args.get("page", "1").strip() or "1"
    if not re.fullmatch(r"[0-9]{1,6}", text) or not 1 <= int(text) <= MAX_PAGE:
        abort(400, description=f"Номер страницы — целое число от 1 до {MAX_PAGE}, получено «{text[:20]}».")
    return int(text)


@blueprint.get("/programs")
def programs():
    """Every program of the account's municipalities, published and archived."""
    page = municipal_programs(db_session(), _account(), q=request.args.get("q", "").strip(),
                              status=request.args.get("status", ""), page=_page_number())
    return render_template("municipal/programs.html", page=page, q=request.args.get("q", ""),
                           status=request.args.get("status", ""), statuses=PROGRAM_STATE_LABELS)


@blueprint.get("/programs/<public_id>")
def program(public_id: str):
    """A program with its history: who changed what and when."""
    session = db_session()
    found = access.moderated_program(session, _account(), public_id) or abort(404)
    return render_template("municipal/program.html", program=found, entries=history(session, found),
                           waiting=open_revision(session, found), labels=FIELD_LABELS, events=EVENT_LABELS,
                           form=ReasonForm())


@blueprint.post("/programs/<public_id>/archive")
def archive(public_id: str):
    """Take a program out of search at once, with the reason recorded in its history."""
    session = db_session()
    found = access.moderated_program(session, _account(), public_id) or abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    if not (form.reason.data or "").strip():
        flash("Укажите причину переноса в архив.", "error")
    else:
        with committing(session):
            archived = archive_program(session, _account(), found, form.reason.data)
        if archived:
            flash(f"{russian.quoted(found.title)} перенесена в архив.", "status")
    return redirect(url_for("municipal.program", public_id=public_id))
