"""Helpers for the tests of accounts and private pages: a small catalogue of two organizations in two
municipalities, accounts with known passwords, log-in and form posts with the CSRF token."""

from __future__ import annotations

import re

from sqlalchemy import select

from navigator.accounts import registry as accounts
from navigator.accounts.models import Account
from navigator.catalogue.models import Program
from navigator.extensions import database
from tests.factories import load_programs, make_row

PASSWORD = "верный-пароль-2026"
MUNICIPALITY_A = "Кемеровский городской округ"
MUNICIPALITY_B = "Новокузнецкий городской округ"
ORG_A = {"organization_id": "oA", "organization": "МБОУ «Школа А»", "municipality": MUNICIPALITY_A,
         "district": "Центральный", "address": "г. Кемерово, ул. Весенняя, 5", "lat": "55.354900", "lon": "86.086800",
         "phone": "+7 3842 00-00-01", "email": "a@example.org", "website": "https://a.example.org"}
ORG_B = {"organization_id": "oB", "organization": "МБУ ДО «Центр Б»", "municipality": MUNICIPALITY_B,
         "district": "", "address": "г. Новокузнецк, пр. Металлургов, 1", "lat": "53.757500", "lon": "87.136000",
         "phone": "+7 3843 00-00-02", "email": "b@example.org", "website": "https://b.example.org"}


def seed_catalogue(app, tmp_path) -> None:
    """Programs a1, a2 of organization A (municipality A) and b1 of organization B (municipality B)."""
    load_programs(app, [make_row(1, program_id="a1", title="Шахматы", **ORG_A),
                        make_row(2, program_id="a2", title="Робототехника", direction="Техническая",
                                 profile="Робототехника", description="Собираем и программируем роботов.", **ORG_A),
                        make_row(3, program_id="b1", title="Хореография", direction="Художественная",
                                 profile="Хореография", description="Классический и народный танец.", **ORG_B)],
                  tmp_path)


def add_account(app, email: str, role: str, *, organizations=(), municipalities=(),
                password: str | None = PASSWORD) -> int:
    with database(app).session_factory() as session:
        account = accounts.create_account(session, email, role, organizations=organizations,
                                          municipalities=municipalities)
        if password:
            accounts.set_password(account, password)
        session.commit()
        return account.id


def csrf_token(client) -> str:
    """The CSRF token of the client's session (every form of the session shares it)."""
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def post(client, path: str, data: dict | None = None, **options):
    """A form post as the browser sends it, with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **options)


def program_form(**overrides) -> dict:
    """The fields of a valid new program at a new address in municipality A, submitted for approval."""
    data = {"program_id": "a-new", "title": "Юные инженеры",
            "description": "Собираем роботов и учимся программировать.", "direction": "Техническая",
            "profile": "Робототехника", "age_min": "8", "age_max": "12",
            "enrollment": ["Бесплатно"], "price_rub": "", "seats_total": "12", "seats_free": "5", "ovz": [],
            "format": "Очно", "schedule": "Вт, Чт 16:00–17:30", "duration": "9 месяцев", "teacher": "Петров П. П.",
            "program_url": "", "venue": "new", "address": "г. Кемерово, ул. Новая, 7",
            "municipality": MUNICIPALITY_A, "district": "Ленинский", "lat": "", "lon": "",
            "submit": "Отправить на проверку"}
    data.update(overrides)
    return data


def program(session, public_id: str) -> Program | None:
    session.expire_all()
    return session.scalar(select(Program).where(Program.public_id == public_id))


def account(session, email: str) -> Account:
    session.expire_all()
    return session.scalar(select(Account).where(Account.email == email))
