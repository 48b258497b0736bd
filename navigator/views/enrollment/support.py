"""What the enrollment pages share: the app's sealer, the settings and e-mails after commit (the form's stamp:
flood.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import current_app

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
