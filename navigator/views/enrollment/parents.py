"""Parents' side of an application: the form (/programs/<id>/apply), the private status page
(/applications/<token>), withdrawal, and this device's list «Мои заявки» (/applications).

No account is needed: the status page is reached by its random token only. The form is throttled per client
and per program (Flask-Limiter); a throttled post shows the form again with a 429 instead of an error page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from navigator.accounts.auth import limiter
from navigator.catalogue.programs import find_program
from navigator.enrollment import queue
from navigator.enrollment.intake import IntakeInvalid, check, clean
from navigator.extensions import db_session
from navigator.views.enrollment import support

blueprint = Blueprint("enrollment", __name__)


def _apply_page(program, *, errors=None, problem=None, status=200):
    """The form, filled again with what was sent (cleaned), its fill-time stamp kept."""
    shown = {name: clean(value, multiline=name == "comment") for name, value in request.form.items()}
    return render_template("enrollment/apply.html", program=program, errors=errors or {}, problem=problem,
                           form=shown, started=support.form_stamp(program.public_id, request.form.get("started")),
                           year=support.today().year), status


def _apply_throttled(_limit):
    program = find_program(db_session(), request.view_args["public_id"]) or abort(429)
    return current_app.make_response(_apply_page(program, status=429, problem=(
        "С этого адреса или на эту программу только что отправили много заявок. Подождите немного и "
        "отправьте ещё раз — или позвоните в организацию.")))


def _program_key() -> str:
    return "program:" + request.view_args["public_id"]


@blueprint.route("/programs/<public_id>/apply", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ENROLLMENT_LIMIT_CLIENT"], methods=["POST"], scope="apply-client",
               on_breach=_apply_throttled)
@limiter.limit(lambda: current_app.config["ENROLLMENT_LIMIT_PROGRAM"], key_func=_program_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 303, scope="apply-program",
               on_breach=_apply_throttled)
def apply(public_id: str):
    """The application form; a valid application with consent is stored and the parent sent to its status page."""
    session = db_session()
    found = find_program(session, public_id)
    if found is None or found.status != "active":
        abort(404, description=f"Программы с кодом «{public_id}» нет в каталоге.")
    if not found.takes_applications:
        return redirect(url_for("public.program", public_id=public_id))
    if request.method == "GET":
        return _apply_page(found)
    try:
        intake = check(request.form, found.age_min, found.age_max, support.today().year)
        if support.looks_automated(request.form, public_id):
            return _apply_page(found, status=422, problem="Заявка не отправлена: форма заполнена слишком быстро "
                               "или не полностью. Проверьте поля и отправьте ещё раз.")
        application, token = queue.submit(session, support.sealer(), found, intake, support.answer_days(),
                                          support.today())
    except IntakeInvalid as invalid:
        return _apply_page(found, errors=invalid.errors, status=422)
    except queue.EnrollmentError as refused:
        session.rollback()
        return _apply_page(found, problem=str(refused), status=409)
    session.commit()
    support.tell([application])
    return redirect(url_for("enrollment.status", token=token), 303)


def _application(token: str):
    """The application of this status token, or 404."""
    found = queue.find_by_token(db_session(), token)
    if found is None:
        abort(404, description="Заявки по этой ссылке нет. Проверьте ссылку из письма.")
    return found


@blueprint.get("/applications/<token>")
def status(token: str):
    """The parent's private status page: state, answer date, place in the waiting list, withdrawal."""
    found = _application(token)
    personal = support.sealer().open(found.personal)
    response = current_app.make_response(render_template(
        "enrollment/status.html", application=found, personal=personal, token=token, today=support.today(),
        position=queue.waitlist_position(db_session(), found), queue=queue.public_queue(db_session(), found.program)))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/applications/<token>/withdraw")
def withdraw(token: str):
    """Withdraw the application; its personal fields are erased at once, an accepted place goes to the next."""
    session = db_session()
    found = _application(token)
    offered = queue.withdraw(session, found, support.answer_days(), support.today())
    session.commit()
    support.tell(offered)
    return redirect(url_for("enrollment.status", token=token), 303)


@blueprint.get("/applications")
def my_applications():
    """This device's applications: the list lives in the browser (localStorage), the server keeps none."""
    return render_template("enrollment/my_applications.html")
