"""The e-mails a parent gets about an application (only when an address was given), in Russian."""

from __future__ import annotations

from dataclasses import dataclass

from navigator.catalogue import russian
from navigator.enrollment.models import Application

_WHAT = {
    "submitted": "Заявка подана. Организация должна ответить до {answer_by}.",
    "reviewing": "Заявка рассматривается: организация должна ответить до {answer_by}.",
    "accepted": "Заявка принята! Организация свяжется с вами, чтобы договориться о начале занятий.",
    "declined": "К сожалению, в записи отказано. Причина: {reason}.",
    "waitlisted": "Свободных мест пока нет: заявка в листе ожидания. Когда место освободится, заявку "
                  "рассмотрят снова, и мы напишем.",
}


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    body: str


def notice(application: Application, personal: dict, status_url: str) -> Notice | None:
    """What to tell the parent about the application's current state (None: no address, or nothing to tell)."""
    email = personal.get("email")
    if not email or application.state not in _WHAT:
        return None
    what = _WHAT[application.state].format(answer_by=application.answer_by.strftime("%d.%m.%Y"),
                                           reason=application.decline_reason or "не указана")
    program = application.program
    body = (f"Здравствуйте!\n\nЗаявка № {application.id} на программу {russian.quoted(program.title)} "
            f"({program.organization.name}).\n\n{what}\n\nСостояние заявки, место в очереди и отзыв заявки — "
            f"по личной ссылке (не пересылайте её):\n{status_url}\n\n"
            "Навигатор дополнительного образования\n")
    return Notice(email, f"Заявка № {application.id}: {application.state_label}", body)
