"""Parents' side of an application: the form (/programs/<id>/apply), the private status page
(/applications/<token>), withdrawal, and this device's list «Мои заявки» (/applications).

No account is needed: the status page is reached by its random token only. The form is throttled per client
(Flask-Limiter; a throttled post shows the form again with a 429 instead of an error page); its stamp is
single-use and expires, and a flood aimed at one program is held out of the public queue instead of locking
its parents out (flood.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from navigator.accounts.auth import CSRF_MESSAGE, limiter
from navigator.catalogue.programs import find_program
from navigator.enrollment import queue
from navigator.enrollment.intake import IntakeInvalid, check, clean
from navigator.extensions import db_session
from navigator.views.common.errors import error_response
from navigator.views.enrollment import flood, support

blueprint = Blueprint("enrollment", __name__)


#: A send its stamp refused: (status, what the parent reads above the form, filled again).
_REFUSED = {
    flood.AUTOMATED: (422, "Заявка не отправлена: форма заполнена слишком быстро или не полностью. Проверьте поля и "
                           "отправьте ещё раз."),
    flood.STALE: (409, "Заявка не отправлена: форма была открыта слишком давно и устарела. Введённое сохранено — "
                       "проверьте его и нажмите «Отправить заявку» ещё раз."),
    flood.SPENT: (409, "Заявка не отправлена: эта форма уже была отправлена (может быть, кнопку нажали дважды). "
                       "Отправленные заявки — в «Мои заявки». Если это новая заявка, проверьте введённое и "
                       "нажмите «Отправить заявку» ещё раз."),
}


def _apply_page(program, *, errors=None, problem=None, status=200, fresh_stamp=False):
    """The form, filled again with what was sent (cleaned), its fill-time stamp kept while it can still be sent."""
    shown = {name: clean(value, multiline=name == "comment") for name, value in request.form.items()}
    stamp = flood.form_stamp(program.public_id, None if fresh_stamp else request.form.get("started"))
    return render_template("enrollment/apply.html", program=program, errors=errors or {}, problem=problem,
                           form=shown, started=stamp, year=support.today().year), status


def _apply_throttled(_limit):
    program = find_program(db_session(), request.view_args["public_id"]) or abort(429)
    return current_app.make_response(_apply_page(program, status=429, problem=(
        "С этого адреса только что отправили много заявок. Подождите немного и отправьте ещё раз — или "
        "позвоните в организацию.")))


@blueprint.errorhandler(CSRFError)
def _form_expired(_error: CSRFError):
    """The form's CSRF token outlived its hour (or the session ended): the parent gets the form back, filled,
    with a fresh token and stamp, as for a stale stamp — not a dead end. Other forms: the site's usual page."""
    if request.endpoint == "enrollment.apply":
        program = find_program(db_session(), request.view_args["public_id"])
        if program is not None and program.status == "active":
            return current_app.make_response(_apply_page(program, status=400, problem=_REFUSED[flood.STALE][1],
                                                         fresh_stamp=True))
    return error_response(400, CSRF_MESSAGE)


@blueprint.route("/programs/<public_id>/apply", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ENROLLMENT_LIMIT_CLIENT"], methods=["POST"], scope="apply-client",
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
        verdict = flood.check_stamp(request.form, public_id)  # spends the stamp when it passes
        if verdict != flood.PASSED:
            status, problem = _REFUSED[verdict]
            return _apply_page(found, status=status, problem=problem, fresh_stamp=verdict == flood.SPENT)
        application, token = queue.submit(session, support.sealer(), found, intake, support.answer_days(),
                                          support.today(), held=not flood.within_pace(public_id))
    except IntakeInvalid as invalid:
        return _apply_page(found, errors=invalid.errors, status=422)
    except queue.EnrollmentError as refused:
        session.rollback()
        return _apply_page(found, problem=str(refused), status=409, fresh_stamp=True)  # its stamp was spent
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
