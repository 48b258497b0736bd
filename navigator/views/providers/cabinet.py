"""The provider's cabinet (/provider): its organizations' programs, the program form, quick edits,
archiving, and upload of a CSV or XLSX file. Every route requires a provider account, and every object is loaded
through navigator.accounts.access, so another organization's program is a 404 whatever the URL says.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField

from navigator.accounts import access
from navigator.accounts.auth import roles_required
from navigator.accounts.cabinet import organization_page
from navigator.accounts.moderation import (
    ModerationError,
    RecordInvalid,
    archive_program,
    open_revision,
    quick_edit,
    save_revision,
    withdraw,
)
from navigator.accounts.provider_upload import (
    confirm_upload,
    discard_upload,
    load_upload,
    preview_upload,
    store_upload,
    upload_problem,
)
from navigator.catalogue import russian
from navigator.catalogue.models import Municipality
from navigator.catalogue.paging import forgiving_page_number
from navigator.catalogue.program_rows import blank_row, program_row
from navigator.db import committing
from navigator.enrollment.queue import offer_free_places
from navigator.extensions import db_session
from navigator.geocoding import geocoding_for
from navigator.views.common.forms import ReasonForm
from navigator.views.common.pin_map import pin_map
from navigator.views.enrollment import support as enrollment
from navigator.views.providers.program_form import QuickEditForm, fill, program_form, row_from, show_errors

blueprint = Blueprint("provider", __name__, url_prefix="/provider")
blueprint.before_request(roles_required("provider"))


def _account():
    return current_user._get_current_object()


def _moderation() -> bool:
    return bool(current_app.config["MODERATION"])


@blueprint.get("")
def index():
    """One organization's programs, a page at a time, with their states, free places and last update."""
    organizations = sorted(_account().organizations, key=lambda organization: organization.name)
    if not organizations:
        return render_template("provider/index.html", organization=None, organizations=[], notices=[])
    asked = request.args.get("organization", "")
    organization = next((o for o in organizations if o.public_id == asked), organizations[0])
    notices = ["Такой организации в вашем кабинете нет: показана первая."] if asked and \
        organization.public_id != asked else []
    number, notice = forgiving_page_number(request.args.get("page"))
    page = organization_page(db_session(), organization, number)
    if notice or page.page < number:
        notices.append(notice or f"Страницы {number} нет: показана последняя, {page.page}-я.")
    return render_template("provider/index.html", organization=organization, organizations=organizations,
                           page=page, notices=notices, quick_form=QuickEditForm(), action_form=ReasonForm(),
                           moderation=_moderation())


def _municipality_names() -> list[str]:
    return list(db_session().scalars(select(Municipality.name).order_by(Municipality.name)))


