"""Applications through HTTP: a parent applies, the provider answers, the queue moves, the data goes away."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from navigator.enrollment.models import Application, ApplicationAccess
from navigator.extensions import database
from navigator.views.enrollment import flood, support
from tests.cabinet import MUNICIPALITY_A, add_account, log_in, post, seed_catalogue
from tests.enrollment_helpers import Catcher, apply, body, free_port, link_in, status_path, withdraw
from tests.test_hostile import INERT, LIVE_MARKUP, REFUSED


@pytest.fixture
def world(app, tmp_path):
    """Programs a1, a2 (organization A) and b1 (B); a provider of A, one of B, municipal staff of A, an admin."""
    seed_catalogue(app, tmp_path)
    add_account(app, "a@school.example.org", "provider", organizations=["oA"])
    add_account(app, "b@centre.example.org", "provider", organizations=["oB"])
    add_account(app, "staff@kemerovo.example.org", "municipal", municipalities=[MUNICIPALITY_A])
    add_account(app, "admin@example.org", "admin")
    return app


@pytest.fixture
def mailbox(app):
    """A local SMTP server (aiosmtpd) the app sends to; yields the list of caught messages."""
    catcher = Catcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_SERVER"] = f"127.0.0.1:{controller.port}"
    yield catcher.messages
    controller.stop()


def signed_in(app, email):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def seats(client, public_id="a1"):
    return client.get(f"/api/v1/programs/{public_id}").get_json()["seats_free"]


def searched_seats(client):
    items = client.get("/api/v1/programs", query_string={"q": "Шахматы"}).get_json()["items"]
    return next(item["seats_free"] for item in items if item["id"] == "a1")


def applications(app):
    with database(app).session_factory() as session:
        return session.scalars(select(Application).order_by(Application.id)).all()


def test_parent_applies_provider_accepts_and_search_follows(world, client, mailbox):
    assert client.get("/programs/a1").get_data(as_text=True).count("/programs/a1/apply") == 1
    before = client.get("/api/v1/programs/a1").get_json()["queue"]
    path = status_path(apply(client))
    page = client.get(path).get_data(as_text=True)
    assert "подана" in page and "Зиновий" in page and client.get(path).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/programs/a1").get_json()["queue"] == {"waiting": before["waiting"] + 1,
                                                                      "places_free": 4}
    assert link_in(mailbox[0]) == path and mailbox[0]["To"] == "olga@example.org"

    provider = signed_in(world, "a@school.example.org")
    listing = provider.get("/provider/applications").get_data(as_text=True)
    assert "подана" in listing and "Зиновий" not in listing and "Проверкина" not in listing
    number = applications(world)[0].id
    shown = provider.get(f"/provider/applications/{number}").get_data(as_text=True)
    assert "Проверкина Ольга" in shown and "+7 900 000-11-22" in shown and "Взять в работу" in shown
    assert "подана" in client.get(path).get_data(as_text=True)  # opening it is a GET: nothing changes
    assert post(provider, f"/provider/applications/{number}/review").status_code == 302
    assert "рассматривается" in client.get(path).get_data(as_text=True)
    assert post(provider, f"/provider/applications/{number}/accept").status_code == 302

    assert "принята" in client.get(path).get_data(as_text=True)
    assert seats(client) == 3 and searched_seats(client) == 3
    assert client.get("/api/v1/programs/a1").get_json()["queue"] == {"waiting": before["waiting"], "places_free": 3}
    assert [m["Subject"] for m in mailbox] == [f"Заявка № {number}: {state}"
                                               for state in ("подана", "рассматривается", "принята")]
    assert "Организация свяжется с вами" in body(mailbox[2]) and link_in(mailbox[2]) == path


def test_a_full_program_puts_the_next_on_the_waiting_list_and_a_withdrawal_moves_it_up(world, mailbox):
    provider = signed_in(world, "a@school.example.org")
    post(provider, "/provider/programs/a1/quick", {"seats_free": "1", "seats_total": "15", "schedule": "Сб 10:00"})
    parents = [world.test_client() for _ in range(3)]

    def send(n, name):
        return status_path(apply(parents[n], child_name=name, email=f"p{n}@example.org", phone=f"+7 900 000-00-0{n}"))

    paths = [send(0, "Аня")]
    first = applications(world)[0]
    assert first.state == "submitted"
    assert post(provider, f"/provider/applications/{first.id}/accept").status_code == 302
    paths += [send(1, "Борис"), send(2, "Вера")]
    _, second, third = applications(world)
    assert [second.state, third.state] == ["waitlisted", "waitlisted"]
    assert seats(parents[0]) == 0
    page = parents[2].get(paths[2]).get_data(as_text=True)
    assert "лист ожидания" in page and "Место в листе ожидания: <strong>2</strong>" in page

    assert withdraw(parents[0], paths[0]).status_code == 303
    assert "отозвана" in parents[0].get(paths[0]).get_data(as_text=True)
    assert seats(parents[0]) == 1  # the place came back, and is offered to the first in the list
    assert "рассматривается" in parents[1].get(paths[1]).get_data(as_text=True)
    page = parents[2].get(paths[2]).get_data(as_text=True)
    assert "Место в листе ожидания: <strong>1</strong> (было 2)" in page
    assert mailbox[-1]["To"] == "p1@example.org" and "рассматривается" in mailbox[-1]["Subject"]
    assert post(provider, f"/provider/applications/{second.id}/accept").status_code == 302
    assert seats(parents[0]) == 0


def test_more_seats_in_the_cabinet_offer_the_first_of_the_waiting_list(world):
    provider = signed_in(world, "a@school.example.org")
    post(provider, "/provider/programs/a1/quick", {"seats_free": "0", "seats_total": "15", "schedule": ""})
    path = status_path(apply(world.test_client()))
    assert applications(world)[0].state == "waitlisted"
    post(provider, "/provider/programs/a1/quick", {"seats_free": "2", "seats_total": "15", "schedule": ""})
    assert "рассматривается" in world.test_client().get(path).get_data(as_text=True)


def test_decline_with_a_reason_the_parent_reads(world, client, mailbox):
    path = status_path(apply(client))
    number = applications(world)[0].id
    provider = signed_in(world, "a@school.example.org")
    refused = post(provider, f"/provider/applications/{number}/decline", {"code": "other", "reason": ""})
    assert refused.status_code == 302 and applications(world)[0].state == "submitted"
    assert post(provider, f"/provider/applications/{number}/decline",
                {"code": "closed", "reason": "Группа набрана, приходите в январе."}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "отказ" in page and "набор в группу закрыт: Группа набрана, приходите в январе." in page
    assert "приходите в январе" in body(mailbox[-1]) and seats(client) == 4


def test_waiting_list_by_the_provider(world, client):
    path = status_path(apply(client))
    provider = signed_in(world, "a@school.example.org")
    assert post(provider, f"/provider/applications/{applications(world)[0].id}/waitlist").status_code == 302
    assert "Место в листе ожидания: <strong>1</strong>" in client.get(path).get_data(as_text=True)


def test_the_answer_deadline_counts_working_days_and_overdue_is_marked(world, client, monkeypatch):
    monkeypatch.setattr(support, "today", lambda: dt.date(2026, 11, 27))  # a Friday
    path = status_path(apply(client))
    assert applications(world)[0].answer_by == dt.date(2026, 12, 4)
    assert "4\u00a0декабря 2026" in client.get(path).get_data(as_text=True)
    provider = signed_in(world, "a@school.example.org")
    assert "просрочена" not in provider.get("/provider/applications").get_data(as_text=True)
    monkeypatch.setattr(support, "today", lambda: dt.date(2026, 12, 7))
    assert "просрочена" in provider.get("/provider/applications").get_data(as_text=True)
    counts = signed_in(world, "staff@kemerovo.example.org").get("/municipal/applications").get_data(as_text=True)
    assert "<td>1</td><td>1</td>" in counts  # one new, one overdue
    assert "Зиновий" not in counts and "olga@" not in counts


def test_without_consent_nothing_is_stored_and_the_form_says_why(world, client):
    answer = apply(client, consent="")
    assert answer.status_code == 422 and "Без согласия" in answer.get_data(as_text=True)
    assert applications(world) == []


def test_the_childs_age_is_checked_against_the_program(world, client):
    answer = apply(client, child_birth_year=str(2026 - 15))
    assert answer.status_code == 422 and "Программа для детей 7–12 лет" in answer.get_data(as_text=True)
    assert applications(world) == []


def test_a_duplicate_is_refused_kindly(world, client):
    status_path(apply(client))
    again = apply(world.test_client(), parent_name="Ольга", email="", child_name="зиновий")
    assert again.status_code == 409 and "уже подана" in again.get_data(as_text=True)
    status_path(apply(world.test_client(), child_name="Зоя"))  # a sibling is welcome
    assert len(applications(world)) == 2


def test_a_program_that_enrolls_elsewhere_sends_parents_to_the_organization(world, client):
    provider = signed_in(world, "a@school.example.org")
    assert post(provider, "/provider/programs/a1/applications", {"open": "0"}).status_code == 302
    assert "/programs/a1/apply" not in client.get("/programs/a1").get_data(as_text=True)
    assert client.get("/programs/a1/apply").headers["Location"] == "/programs/a1"


def test_honeypot_and_minimum_fill_time(world, client, monkeypatch):
    world.testing = False
    assert apply(client, homepage="http://spam.example").status_code == 422
    assert apply(client).status_code == 422  # sent at once after opening the form
    shown = client.get("/programs/a1/apply").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]*)"', shown).group(1)
    assert apply(client, started=started.replace("a1.", "a2.")).status_code == 422  # a forged stamp
    clock = flood.time.time
    monkeypatch.setattr(flood.time, "time", lambda: clock() + 10)  # ten seconds later
    status_path(apply(client, started=started))


def test_beyond_the_programs_pace_an_application_is_stored_and_counts_once_the_provider_opens_it(world):
    world.config["ENROLLMENT_LIMIT_PROGRAM"] = "2 per hour"
    for name in ("Аня", "Борис"):
        status_path(apply(world.test_client(), child_name=name))
    third = status_path(apply(world.test_client(), child_name="Вера", phone="+7 900 000-33-33"))
    assert len(applications(world)) == 3 and "подана" in world.test_client().get(third).get_data(as_text=True)
    assert world.test_client().get("/api/v1/programs/a1").get_json()["queue"]["waiting"] == 2
    signed_in(world, "a@school.example.org").get(f"/provider/applications/{applications(world)[2].id}")
    assert world.test_client().get("/api/v1/programs/a1").get_json()["queue"]["waiting"] == 3


def test_withdrawal_erases_at_once_and_the_purge_erases_after_the_retention(world, runner, client):
    withdrawn, kept = status_path(apply(client)), status_path(apply(client, child_name="Зоя"))
    withdraw(client, withdrawn)
    page = client.get(withdrawn).get_data(as_text=True)
    assert "отозвана" in page and "Проверкина" not in page and "Зиновий" not in page
    provider = signed_in(world, "a@school.example.org")
    number = applications(world)[1].id
    post(provider, f"/provider/applications/{number}/accept")
    assert "0 application(s)" in runner.invoke(args=["purge-applications"]).output
    with database(world).session_factory() as session:
        session.get(Application, number).final_at -= dt.timedelta(days=91)
        session.commit()
    result = runner.invoke(args=["purge-applications"])
    assert result.exit_code == 0 and "1 application(s)" in result.output
    assert all(a.personal is None and a.phone_key is None for a in applications(world))
    assert "Зоя" not in client.get(kept).get_data(as_text=True)
    counts = signed_in(world, "admin@example.org").get("/municipal/applications").get_data(as_text=True)
    assert "<td>2</td></tr>" in counts  # both counted still


def test_personal_fields_are_encrypted_at_rest_and_never_in_the_index_or_api(world, client, tmp_path, runner):
    status_path(apply(client, child_name="Евлампия"))
    database_file = Path(world.config["DATABASE_URL"].removeprefix("sqlite:///"))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    if database_file.exists():
        assert b"\xd0\x95\xd0\xb2\xd0\xbb" not in b"".join(p.read_bytes() for p in files)  # «Евл»
    assert "Евлампия" not in client.get("/api/v1/programs", query_string={"q": "Евлампия"}).get_data(as_text=True)
    assert "Евлампия" not in client.get("/api/v1/programs/a1").get_data(as_text=True)
    assert client.get("/api/v1/programs", query_string={"q": "Евлампия"}).get_json()["total"] == 0


def test_key_rotation_reseals_with_the_new_key(world, client, runner):
    from cryptography.fernet import Fernet

    from navigator.enrollment.sealing import Sealer

    path = status_path(apply(client))
    old, new = world.config["ENROLLMENT_KEY"], Fernet.generate_key().decode()
    world.config["ENROLLMENT_KEY"] = f"{new} {old}"
    world.extensions.pop("navigator.enrollment_sealer", None)
    assert "1 application(s)" in runner.invoke(args=["rotate-enrollment-key"]).output
    sealed = applications(world)[0].personal
    assert Sealer.from_setting(new).open(sealed)["child_name"] == "Зиновий"
    world.config["ENROLLMENT_KEY"] = new
    world.extensions.pop("navigator.enrollment_sealer", None)
    assert "Зиновий" in client.get(path).get_data(as_text=True)


def test_every_view_of_personal_data_is_in_the_admin_access_log(world, client):
    status_path(apply(client))
    number = applications(world)[0].id
    provider = signed_in(world, "a@school.example.org")
    provider.get(f"/provider/applications/{number}")
    provider.get(f"/provider/applications/{number}")
    with database(world).session_factory() as session:
        assert len(session.scalars(select(ApplicationAccess)).all()) == 2
    log = signed_in(world, "admin@example.org").get("/admin/access-log").get_data(as_text=True)
    assert log.count("a@school.example.org") == 2 and f"№ {number}" in log and "Зиновий" not in log


#: The site's hostile corpus (tests/test_hostile.py) plus what only a contact form meets (header injection).
HOSTILE = [*INERT.values(), *REFUSED.values(), "'; DROP TABLE application; --", "\r\nBcc: victim@example.org",
           "%s%n%x", "１２３４", "  "]


@pytest.mark.parametrize("field", ["parent_name", "phone", "email", "child_name", "child_birth_year", "comment",
                                   "consent"])
def test_hostile_values_through_the_form(world, field):
    """No value breaks the form: refused with a message, or stored and shown escaped; no header injection."""
    world.config["ENROLLMENT_LIMIT_CLIENT"] = world.config["ENROLLMENT_LIMIT_PROGRAM"] = "1000 per hour"
    provider = signed_in(world, "a@school.example.org")
    for number, value in enumerate(HOSTILE):
        client = world.test_client()
        answer = apply(client, **{field: value, "child_name": f"Ребёнок{number}"} if field != "child_name"
                       else {field: value})
        assert answer.status_code in (303, 409, 422), (value, answer.status_code)
        page = (client.get(answer.headers["Location"]) if answer.status_code == 303 else answer).get_data(as_text=True)
        assert not LIVE_MARKUP.findall(page) and "\x00" not in page and "\u202e" not in page
        assert "1337000" not in page and "test-secret" not in page  # text, never a template
        if answer.status_code == 303:
            number = applications(world)[-1].id
            shown = provider.get(f"/provider/applications/{number}").get_data(as_text=True)
            assert not LIVE_MARKUP.findall(shown) and "1337000" not in shown and "test-secret" not in shown


def test_the_card_follows_the_queue_and_private_pages_are_never_revalidated(world):
    visitor = world.test_client()  # no session cookie: the program page gets an ETag
    tag = visitor.get("/programs/a1").headers["ETag"].strip('"')
    path = status_path(apply(world.test_client()))
    again = visitor.get("/programs/a1", headers={"If-None-Match": f'"{tag}"'})
    assert again.status_code == 200 and "в очереди 1\u00a0заявка" in again.get_data(as_text=True)
    private = world.test_client().get(path)
    assert "ETag" not in private.headers and private.headers["Cache-Control"] == "no-store"
    assert "ETag" not in world.test_client().get("/programs/a1/apply").headers


def test_opening_an_application_logs_the_view_and_changes_nothing_else(world, client):
    """Issue 23 (Info): GET /provider/applications/<id> moved «подана» to «рассматривается». A GET only shows
    (and logs who saw the personal data); taking the application in hand is a POST of its own."""
    path = status_path(apply(client))
    number = applications(world)[0].id
    provider = signed_in(world, "a@school.example.org")
    for _ in range(2):
        assert provider.get(f"/provider/applications/{number}").status_code == 200
    with database(world).session_factory() as session:
        found = session.get(Application, number)
        assert found.state == "submitted" and [event.state for event in found.events] == ["submitted"]
        assert len(session.scalars(select(ApplicationAccess)).all()) == 2
    assert "подана" in client.get(path).get_data(as_text=True)
    assert post(provider, f"/provider/applications/{number}/review").status_code == 302
    assert applications(world)[0].state == "reviewing"
    again = post(provider, f"/provider/applications/{number}/review", follow_redirects=True)
    assert "нельзя взять в работу" in again.get_data(as_text=True) and applications(world)[0].state == "reviewing"
    assert "Взять в работу" not in provider.get(f"/provider/applications/{number}").get_data(as_text=True)


def test_a_freed_place_mails_the_next_parent_a_link_on_the_sites_address_whatever_the_host(world, mailbox):
    """Issue 23, finding 2: a withdrawal sent with `Host: evil.example` mailed the next parent on the waiting list
    `http://evil.example/applications/<her token>`. Links now start with NAVIGATOR_BASE_URL."""
    world.config["BASE_URL"] = "https://navigator.example"
    provider = signed_in(world, "a@school.example.org")
    post(provider, "/provider/programs/a1/quick", {"seats_free": "1", "seats_total": "15", "schedule": "Сб 10:00"})
    attacker, victim = world.test_client(), world.test_client()
    attacker.environ_base["HTTP_HOST"] = "evil.example"  # every request of hers says Host: evil.example
    attacker_path = status_path(apply(attacker, child_name="Аня", email="p0@example.org", phone="+7 900 000-00-00"))
    assert post(provider, f"/provider/applications/{applications(world)[0].id}/accept").status_code == 302
    victim_path = status_path(apply(victim, child_name="Борис", email="p1@example.org", phone="+7 900 000-00-01"))
    assert applications(world)[1].state == "waitlisted"

    assert withdraw(attacker, attacker_path).status_code == 303  # sent with Host: evil.example
    offered = mailbox[-1]
    assert offered["To"] == "p1@example.org" and "рассматривается" in offered["Subject"]
    assert f"https://navigator.example{victim_path}" in body(offered) and "evil.example" not in body(offered)
    # Applying with a forged Host mails the parent a link to this site too.
    assert f"https://navigator.example{attacker_path}" in body(mailbox[0]) and "evil.example" not in body(mailbox[0])
