"""Sign-in machinery: Flask-Login sessions, CSRF on every form (Flask-WTF), log-in throttling (Flask-Limiter).

The extensions are created here unbound and bound by init_auth(app). The session cookie is HttpOnly
and SameSite=Lax always, and Secure when SESSION_COOKIE_SECURE is set or the request came over HTTPS
(behind a proxy that terminates TLS, the proxy must pass X-Forwarded-Proto and the site trust it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
from collections.abc import Callable

from flask import Flask, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from navigator.accounts.registry import load_account, normalize_email
from navigator.extensions import db_session

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
#: Sign-ins and failures (e-mail, client address, outcome) for the server's log, which the admin reads.
signin_log = logging.getLogger("navigator.signins")

CSRF_MESSAGE = ("Форма устарела или отправлена не с этого сайта (проверка CSRF не пройдена). "
                "Обновите страницу и отправьте форму ещё раз.")


class _HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure on every HTTPS request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _load_user(user_id: str):
    return load_account(db_session(), user_id)


def as_anonymous() -> None:
    """Show the rest of this request as to a visitor who is not signed in: the error page of a database
    that is down must not ask it for the signed-in account (Flask-Login keeps current_user in g)."""
    g._login_user = login_manager.anonymous_user()


def _throttled(error: RateLimitExceeded):
    """The page the limit's on_breach made (the log-in form with its message), not a generic error page."""
    return error.get_response()


def init_auth(app: Flask) -> None:
    """Bind sessions, CSRF protection and the log-in limits to the app."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_HTTPONLY=True,
                      REMEMBER_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["SESSION_MAX_HOURS"]))
    app.before_request(_end_stale_session)
    app.session_interface = _HttpsAwareSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите, чтобы открыть эту страницу."
    login_manager.user_loader(_load_user)
    csrf.init_app(app)
    # Counters live in RATELIMIT_STORAGE_URI (Redis with several workers); if it cannot be reached the
    # site keeps serving and counts in each process's memory until it is back (Flask-Limiter logs it).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+unix://", "unix://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.3, "socket_timeout": 0.3})
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _throttled)


def start_session(account) -> None:
    """Sign the account in on a fresh session (no fixation: a new session and CSRF token), stamped for the timeouts."""
    session.clear()
    login_user(account)
    session["signed_in_at"] = session["seen_at"] = int(time.time())


def _end_stale_session() -> None:
    """Sign out a session idle longer than SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS."""
    if "_user_id" not in session:
        return
    now, config = int(time.time()), current_app.config
    if (now - session.get("signed_in_at", 0) > config["SESSION_MAX_HOURS"] * 3600
            or now - session.get("seen_at", 0) > config["SESSION_IDLE_MINUTES"] * 60):
        logout_user()
        session.clear()
    elif now - session["seen_at"] >= 60:  # rewrite the cookie at most once a minute
        session["seen_at"] = now


def login_email_key() -> str:
    """The e-mail being tried and the client's address: attempts count per pair, so that nobody who knows
    an e-mail can lock its owner out from everywhere. The counter's key (in Redis) names the e-mail by a keyed
    hash, never as written: whoever reads the counters learns no address, nor can test a guessed one."""
    email = normalize_email(request.form.get("email", "")).encode()
    digest = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), email, hashlib.sha256).hexdigest()[:32]
    return f"account:{digest}|{get_remote_address()}"


def login_limit(setting: str) -> Callable[[], str]:
    return lambda: current_app.config[setting]


def roles_required(*roles: str):
    """Guard a whole blueprint (as its before_request): anonymous → log-in page, other roles → 403."""

    def guard():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None

    return guard

