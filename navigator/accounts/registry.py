"""Accounts: creating them, one-time password-set links, passwords (argon2id), signing in.

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile) and
re-hashed on the next log-in whenever those parameters change. Password-set links carry a random
token; only its SHA-256 is stored, so a copy of the database cannot be used to take an account.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from navigator.accounts.models import ROLES, Account, SignInAttempt
from navigator.catalogue.models import Municipality, Organization, utcnow
from navigator.catalogue.validation import EMAIL_PATTERN

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
ROLE_LABELS = {"provider": "организация", "municipal": "муниципалитет", "admin": "администратор"}

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a failed log-in takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """The account cannot be made or changed as asked; the message says why, in Russian."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public leaks, as zxcvbn ships them (lower case)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, or None (ASVS 2.1.1 length, 2.1.7 not a common password)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Пароль должен быть не длиннее {MAX_PASSWORD_LENGTH} символов."
    if email and normalize_email(password) == normalize_email(email):
        return "Пароль не должен совпадать с адресом электронной почты."
    if password.lower() in common_passwords():
        return "Этот пароль есть в списках самых распространённых паролей, его легко угадать. Выберите другой."
    return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


def create_account(session: Session, email: str, role: str, *, organizations: Iterable[str] = (),
                   municipalities: Iterable[str] = ()) -> Account:
    """Add an account bound to organizations (by public id) or municipalities (by name); no password yet."""
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 200:
        raise AccountError(f"«{email}» не похоже на адрес электронной почты.")
    if role not in ROLES:
        raise AccountError(f"Неизвестная роль «{role}»; допустимо: {', '.join(ROLES)}.")
    if find_account(session, email) is not None:
        raise AccountError(f"Учётная запись {email} уже есть.")
    account = Account(email=email, role=role, active=True, session_key=secrets.token_hex(16))
    account.organizations = (_named(session, Organization.public_id, organizations, "Нет организаций с кодами")
                             if role == "provider" else [])
    account.municipalities = (_named(session, Municipality.name, municipalities, "Нет муниципалитетов")
                              if role == "municipal" else [])
    if role == "provider" and not account.organizations:
        raise AccountError("Для роли provider укажите хотя бы одну организацию.")
    if role == "municipal" and not account.municipalities:
        raise AccountError("Для роли municipal укажите хотя бы один муниципалитет.")
    session.add(account)
    session.flush()
    return account


def _named(session: Session, column, names: Iterable[str], missing_text: str) -> list:
    """The rows whose `column` is one of the names; AccountError naming those that are not there."""
    wanted = {name.strip() for name in names if name.strip()}
    found = list(session.scalars(select(column.class_).where(column.in_(wanted))))
    missing = wanted - {getattr(row, column.key) for row in found}
    if missing:
        raise AccountError(f"{missing_text}: {', '.join(sorted(missing))}.")
    return found


def issue_password_link(account: Account, hours: int) -> str:
    """A new one-time token for setting the password (any earlier one stops working)."""
    token = secrets.token_urlsafe(32)
    account.password_token_hash = _token_hash(token)
    account.password_token_expires = utcnow() + dt.timedelta(hours=hours)
    return token


def password_link(base_url: str, token: str) -> str:
    """The address of the password-set page for a token (the CLI has no request to build it from)."""
    return f"{base_url.rstrip('/')}/set-password/{token}"


def account_for_token(session: Session, token: str) -> Account | None:
    """The active account whose unexpired password-set token this is."""
    account = session.scalar(select(Account).where(Account.password_token_hash == _token_hash(token)))
    if account is None or not account.active or account.password_token_expires < utcnow():
        return None
    return account


def set_password(account: Account, password: str) -> None:
    """Store the new password's hash, spend the link and end the account's other sessions."""
    problem = password_problem(password, account.email)
    if problem:
        raise AccountError(problem)
    account.password_hash = hash_password(password)
    account.password_token_hash = None
    account.password_token_expires = None
    end_sessions(account)


def end_sessions(account: Account) -> None:
    """End every session of the account, wherever its cookies are (the key they carry stops matching)."""
    account.session_key = secrets.token_hex(16)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The active account with this e-mail and password, or None (the same for every kind of failure)."""
    account = find_account(session, email)
    if not _verify(account.password_hash if account else None, password) or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    return account


def check_password(account: Account, password: str) -> bool:
    return _verify(account.password_hash, password)


def load_account(session: Session, user_id: str) -> Account | None:
    """The account of a session's user id («id-session_key»), if it is still active and the key current."""
    number, _, key = user_id.partition("-")
    if not re.fullmatch(r"[0-9]{1,9}", number):
        return None
    account = session.get(Account, int(number))
    if account is None or not account.active or not secrets.compare_digest(account.session_key, key):
        return None
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.role, func.lower(Account.email))))


def record_sign_in(session: Session, email: str, address: str | None, account: Account | None) -> None:
    """Add a log-in attempt to the sign-in log (the caller commits); account is None for a failure."""
    session.add(SignInAttempt(email=email.strip()[:200], address=(address or "?")[:64], succeeded=account is not None,
                              account_id=account.id if account else None))


def recent_sign_ins(session: Session, limit: int = 500) -> list[SignInAttempt]:
    """The latest attempts, newest first, for the admin."""
    return list(session.scalars(select(SignInAttempt).order_by(SignInAttempt.at.desc(), SignInAttempt.id.desc())
                                .limit(limit)))
