"""Signing in and out, setting a password from a one-time link, changing it."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from navigator.accounts.auth import limiter, login_email_key, login_limit, signin_log, start_session
from navigator.accounts.registry import (
    AccountError,
    account_for_token,
    authenticate,
    check_password,
    end_sessions,
    record_sign_in,
    set_password,
)
from navigator.extensions import db_session
from navigator.views.common.site import local_path

blueprint = Blueprint("auth", __name__)

REQUIRED = InputRequired(message="Заполните это поле.")
LOGIN_FAILED = "Неверный адрес электронной почты или пароль."
TOO_MANY = "Слишком много неудачных попыток входа. Подождите несколько минут и попробуйте снова."
HOME_BY_ROLE = {"provider": "provider.index", "municipal": "municipal.index", "admin": "admin.index"}


class LoginForm(FlaskForm):
    email = EmailField("Электронная почта", validators=[REQUIRED])
    password = PasswordField("Пароль", validators=[REQUIRED])


class NewPasswordForm(FlaskForm):
    password = PasswordField("Новый пароль", validators=[REQUIRED])
    repeat = PasswordField("Новый пароль ещё раз", validators=[REQUIRED])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Текущий пароль", validators=[REQUIRED])


def home_url(account) -> str:
    return url_for(HOME_BY_ROLE[account.role])


def _too_many(_limit):
    return make_response(render_template("auth/login.html", form=LoginForm(), error=TOO_MANY), 429)


@blueprint.route("/login", methods=["GET", "POST"])
# Every attempt is counted before the password is checked (no deduct_when), so that simultaneous
# attempts cannot all slip under the limit while the first ones are still being checked.
@limiter.limit(login_limit("LOGIN_LIMIT_ACCOUNT"), key_func=login_email_key, methods=["POST"],
               on_breach=_too_many, scope="login-account")
@limiter.limit(login_limit("LOGIN_LIMIT_ADDRESS"), methods=["POST"], on_breach=_too_many, scope="login-address")
def login():
    """The log-in form; the same answer for an unknown e-mail and a wrong password."""
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(db_session(), form.email.data, form.password.data)
        signin_log.info("sign-in %s for %r from %s", "succeeded" if account else "failed", form.email.data,
                        request.remote_addr)
        record_sign_in(db_session(), form.email.data, request.remote_addr, account)
        db_session().commit()
        if account is not None:
            start_session(account)
            return redirect(local_path(request.args.get("next")) or home_url(account))
        return render_template("auth/login.html", form=form, error=LOGIN_FAILED), 401
    return render_template("auth/login.html", form=form, error=None)


@blueprint.post("/logout")
def logout():
    """Sign out (a form post, so another site cannot sign a person out); every copy of the cookie stops working."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
        db_session().commit()
    logout_user()
    session.clear()
    return redirect(url_for("public.index"))


def _new_password(form: NewPasswordForm, account) -> bool:
    """Set the form's new password on the account, or put the reason on the form."""
    if form.password.data != form.repeat.data:
        form.repeat.errors.append("Пароли не совпадают.")
        return False
    try:
        set_password(account, form.password.data)
    except AccountError as problem:
        form.password.errors.append(str(problem))
        return False
    db_session().commit()
    start_session(account)
    return True


@blueprint.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_page(token: str):
    """A new account's (or a reset) one-time link: choose a password, then you are signed in."""
    account = account_for_token(db_session(), token)
    if account is None:
        abort(404, description="Ссылка недействительна или устарела. Попросите администратора прислать новую.")
    form = NewPasswordForm()
    if form.validate_on_submit() and _new_password(form, account):
        return redirect(home_url(account))
    return render_template("auth/set_password.html", form=form, account=account)


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; other sessions of the account end."""
    form, account = ChangePasswordForm(), current_user._get_current_object()
    done = False
    if form.validate_on_submit():
        if not check_password(account, form.current.data):
            form.current.errors.append("Текущий пароль указан неверно.")
        else:
            done = _new_password(form, account)
    return render_template("auth/change_password.html", form=form, done=done)
