"""What the enrollment pages share: the app's sealer, the settings, the fill-time stamp and e-mails after commit."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

from navigator.enrollment.models import Application
from navigator.enrollment.notices import notice
from navigator.enrollment.sealing import Sealer
from navigator.mail import send_mail
from navigator.views.common.links import absolute_url

log = logging.getLogger(__name__)
_SEALER = "navigator.enrollment_sealer"


def sealer() -> Sealer:
    """The app's sealer, made once from ENROLLMENT_KEY."""
    if _SEALER not in current_app.extensions:
        current_app.extensions[_SEALER] = Sealer.from_setting(current_app.config["ENROLLMENT_KEY"])
    return current_app.extensions[_SEALER]


def answer_days() -> int:
    return current_app.config["ENROLLMENT_ANSWER_DAYS"]


def today() -> dt.date:
    return dt.date.today()


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="navigator.apply-form")


def form_stamp(public_id: str, shown_before: str | None = None) -> str:
    """A signed note of when the form was first shown (the minimum fill time is measured from it); a form shown
    again with its errors keeps its first stamp, so correcting a field does not start the clock anew."""
    if shown_before:
        try:
            if _signer().unsign(shown_before).decode() == public_id:
                return shown_before
        except BadSignature:
            pass
    return _signer().sign(public_id).decode()


def looks_automated(form, public_id: str) -> bool:
    """A filled honeypot field, or a form sent faster than a person could (skipped in TESTING, as Flask-WTF
    skips its reCAPTCHA there)."""
    if (form.get("homepage") or "").strip():
        return True
    if current_app.testing:
        return False
    try:
        value, stamp = _signer().unsign(form.get("started") or "", return_timestamp=True)
    except BadSignature:
        return True
    elapsed = time.time() - stamp.timestamp()
    return value.decode() != public_id or elapsed < current_app.config["ENROLLMENT_MIN_SECONDS"]


def tell(applications: Iterable[Application]) -> None:
    """E-mail each parent (who gave an address) the application's new state; call after commit.

    A failure is logged by application number only (no address in the logs) and never undoes the change.
    """
    for application in applications:
        personal = sealer().open(application.personal)
        if not personal.get("token"):
            continue
        message = notice(application, personal, absolute_url("enrollment.status", token=personal["token"]))
        if message is None:
            continue
        try:
            send_mail(current_app.config, message.to, message.subject, message.body)
        except OSError:
            log.warning("Could not e-mail the parent of application %s", application.id)
