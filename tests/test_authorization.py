"""The authorization matrix: every private page and action, and the public views of unpublished data,
for each kind of visitor — anonymous, the provider of organization A, the provider of B, staff of A's
municipality, staff of another municipality, an admin — answer exactly as listed, and a refusal leaves
the database (and the stored uploads) exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from navigator.accounts.models import Account, ProgramRevision
from navigator.accounts.moderation import save_revision
from navigator.accounts.provider_upload import store_upload
from navigator.catalogue.models import Program
from navigator.enrollment.intake import check
from navigator.enrollment.queue import submit
from navigator.enrollment.sealing import Sealer
from navigator.extensions import database
from navigator.models import metadata
from tests.cabinet import (
    MUNICIPALITY_A,
    MUNICIPALITY_B,
    ORG_A,
    add_account,
    csrf_token,
    log_in,
    program_form,
    seed_catalogue,
)
from tests.enrollment_helpers import parent_form
from tests.factories import make_row, write_csv

ROLES = ("anonymous", "provider_a", "provider_b", "municipal_a", "municipal_b", "admin")
EMAILS = {"provider_a": "a@school.example.org", "provider_b": "b@centre.example.org",
          "municipal_a": "staff@kemerovo.example.org", "municipal_b": "staff@novokuznetsk.example.org",
          "admin": "admin@example.org"}
LOGIN = "login"  # the expected answer of an anonymous visitor: a redirect to the log-in page


def expect(anonymous=LOGIN, provider_a=403, provider_b=403, municipal_a=403, municipal_b=403, admin=403):
    return dict(anonymous=anonymous, provider_a=provider_a, provider_b=provider_b, municipal_a=municipal_a,
                municipal_b=municipal_b, admin=admin)


@dataclass
class World:
    """What the routes point at: organization A's program a1, A's waiting new program, A's stored upload."""

    revision_id: int
    venue_id: int
    upload_token: str
    account_ids: dict[str, int]
    application_id: int  # a new application to A's program a1, and its status token
    application_token: str
    csv_bytes: bytes = field(repr=False)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # formatted with the World's fields
    expected: dict
    data: object = None  # a callable World -> form data
    logs_views: bool = False  # an allowed GET that writes the access log (a view of personal data)

    def __str__(self):
        return f"{self.method} {self.path}"


_parents = itertools.count()


def _new_parent(_world: World) -> dict:
    """A different family each time, so that every allowed visitor's application is a new one."""
    number = next(_parents)
    return parent_form(child_name=f"Ребёнок{number}", email=f"parent{number}@example.org", phone="")


def _csv_file(world: World) -> dict:
    return {"file": (io.BytesIO(world.csv_bytes), "programs.csv")}


