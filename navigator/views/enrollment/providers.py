"""Applications in the provider's cabinet (/provider/applications): per program, new first, with the answer
date and the overdue marked; one application with its personal data (each view logged); accept, decline
with a reason, the waiting list, or just taking it in hand (a step of its own: opening an application never
changes its state); whether a program takes applications here at all.

Its own blueprint ("enrollment_cabinet") under /provider with the same guard as the rest of the cabinet
(provider accounts only); an application of another organization is a 404 whatever the URL says.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from navigator.accounts import access
from navigator.accounts.auth import roles_required
from navigator.catalogue import russian
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import Program
from navigator.enrollment import queue
from navigator.enrollment.models import Application
from navigator.extensions import db_session
from navigator.views.common.forms import ReasonForm
from navigator.views.enrollment import support

blueprint = Blueprint("enrollment_cabinet", __name__, url_prefix="/provider")
blueprint.before_request(roles_required("provider"))


def _account():
    return current_user._get_current_object()


def _own(application_id: int) -> Application:
    """The application, if it is to a program of one of the account's organizations (else 404)."""
    application = db_session().get(Application, application_id)
    if application is None or application.program.organization_id not in access.organization_ids(_account()):
        abort(404)
    return application


@blueprint.get("/applications")
def index():
    """Every program of the account's organizations with its applications (no personal data in the list)."""
    session, today = db_session(), support.today()
    programs = [(program, queue.program_rows(session, program, today))
                for organization in _account().organizations
                for program in sorted(organization.programs, key=lambda p: p.title) if program.status == "active"]
    return render_template("enrollment/cabinet_list.html", programs=programs, today=today)


@blueprint.get("/applications/<int:application_id>")
def application(application_id: int):
    """One application with the parent's contacts. The view is logged (a GET whose purpose is to write that
    record); the application's state does not change: «Взять в работу» does that."""
    session = db_session()
    found = _own(application_id)
    personal = queue.view_personal(session, support.sealer(), found, _account())
    session.commit()
    response = render_template("enrollment/cabinet_application.html", application=found, personal=personal,
                               reasons=queue.DECLINE_REASONS, today=support.today(),
                               position=queue.waitlist_position(session, found), form=ReasonForm())
    return response, 200, {"Cache-Control": "no-store"}


def _answer(application_id: int, act, done: str):
    session = db_session()
    found = _own(application_id)
    if not ReasonForm().validate_on_submit():
        abort(400)
    try:
        act(session, found)
    except queue.EnrollmentError as refused:
        session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("enrollment_cabinet.application", application_id=application_id))
    session.commit()
    support.tell([found])
    flash(f"Заявка № {found.id}: {done}." + (" Родителю отправлено письмо." if found.personal else ""), "status")
    return redirect(url_for("enrollment_cabinet.index"))


@blueprint.post("/applications/<int:application_id>/review")
def review(application_id: int):
    """Take a new application in hand: «рассматривается» (the parent sees it, and is e-mailed)."""
    return _answer(application_id, lambda session, found: queue.review(session, found, _account()),
                   "рассматривается")


@blueprint.post("/applications/<int:application_id>/accept")
def accept(application_id: int):
    """Accept: takes a free place."""
    return _answer(application_id, lambda session, found: queue.accept(session, found, _account()), "принята")


@blueprint.post("/applications/<int:application_id>/decline")
def decline(application_id: int):
    """Decline with a reason (from the list, plus free text the parent reads)."""
    return _answer(application_id, lambda session, found: queue.decline(
        session, found, _account(), request.form.get("code", ""), request.form.get("reason", "")), "отказ")


@blueprint.post("/applications/<int:application_id>/waitlist")
def waitlist(application_id: int):
    """Put on the waiting list."""
    return _answer(application_id, lambda session, found: queue.waitlist(session, found, _account()),
                   "в листе ожидания")


@blueprint.post("/programs/<public_id>/applications")
def taking(public_id: str):
    """Turn applications through the site on or off for a program (off: parents are sent to the organization)."""
    session = db_session()
    program: Program = access.provider_program(session, _account(), public_id) or abort(404)
    if not ReasonForm().validate_on_submit():
        abort(400)
    program.takes_applications = request.form.get("open") == "1"
    mark_programs_changed(session, [program.id])
    session.commit()
    flash(f"{russian.quoted(program.title)}: " + ("заявки принимаются на сайте." if program.takes_applications else
                                    "заявки на сайте не принимаются, родители увидят контакты организации."),
          "status")
    return redirect(url_for("enrollment_cabinet.index"))
