"""Admin pages (/admin): accounts — create one (with its one-time password-set link), issue a new
link, switch an account off or on — and the sign-in log. The same work as `navigator create-account` from the CLI."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectChoice, SelectField, SelectMultipleField, StringField

from navigator.accounts.auth import roles_required
from navigator.accounts.mail import send_password_link
from navigator.accounts.models import ROLES, Account
from navigator.accounts.registry import (
    ROLE_LABELS,
    AccountError,
    create_account,
    end_sessions,
    issue_password_link,
    list_accounts,
    password_link,
    recent_sign_ins,
)
from navigator.catalogue.models import Municipality
from navigator.enrollment.statistics import access_log as access_entries
from navigator.extensions import db_session
from navigator.views.common.forms import ReasonForm
from navigator.views.common.links import site_base

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.before_request(roles_required("admin"))


class AccountForm(FlaskForm):
    email = EmailField("Электронная почта")
    role = SelectField("Роль", choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
    organizations = StringField("Коды организаций (для роли «организация»), через запятую или пробел")
    municipalities = SelectMultipleField("Муниципалитеты (для роли «муниципалитет»)", validate_choice=False)


def _account_form() -> AccountForm:
    form = AccountForm()
    form.municipalities.choices = [SelectChoice(name) for name in
                                   db_session().scalars(select(Municipality.name).order_by(Municipality.name))]
    return form


def _page(form: AccountForm, *, problem: str | None = None, link: dict | None = None, status: int = 200):
    return render_template("admin/accounts.html", accounts=list_accounts(db_session()), form=form,
                           action_form=ReasonForm(), role_labels=ROLE_LABELS, problem=problem, link=link), status


def _link_for(account: Account) -> dict:
    """Issue a password-set link, e-mail it when mail is configured, and describe it for the page."""
    token = issue_password_link(account, current_app.config["PASSWORD_LINK_HOURS"])
    db_session().commit()
    url = password_link(site_base(), token)  # from NAVIGATOR_BASE_URL, never from the Host header in production
    mailed = send_password_link(current_app.config, account.email, url)
    return {"email": account.email, "url": url, "mailed": mailed, "hours": current_app.config["PASSWORD_LINK_HOURS"]}


@blueprint.get("")
def index():
    """Every account, and the form for a new one."""
    return _page(_account_form())


@blueprint.get("/sign-ins")
def sign_ins():
    """The sign-in log: the latest log-in attempts with e-mail, address and outcome (never a password)."""
    return render_template("admin/sign_ins.html", attempts=recent_sign_ins(db_session()))


@blueprint.post("/accounts")
def create():
    """Create an account and show its one-time link."""
    form = _account_form()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        account = create_account(session, form.email.data or "", form.role.data,
                                 organizations=re.split(r"[\s,;]+", form.organizations.data or ""),
                                 municipalities=form.municipalities.data or [])
    except AccountError as problem:
        session.rollback()
        return _page(form, problem=str(problem), status=422)
    return _page(_account_form(), link=_link_for(account))


def _managed_account(account_id: int) -> Account:
    account = db_session().get(Account, account_id)
    if account is None:
        abort(404)
    return account


@blueprint.post("/accounts/<int:account_id>/link")
def new_link(account_id: int):
    """A new one-time password-set link (a forgotten password); the previous link stops working."""
    account = _managed_account(account_id)
    if not ReasonForm().validate_on_submit():
        abort(400)
    return _page(_account_form(), link=_link_for(account))


@blueprint.post("/accounts/<int:account_id>/active")
def toggle_active(account_id: int):
    """Switch an account off (it is signed out at once) or back on."""
    account = _managed_account(account_id)
    if not ReasonForm().validate_on_submit():
        abort(400)
    if account.id == current_user.id:
        return _page(_account_form(), problem="Нельзя отключить собственную учётную запись.", status=422)
    account.active = not account.active
    end_sessions(account)  # switching it back on must not revive old cookies
    db_session().commit()
    return _page(_account_form())


@blueprint.get("/access-log")
def access_log():
    """Who viewed which application's personal data, and when (newest first)."""
    return render_template("admin/access_log.html", entries=access_entries(db_session()))
