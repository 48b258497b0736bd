"""The queue of a program's applications: submitting, the provider's answers, withdrawal, free places.

Places follow the applications: accepting takes a free place and a withdrawn acceptance gives it back,
each through one conditional UPDATE (two providers cannot take the last place twice) and marked as a
program change (navigator.catalogue.changes), so search, the card and the coverage figures follow. When
no place is free, or others already wait, a new application goes to the waiting list in order of arrival;
a freed place (a withdrawal, more seats) offers the first of the list to the provider again, with a new
answer date. Programs with unknown free places never send anyone to the waiting list by themselves.
Every change of state marks its program changed too: the queue counts are part of the card and the API,
so pages revalidated from the outbox sequence (navigator.views.common.freshness) show the queue as it is.

The public queue counts honestly under a flood: an application sent beyond the program's usual pace is
`held` — stored and in its place like any other, but counted in the public queue only once the provider
has opened it (the web layer decides the pace: navigator.views.enrollment.flood).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import numpy
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from navigator.accounts.models import Account
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import Program, utcnow
from navigator.db import changed_rows
from navigator.enrollment.intake import Intake, phone_digits
from navigator.enrollment.models import (
    FINAL_STATES,
    UNANSWERED_STATES,
    WAITING_STATES,
    Application,
    ApplicationAccess,
    ApplicationEvent,
)
from navigator.enrollment.sealing import Sealer

DECLINE_REASONS = {"no_places": "нет свободных мест", "age": "возраст ребёнка не подходит",
                   "no_contact": "не удалось связаться с родителем", "closed": "набор в группу закрыт",
                   "other": "другая причина"}


class EnrollmentError(ValueError):
    """The step cannot be taken; the message says why, in Russian, for the person who tried."""


def answer_deadline(start: dt.date, working_days: int) -> dt.date:
    """The date `working_days` working days (Monday–Friday) after start (numpy's business-day calendar)."""
    return numpy.busday_offset(numpy.datetime64(start, "D"), working_days, roll="forward").astype(dt.date)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(session: Session, token: str) -> Application | None:
    return session.scalar(select(Application).where(Application.token_hash == token_hash(token)))


def _keys(sealer: Sealer, program: Program, intake: Intake) -> tuple[str | None, str | None]:
    child = (intake.child_name.casefold().replace("ё", "е"), str(intake.child_birth_year), str(program.id))
    return (sealer.fingerprint("phone", phone_digits(intake.phone), *child) if intake.phone else None,
            sealer.fingerprint("email", intake.email, *child) if intake.email else None)


def _waitlisted(session: Session, program_id: int) -> list[Application]:
    return list(session.scalars(select(Application).where(Application.program_id == program_id,
                                                          Application.state == "waitlisted")
                                .order_by(Application.created_at, Application.id)))


def _move(session: Session, application: Application, state: str, account: Account | None,
          note: str | None = None) -> None:
    """Change the state, record who and when; the program changed too (its public queue counts did). A step
    taken by an account (the provider's answer) means the application was seen: it is no longer held."""
    mark_programs_changed(session, [application.program.id])
    if account is not None:
        application.held = False
    application.state = state
    application.events.append(ApplicationEvent(state=state, account_id=account.id if account else None, note=note))
    if state in FINAL_STATES:
        application.final_at = utcnow()


def submit(session: Session, sealer: Sealer, program: Program, intake: Intake, answer_days: int,
           today: dt.date, *, held: bool = False) -> tuple[Application, str]:
    """Store an application (personal fields sealed) in its place in the queue; return it and its status token.
    `held`: sent beyond the program's usual pace, it counts in the public queue once the provider opens it."""
    if program.status != "active" or not program.takes_applications:
        raise EnrollmentError("Эта программа не принимает заявки через навигатор: запишитесь в организации.")
    phone_key, email_key = _keys(sealer, program, intake)
    same = [Application.phone_key == phone_key] if phone_key else []
    same += [Application.email_key == email_key] if email_key else []
    if session.scalar(select(Application.id).where(Application.program_id == program.id, or_(*same),
                                                   Application.state.not_in(("declined", "withdrawn")))):
        raise EnrollmentError("Заявка на этого ребёнка в эту программу уже подана с этими контактами — "
                              "вторая не нужна. Состояние заявки — по ссылке из первого письма или на этом "
                              "устройстве в списке «Мои заявки».")
    token = secrets.token_urlsafe(32)
    application = Application(program=program, token_hash=token_hash(token), phone_key=phone_key,
                              email_key=email_key, personal=sealer.seal({**intake.record(), "token": token}),
                              answer_by=answer_deadline(today, answer_days), state="submitted", held=held)
    session.add(application)
    full = program.seats_free == 0 or bool(_waitlisted(session, program.id))
    _move(session, application, "submitted", None)
    if full:
        _put_on_list(session, application, None, "свободных мест нет — заявка в листе ожидания")
    session.flush()
    return application, token


def _put_on_list(session: Session, application: Application, account: Account | None, note: str | None) -> None:
    session.flush()
    _move(session, application, "waitlisted", account, note)
    application.first_position = waitlist_position(session, application)


def waitlist_position(session: Session, application: Application) -> int | None:
    """The application's place in its program's waiting list (1 = next), or None when not on it."""
    if application.state != "waitlisted":
        return None
    ahead = session.execute(select(func.count()).select_from(Application).where(
        Application.program_id == application.program_id, Application.state == "waitlisted",
        or_(Application.created_at < application.created_at,
            (Application.created_at == application.created_at) & (Application.id < application.id)))).scalar_one()
    return ahead + 1


def public_queue(session: Session, program: Program) -> dict:
    """Counts anyone may see: applications waiting (for an answer or a place) and free places. Held
    applications (sent beyond the program's usual pace) count once the provider has opened them."""
    waiting = session.scalar(select(func.count()).select_from(Application).where(
        Application.program_id == program.id, Application.state.in_(WAITING_STATES), Application.held.is_(False)))
    return {"waiting": waiting, "places_free": program.seats_free}


def view_personal(session: Session, sealer: Sealer, application: Application, account: Account) -> dict:
    """The personal fields for a provider or admin: the view is logged. Its state stays as it is: taking it in
    hand is a step of its own (review), never a side effect of opening it."""
    session.add(ApplicationAccess(application_id=application.id, account_id=account.id))
    if account.role == "provider":
        application.held = False  # seen by its provider: it counts in the public queue now
    return sealer.open(application.personal)


def review(session: Session, application: Application, account: Account) -> None:
    """Take a new application in hand: «подана» → «рассматривается», the parent told so."""
    _require(application, ("submitted",), "взять в работу")
    _move(session, application, "reviewing", account)


def accept(session: Session, application: Application, account: Account) -> None:
    """Accept: takes a free place (refused when none is left)."""
    _require(application, ("submitted", "reviewing", "waitlisted"), "принять")
    program = application.program
    if program.seats_free is not None:
        taken = changed_rows(session, update(Program).where(Program.id == program.id, Program.seats_free > 0)
                             .values(seats_free=Program.seats_free - 1))
        if not taken:
            raise EnrollmentError("Свободных мест нет: поставьте заявку в лист ожидания или увеличьте число мест.")
        session.refresh(program, ["seats_free"])
        mark_programs_changed(session, [program.id])
    _move(session, application, "accepted", account)


def decline(session: Session, application: Application, account: Account, reason: str, text: str) -> None:
    """Decline with a reason from the short list, and free text that the parent reads."""
    _require(application, ("submitted", "reviewing", "waitlisted"), "отклонить")
    if reason not in DECLINE_REASONS:
        raise EnrollmentError("Выберите причину отказа.")
    text = " ".join(text.split())[:500]
    if reason == "other" and not text:
        raise EnrollmentError("Напишите причину отказа: родитель её прочтёт.")
    application.decline_reason = DECLINE_REASONS[reason] + (f": {text}" if text else "")
    _move(session, application, "declined", account, application.decline_reason)


def waitlist(session: Session, application: Application, account: Account) -> None:
    """Put on the waiting list, in order of arrival."""
    _require(application, ("submitted", "reviewing"), "поставить в лист ожидания")
    _put_on_list(session, application, account, None)


def _require(application: Application, states: tuple[str, ...], action: str) -> None:
    if application.state not in states:
        raise EnrollmentError(f"Заявку в состоянии «{application.state_label}» нельзя {action}.")


def erase(application: Application) -> None:
    """Erase the personal fields (and the provider's free text); the row and its dates stay for counts."""
    application.personal = application.phone_key = application.email_key = None
    application.decline_reason = None
    for event in application.events:
        event.note = None
    application.erased_at = utcnow()


def withdraw(session: Session, application: Application, answer_days: int, today: dt.date) -> list[Application]:
    """The parent withdraws: data erased at once; an accepted place is freed and offered. Returns those offered."""
    if application.state == "withdrawn":
        return []
    was_accepted = application.state == "accepted"
    _move(session, application, "withdrawn", None)
    erase(application)
    program = application.program
    if was_accepted and program.seats_free is not None:
        session.execute(update(Program).where(Program.id == program.id, or_(
            Program.seats_total.is_(None), Program.seats_free < Program.seats_total))
            .values(seats_free=Program.seats_free + 1))
        session.refresh(program, ["seats_free"])
        mark_programs_changed(session, [program.id])
    return offer_free_places(session, program, answer_days, today)


def offer_free_places(session: Session, program: Program, answer_days: int, today: dt.date) -> list[Application]:
    """Offer free places not already claimed by applications in review to the first of the waiting list."""
    session.flush()
    if program.seats_free is None:
        return []
    claimed = session.execute(select(func.count()).select_from(Application).where(
        Application.program_id == program.id, Application.state.in_(UNANSWERED_STATES))).scalar_one()
    offered = _waitlisted(session, program.id)[:max(0, program.seats_free - claimed)]
    for application in offered:
        application.answer_by = answer_deadline(today, answer_days)
        _move(session, application, "reviewing", None, "освободилось место — заявка снова рассматривается")
    return offered


def is_overdue(application: Application, today: dt.date) -> bool:
    return application.state in UNANSWERED_STATES and application.answer_by < today


@dataclass(frozen=True)
class Row:
    """An application as the provider's list shows it: no personal field."""

    application: Application
    overdue: bool
    position: int | None


_ORDER = {"submitted": 0, "reviewing": 1, "waitlisted": 2, "accepted": 3, "declined": 4, "withdrawn": 5}


def program_rows(session: Session, program: Program, today: dt.date) -> list[Row]:
    """A program's applications for its provider: new first, then in review, the waiting list in order, the rest."""
    applications = session.scalars(select(Application).where(Application.program_id == program.id)
                                   .order_by(Application.created_at, Application.id)).all()
    positions = {a.id: n for n, a in enumerate((a for a in applications if a.state == "waitlisted"), 1)}
    rows = [Row(a, is_overdue(a, today), positions.get(a.id)) for a in applications]
    return sorted(rows, key=lambda row: (_ORDER[row.application.state], -row.application.id
                                         if row.application.state in FINAL_STATES else row.application.id))