ROUTES = [
    Route("GET", "/provider", expect(provider_a=200, provider_b=200)),
    Route("GET", "/provider/organizations/oA/programs/new", expect(provider_a=200, provider_b=404)),
    Route("GET", "/provider/programs/a1/edit", expect(provider_a=200, provider_b=404)),
    Route("GET", "/provider/revisions/{revision_id}", expect(provider_a=200, provider_b=404)),
    Route("GET", "/provider/upload", expect(provider_a=200, provider_b=200)),
    Route("GET", "/provider/upload/{upload_token}", expect(provider_a=200, provider_b=404)),
    Route("GET", "/municipal", expect(municipal_a=200, municipal_b=200, admin=200)),
    Route("GET", "/municipal/revisions/{revision_id}", expect(municipal_a=200, municipal_b=404, admin=200)),
    Route("GET", "/municipal/programs", expect(municipal_a=200, municipal_b=200, admin=200)),
    Route("GET", "/municipal/programs/a1", expect(municipal_a=200, municipal_b=404, admin=200)),
    Route("GET", "/admin", expect(admin=200)),
    Route("GET", "/password", expect(provider_a=200, provider_b=200, municipal_a=200, municipal_b=200, admin=200)),
    # A program waiting for approval is not public to anyone, signed in or not.
    Route("GET", "/programs/a-new", expect(404, 404, 404, 404, 404, 404)),
    Route("GET", "/api/v1/programs/a-new", expect(404, 404, 404, 404, 404, 404)),
    Route("POST", "/provider/organizations/oA/programs/new", expect(provider_a=302, provider_b=404),
          lambda world: program_form(program_id="a-other")),
    Route("POST", "/provider/programs/a1/edit", expect(provider_a=302, provider_b=404),
          lambda world: program_form(title="Шахматы и шашки", venue=str(world.venue_id))),
    Route("POST", "/provider/revisions/{revision_id}", expect(provider_a=302, provider_b=404),
          lambda world: program_form(title="Юные инженеры-конструкторы")),
    Route("POST", "/provider/revisions/{revision_id}/withdraw", expect(provider_a=302, provider_b=404)),
    Route("POST", "/provider/programs/a1/quick", expect(provider_a=302, provider_b=404),
          lambda world: {"seats_free": "0", "seats_total": "15", "schedule": "Сб 10:00"}),
    Route("POST", "/provider/programs/a1/archive", expect(provider_a=302, provider_b=404)),
    Route("POST", "/provider/upload", expect(provider_a=302, provider_b=302), _csv_file),
    Route("POST", "/provider/upload/{upload_token}/confirm", expect(provider_a=302, provider_b=404)),
    Route("POST", "/provider/upload/{upload_token}/cancel", expect(provider_a=302, provider_b=404)),
    Route("POST", "/municipal/revisions/{revision_id}/approve", expect(municipal_a=302, municipal_b=404, admin=302)),
    Route("POST", "/municipal/revisions/{revision_id}/return", expect(municipal_a=302, municipal_b=404, admin=302),
          lambda world: {"reason": "Уточните расписание."}),
    Route("POST", "/municipal/programs/a1/archive", expect(municipal_a=302, municipal_b=404, admin=302),
          lambda world: {"reason": "Закрыт."}),
    Route("POST", "/admin/accounts", expect(admin=200),
          lambda world: {"email": "new@example.org", "role": "admin", "organizations": ""}),
    Route("POST", "/admin/accounts/{provider_a_id}/link", expect(admin=200)),
    Route("POST", "/admin/accounts/{provider_b_id}/active", expect(admin=200)),
    # Applications: parents need no account; only A's provider sees and answers applications to A's programs;
    # municipal staff see counts; the admin sees the access log.
    Route("GET", "/programs/a1/apply", expect(200, 200, 200, 200, 200, 200)),
    Route("POST", "/programs/a1/apply", expect(303, 303, 303, 303, 303, 303), _new_parent),
    Route("GET", "/applications/{application_token}", expect(200, 200, 200, 200, 200, 200)),
    Route("GET", "/applications/not-a-token", expect(404, 404, 404, 404, 404, 404)),
    Route("POST", "/applications/{application_token}/withdraw", expect(303, 303, 303, 303, 303, 303)),
    Route("POST", "/applications/not-a-token/withdraw", expect(404, 404, 404, 404, 404, 404)),
    Route("GET", "/applications", expect(200, 200, 200, 200, 200, 200)),
    Route("GET", "/privacy", expect(200, 200, 200, 200, 200, 200)),
    Route("GET", "/api/v1/programs/a1", expect(200, 200, 200, 200, 200, 200)),
    Route("GET", "/provider/applications", expect(provider_a=200, provider_b=200)),
    Route("GET", "/provider/applications/{application_id}", expect(provider_a=200, provider_b=404),
          logs_views=True),
    Route("POST", "/provider/applications/{application_id}/accept", expect(provider_a=302, provider_b=404)),
    Route("POST", "/provider/applications/{application_id}/decline", expect(provider_a=302, provider_b=404),
          lambda world: {"code": "closed", "reason": ""}),
    Route("POST", "/provider/applications/{application_id}/waitlist", expect(provider_a=302, provider_b=404)),
    Route("POST", "/provider/programs/a1/applications", expect(provider_a=302, provider_b=404),
          lambda world: {"open": "0"}),
    Route("GET", "/municipal/applications", expect(municipal_a=200, municipal_b=200, admin=200)),
    Route("GET", "/admin/access-log", expect(admin=200)),
]