def _edit(organization, row, *, program=None, revision=None):
    """Show the form with row (GET) or save what was posted: a draft, or submitted for approval."""
    session = db_session()
    venues = access.provider_venues(session, _account(), organization)
    form = program_form(venues, _municipality_names(), moderation=_moderation())
    problems = []
    if not form.is_submitted():
        fill(form, row, venues)
    elif form.validate():
        try:
            with committing(session):
                saved = save_revision(session, _account(), organization, row_from(form, venues), program=program,
                                      revision=revision, submit=bool(form.submit.data), moderation=_moderation(),
                                      geocoding=geocoding_for(current_app.config))
        except RecordInvalid as invalid:
            problems = show_errors(form, invalid.errors)
        except ModerationError as refused:
            problems = [str(refused)]
        else:
            flash(_saved_message(saved.state), "status")
            return redirect(url_for("provider.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("provider/program_form.html", form=form, organization=organization, program=program,
                           revision=revision, problems=problems, venues=venues, moderation=_moderation(),
                           pin_map=pin_map()), status


def _saved_message(state: str) -> str:
    return {"draft": "Черновик сохранён.", "pending": "Отправлено на проверку специалисту муниципалитета.",
            "approved": "Опубликовано."}.get(state, "Сохранено.")


@blueprint.route("/organizations/<public_id>/programs/new", methods=["GET", "POST"])
def new_program(public_id: str):
    """A new program of one of the provider's organizations."""
    organization = access.provider_organization(db_session(), _account(), public_id) or abort(404)
    return _edit(organization, blank_row(organization))


@blueprint.route("/programs/<public_id>/edit", methods=["GET", "POST"])
def edit_program(public_id: str):
    """Change a published (or archived) program; the change waits for approval, the program stays as it is."""
    session = db_session()
    program = access.provider_program(session, _account(), public_id) or abort(404)
    pending = open_revision(session, program)
    row = pending.record if pending else program_row(program)
    return _edit(program.organization, row, program=program, revision=pending)


@blueprint.route("/revisions/<int:revision_id>", methods=["GET", "POST"])
def edit_revision(revision_id: int):
    """Continue a new program that is not published yet (a draft, waiting, or returned with a comment)."""
    session = db_session()
    revision = access.provider_revision(session, _account(), revision_id) or abort(404)
    if revision.state not in ("draft", "pending", "returned"):
        abort(404)
    if revision.program is not None:
        return redirect(url_for("provider.edit_program", public_id=revision.program.public_id))
    return _edit(revision.organization, revision.record, revision=revision)


@blueprint.post("/revisions/<int:revision_id>/withdraw")
def withdraw_revision(revision_id: int):
    """Discard a draft or a change not yet approved."""
    session = db_session()
    revision = access.provider_revision(session, _account(), revision_id) or abort(404)
    if ReasonForm().validate_on_submit():
        try:
            with committing(session):
                withdraw(session, _account(), revision)
        except ModerationError as refused:
            abort(409, description=str(refused))
        flash("Черновик удалён.", "status")
    return redirect(url_for("provider.index"))


@blueprint.post("/programs/<public_id>/quick")
def quick(public_id: str):
    """Correct free places and the schedule straight from the list: they apply at once."""
    session = db_session()
    program = access.provider_program(session, _account(), public_id) or abort(404)
    form = QuickEditForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with committing(session):
            quick_edit(session, _account(), program, {name: form[name].data for name in ("seats_total", "seats_free",
                                                                                         "schedule")})
            # More seats offer places to the waiting list, in the same transaction as the save.
            offered = offer_free_places(session, program, enrollment.answer_days(), enrollment.today())
    except RecordInvalid as invalid:
        for error in invalid.errors:
            flash(f"{russian.quoted(program.title)}: {error.describe()}", "error")
        return _back_to_list(program)
    if offered:
        enrollment.tell(offered)
    flash(f"{russian.quoted(program.title)}: изменения сохранены и уже видны в поиске.", "status")
    return _back_to_list(program)


@blueprint.post("/programs/<public_id>/archive")
def archive(public_id: str):
    """Take a program out of search at once."""
    session = db_session()
    program = access.provider_program(session, _account(), public_id) or abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _back_to_list(program)
    with committing(session):
        archived = archive_program(session, _account(), program, form.reason.data or "")
    if archived:
        flash(f"{russian.quoted(program.title)} перенесена в архив и больше не показывается в поиске.", "status")
    return _back_to_list(program)


def _back_to_list(program):
    """Back to the page of the list the action was taken on (the forms of the list send their page)."""
    page, _notice = forgiving_page_number(request.form.get("page"))
    return redirect(url_for("provider.index", organization=program.organization.public_id,
                            page=page if page > 1 else None))


class UploadForm(FlaskForm):
    file = FileField("Файл CSV или Excel (.xlsx) в формате data/programs.csv")
    archive_missing = BooleanField("Перенести в архив опубликованные программы, которых нет в файле")


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


@blueprint.route("/upload", methods=["GET", "POST"])
def upload():
    """Upload a CSV or XLSX of the organizations' programs; nothing changes until the preview is confirmed."""
    form = UploadForm()
    if form.validate_on_submit():
        data = request.files["file"].read() if "file" in request.files else b""
        name = (request.files["file"].filename if "file" in request.files else "") or "file.csv"
        problem = upload_problem(data, current_app.config["UPLOAD_MAX_ROWS"], name) if data else "Выберите файл."
        if problem is None:
            token = store_upload(_upload_folder(), _account().id, data, name, bool(form.archive_missing.data))
            return redirect(url_for("provider.upload_preview", token=token))
        form.file.errors = [problem]
    return render_template("provider/upload.html", form=form), 422 if form.is_submitted() else 200


@blueprint.get("/upload/<token>")
def upload_preview(token: str):
    """What the file would create, update and archive — or every error, with its line and column."""
    stored = load_upload(_upload_folder(), token, _account().id) or abort(404)
    preview = preview_upload(db_session(), stored.path, _account().organizations,
                             archive_missing=stored.archive_missing, max_rows=current_app.config["UPLOAD_MAX_ROWS"])
    return render_template("provider/upload_preview.html", stored=stored, preview=preview, form=ReasonForm(),
                           moderation=_moderation())


@blueprint.post("/upload/<token>/confirm")
def upload_confirm(token: str):
    """Apply the previewed file, all rows or none."""
    stored = load_upload(_upload_folder(), token, _account().id) or abort(404)
    if not ReasonForm().validate_on_submit():
        abort(400)
    with committing(db_session()) as session:
        result = confirm_upload(session, _account(), stored.path, _account().organizations,
                                archive_missing=stored.archive_missing, moderation=_moderation(),
                                max_rows=current_app.config["UPLOAD_MAX_ROWS"],
                                geocoding=geocoding_for(current_app.config))
    if not result.ok:
        return redirect(url_for("provider.upload_preview", token=token))
    discard_upload(stored)
    flash(f"Файл принят: новых программ {len(result.created)}, изменённых {len(result.updated)}, "
          f"в архив {len(result.archived)}." + (" Новые и изменённые ждут проверки." if _moderation() else ""),
          "status")
    return redirect(url_for("provider.index"))


@blueprint.post("/upload/<token>/cancel")
def upload_cancel(token: str):
    """Forget an uploaded file without applying it."""
    stored = load_upload(_upload_folder(), token, _account().id) or abort(404)
    if ReasonForm().validate_on_submit():
        discard_upload(stored)
    return redirect(url_for("provider.upload"))
