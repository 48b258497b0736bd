"""Moderation: the queue by municipality, approving and returning, archiving with a reason, history."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import event, select

from navigator.accounts import moderation
from navigator.accounts.models import ProgramChange, ProgramRevision
from navigator.catalogue.program_rows import differences
from tests.cabinet import (
    MUNICIPALITY_A,
    MUNICIPALITY_B,
    ORG_B,
    account,
    add_account,
    log_in,
    post,
    program,
    program_form,
    seed_catalogue,
)
from tests.factories import load_programs, make_row
from tests.test_provider import found


@pytest.fixture
def people(app, tmp_path):
    """Signed-in clients: the provider of A, staff of municipality A, staff of B, an admin."""
    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    add_account(app, "staff-a@example.org", "municipal", municipalities=[MUNICIPALITY_A])
    add_account(app, "staff-b@example.org", "municipal", municipalities=[MUNICIPALITY_B])
    add_account(app, "admin@example.org", "admin")
    clients = {}
    for name, email in (("provider", "school@example.org"), ("staff_a", "staff-a@example.org"),
                        ("staff_b", "staff-b@example.org"), ("admin", "admin@example.org")):
        clients[name] = app.test_client()
        assert log_in(clients[name], email).status_code == 302
    return clients


def _pending(session, public_id: str) -> ProgramRevision:
    session.expire_all()
    return session.scalar(select(ProgramRevision).where(ProgramRevision.public_id == public_id))


def test_the_queue_shows_each_municipality_its_own_changes(people, session):
    post(people["provider"], "/provider/organizations/oA/programs/new", program_form())
    assert "Юные инженеры" in people["staff_a"].get("/municipal").get_data(as_text=True)
    assert "Юные инженеры" not in people["staff_b"].get("/municipal").get_data(as_text=True)
    assert "Юные инженеры" in people["admin"].get("/municipal").get_data(as_text=True)
    revision = _pending(session, "a-new")
    assert people["staff_b"].get(f"/municipal/revisions/{revision.id}").status_code == 404


def test_approval_publishes_and_a_parent_finds_it_within_a_second(people, client, session):
    post(people["provider"], "/provider/organizations/oA/programs/new", program_form())
    revision = _pending(session, "a-new")
    page = people["staff_a"].get(f"/municipal/revisions/{revision.id}").get_data(as_text=True)
    assert "Новая программа" in page and "Юные инженеры" in page
    assert found(client, "инженеры") == []
    started = time.monotonic()
    answer = post(people["staff_a"], f"/municipal/revisions/{revision.id}/approve")
    assert answer.status_code == 302 and found(client, "инженеры") == ["a-new"]
    assert time.monotonic() - started < 1.0
    published = program(session, "a-new")
    assert published.status == "active" and published.venue.address == "г. Кемерово, ул. Новая, 7"
    assert _pending(session, "a-new").state == "approved"
    events = session.scalars(select(ProgramChange.event).where(ProgramChange.program_id == published.id)
                             .order_by(ProgramChange.id)).all()
    assert events == ["submitted", "approved"]
    assert "опубликована" in people["provider"].get("/provider").get_data(as_text=True)


def test_a_change_is_shown_as_a_diff_and_applied_on_approval(people, client, session):
    venue_id = str(program(session, "a1").venue_id)
    post(people["provider"], "/provider/programs/a1/edit", program_form(title="Шахматы и шашки", venue=venue_id,
                                                                        seats_free="4", seats_total="15"))
    revision = _pending(session, "a1")
    page = people["staff_a"].get(f"/municipal/revisions/{revision.id}").get_data(as_text=True)
    assert re.search(r"Название</th><td class=\"diff__old\">Шахматы</td><td class=\"diff__new\">Шахматы и шашки",
                     page)
    post(people["admin"], f"/municipal/revisions/{revision.id}/approve")
    changed = program(session, "a1")
    assert changed.title == "Шахматы и шашки" and found(client, "шашки") == ["a1"]
    history = people["staff_a"].get("/municipal/programs/a1").get_data(as_text=True)
    assert "одобрено и опубликовано, admin@example.org" in history
    assert "отправлено на проверку, school@example.org" in history
    assert re.search(r"Название</th><td class=\"diff__old\">Шахматы</td><td class=\"diff__new\">Шахматы и шашки",
                     history)


def test_returning_needs_a_comment_and_the_provider_sees_it(people, session):
    post(people["provider"], "/provider/organizations/oA/programs/new", program_form())
    revision = _pending(session, "a-new")
    post(people["staff_a"], f"/municipal/revisions/{revision.id}/return", {"reason": "  "})
    assert _pending(session, "a-new").state == "pending"
    post(people["staff_a"], f"/municipal/revisions/{revision.id}/return", {"reason": "Уточните расписание."})
    assert _pending(session, "a-new").state == "returned"
    cabinet = people["provider"].get("/provider").get_data(as_text=True)
    assert "возвращена на доработку" in cabinet and "Уточните расписание." in cabinet
    assert "Юные инженеры" not in people["staff_a"].get("/municipal").get_data(as_text=True)
    post(people["provider"], f"/provider/revisions/{revision.id}", program_form(schedule="Вт 16:00–17:30"))
    assert _pending(session, "a-new").state == "pending"


def test_staff_archive_with_a_reason_recorded_in_the_history(people, client, session):
    post(people["staff_a"], "/municipal/programs/a1/archive", {"reason": ""})
    assert program(session, "a1").status == "active"
    post(people["staff_a"], "/municipal/programs/a1/archive", {"reason": "Кружок закрыт с 1 сентября."})
    assert program(session, "a1").status == "archived" and client.get("/programs/a1").status_code == 410
    history = people["staff_a"].get("/municipal/programs/a1").get_data(as_text=True)
    assert "перенесено в архив, staff-a@example.org" in history and "Кружок закрыт с 1 сентября." in history
    assert re.search(r"Состояние</th><td class=\"diff__old\">Действует</td><td class=\"diff__new\">В архиве", history)


def test_approval_rechecks_the_record_and_refuses_a_code_taken_meanwhile(app, people, session, tmp_path):
    post(people["provider"], "/provider/organizations/oA/programs/new", program_form(program_id="late"))
    load_programs(app, [make_row(9, program_id="late", **ORG_B)], tmp_path)  # an import got there first
    revision = _pending(session, "late")
    answer = post(people["staff_a"], f"/municipal/revisions/{revision.id}/approve")
    assert answer.status_code == 302 and _pending(session, "late").state == "pending"
    assert program(session, "late").organization.public_id == "oB"
    assert "занят другой программой" in people["staff_a"].get(answer.headers["Location"]).get_data(as_text=True)


def test_staff_list_their_municipalitys_programs_and_filter_them(people):
    html = people["staff_a"].get("/municipal/programs").get_data(as_text=True)
    assert "Шахматы" in html and "Робототехника" in html and "Хореография" not in html
    filtered = people["staff_a"].get("/municipal/programs", query_string={"q": "шахм"}).get_data(as_text=True)
    assert "Шахматы" in filtered and "Робототехника" not in filtered
    everywhere = people["admin"].get("/municipal/programs").get_data(as_text=True)
    assert "Хореография" in everywhere and "Шахматы" in everywhere


def test_only_a_waiting_revision_can_be_approved_or_returned(people, session):
    post(people["provider"], "/provider/organizations/oA/programs/new",
         program_form(submit="", save="Сохранить черновик"))
    draft = _pending(session, "a-new")
    staff = account(session, "staff-a@example.org")
    with pytest.raises(moderation.ModerationError):
        moderation.approve(session, staff, draft)
    with pytest.raises(moderation.ModerationError):
        moderation.return_revision(session, staff, draft, "нет")
    assert "a-new" not in people["staff_a"].get("/municipal").get_data(as_text=True)


def test_moderation_leaves_the_commit_to_its_caller(people, session):
    """The functions add to the caller's transaction (a view commits it): a rollback undoes all they did."""
    post(people["provider"], "/provider/organizations/oA/programs/new", program_form())
    staff, waiting = account(session, "staff-a@example.org"), _pending(session, "a-new")
    chess, robots = program(session, "a1"), program(session, "a2")
    commits = []
    event.listen(session, "before_commit", commits.append)
    moderation.approve(session, staff, waiting)
    moderation.archive_program(session, staff, chess, "закрыта")
    moderation.quick_edit(session, staff, robots, {"seats_total": "30", "seats_free": "3", "schedule": "Пн 15:00"})
    assert commits == []
    session.rollback()
    assert program(session, "a-new") is None and program(session, "a1").status == "active"
    assert program(session, "a2").schedule != "Пн 15:00" and _pending(session, "a-new").state == "pending"


def test_differences_name_only_the_columns_that_changed():
    assert differences({"title": "А", "age_min": "7"}, {"title": "Б", "age_min": "7", "teacher": "В"}) == {
        "title": ["А", "Б"], "teacher": ["", "В"]}