def _make_world(app, tmp_path) -> World:
    seed_catalogue(app, tmp_path)
    ids = {"provider_a": add_account(app, EMAILS["provider_a"], "provider", organizations=["oA"]),
           "provider_b": add_account(app, EMAILS["provider_b"], "provider", organizations=["oB"]),
           "municipal_a": add_account(app, EMAILS["municipal_a"], "municipal", municipalities=[MUNICIPALITY_A]),
           "municipal_b": add_account(app, EMAILS["municipal_b"], "municipal", municipalities=[MUNICIPALITY_B]),
           "admin": add_account(app, EMAILS["admin"], "admin")}
    csv_bytes = write_csv(tmp_path / "upload.csv", [make_row(1, program_id="a1", title="Шахматы!", **ORG_A)]
                          ).read_bytes()
    with database(app).session_factory() as session:
        author = session.get(Account, ids["provider_a"])
        organization = author.organizations[0]
        row = make_row(7, **{**ORG_A, "program_id": "a-new", "title": "Юные инженеры", "profile": "Робототехника",
                             "description": "Собираем роботов.", "address": "г. Кемерово, ул. Новая, 7"})
        revision = save_revision(session, author, organization, row, submit=True)
        venue_id = session.scalar(select(Program.venue_id).where(Program.public_id == "a1"))
        token = store_upload(Path(app.instance_path) / "uploads", ids["provider_a"], csv_bytes, "programs.csv", False)
        a1 = session.scalar(select(Program).where(Program.public_id == "a1"))
        application, status_token = submit(session, Sealer.from_setting(app.config["ENROLLMENT_KEY"]), a1,
                                           check(parent_form(), a1.age_min, a1.age_max, dt.date.today().year), 5,
                                           dt.date.today())
        session.commit()
        return World(revision.id, venue_id, token, ids, application.id, status_token, csv_bytes)


def _snapshot(app) -> dict:
    """Every row of every table, and the stored uploads."""
    state = {}
    with database(app).engine.connect() as connection:
        for table in metadata.sorted_tables:
            state[table.name] = sorted(map(repr, connection.execute(select(table)).all()))
    uploads = Path(app.instance_path) / "uploads"
    state["uploads"] = sorted(path.name for path in uploads.iterdir()) if uploads.exists() else []
    return state


def _request(client, route: Route, world: World):
    path = route.path.format(revision_id=world.revision_id, upload_token=world.upload_token,
                             application_id=world.application_id, application_token=world.application_token,
                             provider_a_id=world.account_ids["provider_a"],
                             provider_b_id=world.account_ids["provider_b"])
    if route.method == "GET":
        return client.get(path)
    data = route.data(world) if route.data else {}
    return client.post(path, data={**data, "csrf_token": csrf_token(client)},
                       content_type="multipart/form-data" if "file" in data else None)


def _refused(expected) -> bool:
    return expected in (LOGIN, 403, 404)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_role_gets_exactly_its_answer_and_refusals_change_nothing(app, tmp_path, route):
    world = _make_world(app, tmp_path)
    clients = {role: app.test_client() for role in ROLES}
    for role, email in EMAILS.items():
        assert log_in(clients[role], email).status_code == 302
    order = sorted(ROLES, key=lambda role: not _refused(route.expected[role]))  # refusals first
    first_allowed = True
    for role in order:
        expected = route.expected[role]
        before = _snapshot(app)
        answer = _request(clients[role], route, world)
        if expected == LOGIN:
            assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), (role, answer)
        else:
            assert answer.status_code == expected, (role, answer.status_code)
        after = _snapshot(app)
        if _refused(expected) or route.method == "GET" and not route.logs_views:
            assert after == before, f"{role} changed the database through {route}"
        elif route.logs_views:
            assert len(after["application_access"]) == len(before["application_access"]) + 1, role
        elif first_allowed:
            assert after != before, f"{role} was allowed {route} but nothing changed"
            first_allowed = False


def test_a_pending_program_is_not_in_search_for_anyone(app, tmp_path):
    world = _make_world(app, tmp_path)
    assert world.revision_id
    for role in ROLES:
        client = app.test_client()
        if role in EMAILS:
            log_in(client, EMAILS[role])
        items = client.get("/api/v1/programs", query_string={"q": "инженеры"}).get_json()["items"]
        assert items == [], role


def test_a_provider_cannot_move_another_organizations_program_by_code(app, tmp_path):
    """Codes are global: a form or a file of organization A naming B's program b1 is refused."""
    world = _make_world(app, tmp_path)
    client = app.test_client()
    log_in(client, EMAILS["provider_a"])
    before = _snapshot(app)
    answer = client.post("/provider/organizations/oA/programs/new",
                         data={**program_form(program_id="b1"), "csrf_token": csrf_token(client)})
    assert answer.status_code == 422 and _snapshot(app) == before
    with database(app).session_factory() as session:
        assert session.scalar(select(ProgramRevision.id).where(ProgramRevision.public_id == "b1")) is None
    assert world.upload_token
