"""The provider's cabinet through the HTTP client: the list, the program form, quick edits, archiving, upload."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from navigator.accounts.models import ProgramChange, ProgramRevision
from navigator.catalogue.models import Program, Venue
from navigator.catalogue.validation import COLUMNS, validate_record
from tests.cabinet import (
    MUNICIPALITY_A,
    ORG_A,
    ORG_B,
    add_account,
    log_in,
    post,
    program,
    program_form,
)
from tests.factories import make_row, write_csv


def found(client, query: str) -> list[str]:
    """Program ids a parent finds by search (the JSON API runs the same search as the page)."""
    return [item["id"] for item in client.get("/api/v1/programs", query_string={"q": query}).get_json()["items"]]


def field_error(html: str, name: str) -> str:
    match = re.search(rf'id="{name}-error">([^<]*)<', html)
    return match.group(1) if match else ""


def test_the_list_shows_only_the_organizations_programs_with_state_and_places(provider):
    html = provider.get("/provider").get_data(as_text=True)
    assert "Шахматы" in html and "Робототехника" in html and "Хореография" not in html
    assert "опубликована" in html and 'name="seats_free" value="4"' in html


def test_a_new_program_waits_for_moderation_and_is_not_public_meanwhile(provider, session):
    answer = post(provider, "/provider/organizations/oA/programs/new", program_form())
    assert answer.status_code == 302 and answer.headers["Location"] == "/provider"
    assert program(session, "a-new") is None
    revision = session.scalar(select(ProgramRevision).where(ProgramRevision.public_id == "a-new"))
    assert revision.state == "pending" and revision.record["title"] == "Юные инженеры"
    assert revision.record["organization"] == ORG_A["organization"] and revision.municipality.name == MUNICIPALITY_A
    html = provider.get("/provider").get_data(as_text=True)
    assert "Юные инженеры" in html and "на проверке" in html
    assert found(provider, "инженеры") == [] and provider.get("/programs/a-new").status_code == 404


def test_form_errors_are_the_validation_modules_and_stand_next_to_their_fields(provider, session):
    data = program_form(age_min="20", age_max="", enrollment=["Платно"], price_rub="", program_id="b1",
                        program_url="ftp://x", municipality="Атлантида")
    answer = post(provider, "/provider/organizations/oA/programs/new", data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    _, expected = validate_record({**make_row(), "age_min": "20", "age_max": "", "price_rub": "",
                                   "enrollment": "Платно", "program_url": "ftp://x"})
    for error in expected:
        assert error.message[1:] in field_error(html, error.column), error
    assert "занят другой программой" in field_error(html, "program_id")
    assert "нет в каталоге" in field_error(html, "municipality")
    assert 'value="Юные инженеры"' in html  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(ProgramRevision)) == 0


def test_a_draft_is_kept_then_submitted_then_withdrawn(provider, session):
    post(provider, "/provider/organizations/oA/programs/new", program_form(submit="", save="Сохранить черновик"))
    revision = session.scalar(select(ProgramRevision))
    assert revision.state == "draft" and "черновик" in provider.get("/provider").get_data(as_text=True)
    page = provider.get(f"/provider/revisions/{revision.id}").get_data(as_text=True)
    assert 'value="Юные инженеры"' in page
    post(provider, f"/provider/revisions/{revision.id}", program_form(title="Юные инженеры 2"))
    session.expire_all()
    assert revision.state == "pending" and revision.record["title"] == "Юные инженеры 2"
    post(provider, f"/provider/revisions/{revision.id}/withdraw")
    session.expire_all()
    assert revision.state == "withdrawn" and "Юные инженеры" not in provider.get("/provider").get_data(as_text=True)


def test_a_change_to_a_published_program_keeps_the_published_version_until_approved(provider, session):
    form = provider.get("/provider/programs/a1/edit").get_data(as_text=True)
    assert 'value="Шахматы"' in form and "Код программы" in form
    data = program_form(title="Шахматы и шашки", venue=str(program(session, "a1").venue_id), program_id="ignored")
    assert post(provider, "/provider/programs/a1/edit", data).status_code == 302
    post(provider, "/provider/programs/a1/edit", {**data, "title": "Шахматы, шашки, го"})
    revisions = session.scalars(select(ProgramRevision).where(ProgramRevision.public_id == "a1")).all()
    assert len(revisions) == 1 and revisions[0].record["title"] == "Шахматы, шашки, го"
    assert revisions[0].record["address"] == ORG_A["address"]  # the chosen venue's address
    assert program(session, "a1").title == "Шахматы" and found(provider, "шахматы") == ["a1"]
    assert "изменения на проверке" in provider.get("/provider").get_data(as_text=True)


def test_free_places_and_schedule_change_at_once_and_are_logged(provider, session):
    answer = post(provider, "/provider/programs/a1/quick", {"seats_free": "0", "seats_total": "15",
                                                            "schedule": "Сб 10:00–11:30"})
    assert answer.status_code == 302
    changed = program(session, "a1")
    assert (changed.seats_free, changed.schedule) == (0, "Сб 10:00–11:30")
    assert provider.get("/api/v1/programs/a1").get_json()["seats_free"] == 0
    entry = session.scalar(select(ProgramChange).where(ProgramChange.program_id == changed.id))
    assert entry.event == "quick_edit" and entry.changes["seats_free"] == ["4", "0"]
    post(provider, "/provider/programs/a1/quick", {"seats_free": "99", "seats_total": "15", "schedule": ""})
    assert program(session, "a1").seats_free == 0
    assert "свободных мест больше, чем всего" in provider.get("/provider").get_data(as_text=True)


def test_quick_edit_also_updates_a_waiting_revision(provider, session):
    post(provider, "/provider/programs/a1/edit", program_form(venue=str(program(session, "a1").venue_id)))
    post(provider, "/provider/programs/a1/quick", {"seats_free": "1", "seats_total": "15", "schedule": "Пн 9:00"})
    revision = session.scalar(select(ProgramRevision).where(ProgramRevision.public_id == "a1"))
    assert (revision.record["seats_free"], revision.record["schedule"]) == ("1", "Пн 9:00")


def test_archiving_takes_a_program_out_of_search_at_once(provider, session):
    assert found(provider, "шахматы") == ["a1"]
    assert post(provider, "/provider/programs/a1/archive").status_code == 302
    assert program(session, "a1").status == "archived"
    assert found(provider, "шахматы") == [] and provider.get("/programs/a1").status_code == 410


def test_without_moderation_a_new_program_is_published_at_once(app, provider, session):
    app.config["MODERATION"] = False
    assert "Опубликовать" in provider.get("/provider/organizations/oA/programs/new").get_data(as_text=True)
    post(provider, "/provider/organizations/oA/programs/new", program_form(lat="55.360000", lon="86.100000"))
    created = program(session, "a-new")
    assert created.status == "active" and found(provider, "инженеры") == ["a-new"]
    assert (created.venue.lat, created.venue.point_source) == (55.36, "provider")  # the dragged pin
    entry = session.scalar(select(ProgramChange).where(ProgramChange.event == "published"))
    assert entry.program_id == created.id and entry.changes["title"] == ["", "Юные инженеры"]


def _upload(client, path, archive_missing=False):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
    if archive_missing:
        data["archive_missing"] = "y"
    return post(client, "/provider/upload", data, content_type="multipart/form-data")


def _state(session) -> tuple:
    session.expire_all()
    return (session.scalars(select(Program.title).order_by(Program.id)).all(),
            session.scalars(select(Program.status).order_by(Program.id)).all(),
            session.scalar(select(func.count()).select_from(ProgramRevision)))


def test_upload_preview_lists_every_error_by_line_and_column_and_changes_nothing(provider, session, tmp_path):
    before = _state(session)
    rows = [make_row(1, program_id="a1", **ORG_A), make_row(2, program_id="a9", age_min="x", **ORG_A),
            make_row(3, program_id="b9", **ORG_B), make_row(4, program_id="b1", **ORG_A)]
    answer = _upload(provider, write_csv(tmp_path / "bad.csv", rows))
    preview = provider.get(answer.headers["Location"]).get_data(as_text=True)
    assert "В файле ошибок: 3" in preview
    for line, column, message in ((3, "age_min", "должно быть целым числом"),
                                  (4, "organization_id", "строки других организаций не принимаются"),
                                  (5, "program_id", "занят программой другой организации")):
        assert re.search(rf"<td>{line}</td><td><code>{column}</code></td><td>[^<]*{message}", preview), (line, column)
    token = answer.headers["Location"].rsplit("/", 1)[1]
    assert post(provider, f"/provider/upload/{token}/confirm").status_code == 302
    assert _state(session) == before


def test_upload_preview_shows_how_the_file_was_read_and_its_warnings(provider, session, tmp_path):
    rows = [make_row(1, program_id="a1", **ORG_A), make_row(5, program_id="a5", **ORG_A)]
    for row, age in zip(rows, ("6–18 лет", "кружок для всех"), strict=True):
        row.update(age=age, age_min="", age_max="", title=f"  {row['title']}   ")
    path = write_csv(tmp_path / "programs.csv", rows, delimiter=";", columns=(*COLUMNS, "age"))
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    before = _state(session)
    preview = provider.get(_upload(provider, path).headers["Location"]).get_data(as_text=True)
    assert "Windows-1251" in preview and "точка с запятой" in preview
    assert "Предупреждения: 1" in preview
    assert re.search(r"<td>3</td><td><code>age</code></td><td>кружок для всех</td><td>возраст не распознан", preview)
    assert "новых программ: <strong>1</strong>" in preview
    assert _state(session) == before


def test_upload_previews_then_submits_for_moderation_only_when_confirmed(provider, session, tmp_path):
    rows = [make_row(1, program_id="a1", title="Шахматы для всех", **ORG_A),
            make_row(5, program_id="a5", title="Керамика", direction="Художественная", **ORG_A)]
    answer = _upload(provider, write_csv(tmp_path / "programs.csv", rows), archive_missing=True)
    before = _state(session)
    preview = provider.get(answer.headers["Location"]).get_data(as_text=True)
    assert re.search(r"новых программ: <strong>1</strong>.*изменённых: <strong>1</strong>.*в архив: <strong>1"
                     r"</strong>", preview, re.S)
    assert "Керамика" in preview and "Робототехника" in preview  # a2 is not in the file: archived
    assert _state(session) == before
    confirmed = post(provider, answer.headers["Location"] + "/confirm")
    assert confirmed.status_code == 302
    assert program(session, "a2").status == "archived" and program(session, "a1").title == "Шахматы"
    waiting = session.scalars(select(ProgramRevision.public_id).where(ProgramRevision.state == "pending")).all()
    assert sorted(waiting) == ["a1", "a5"]
    assert provider.get(answer.headers["Location"]).status_code == 404  # the stored file is gone


def test_upload_without_moderation_applies_all_rows_at_once(app, provider, session, tmp_path):
    app.config["MODERATION"] = False
    rows = [make_row(1, program_id="a1", title="Шахматы для всех", **ORG_A),
            make_row(5, program_id="a5", title="Керамика", direction="Художественная", **ORG_A)]
    answer = _upload(provider, write_csv(tmp_path / "programs.csv", rows))
    post(provider, answer.headers["Location"] + "/confirm")
    assert program(session, "a1").title == "Шахматы для всех" and program(session, "a5").status == "active"
    assert program(session, "a2").status == "active"  # archiving the rest was not asked for
    assert found(provider, "керамика") == ["a5"]
    events = session.scalars(select(ProgramChange.event)).all()
    assert sorted(events) == ["uploaded", "uploaded"]


def test_the_catalogues_organization_details_win_over_the_files(app, provider, session, tmp_path):
    app.config["MODERATION"] = False
    rows = [make_row(1, program_id="a1", **{**ORG_A, "organization": "Переименованная школа"})]
    answer = _upload(provider, write_csv(tmp_path / "programs.csv", rows))
    post(provider, answer.headers["Location"] + "/confirm")
    assert program(session, "a1").organization.name == ORG_A["organization"]


def test_a_new_address_is_a_new_venue_placed_by_the_geocoding_chain(app, provider, session):
    app.config["MODERATION"] = False
    post(provider, "/provider/programs/a1/edit", program_form(venue="new", address="г. Кемерово, ул. Новая, 9"))
    venue = program(session, "a1").venue
    assert venue.address == "г. Кемерово, ул. Новая, 9"
    # The geocoder is off in tests: the offline gazetteer places the address at its settlement.
    assert (venue.point_source, venue.precision) == ("gazetteer", "settlement") and 55 < venue.lat < 56
    assert session.scalar(select(func.count()).select_from(Venue)) == 3  # the old venue stays


# --- a long list ---------------------------------------------------------------------------------------

def _listed(html: str) -> list[str]:
    """Program codes in the list's rows, in their order."""
    return re.findall(r'<span class="muted code">([^<]+)</span>', html)


def test_an_organization_with_hundreds_of_programs_gets_pages(app, client, tmp_path):
    from tests.factories import load_programs

    load_programs(app, [make_row(n, program_id=f"a{n:03}", title=f"Кружок {n:03}", **ORG_A) for n in range(120)]
                  + [make_row(200, program_id="b1", **ORG_B)], tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA", "oB"])
    log_in(client, "school@example.org")
    post(client, "/provider/organizations/oA/programs/new", program_form(title="Аа новая"))
    first = client.get("/provider").get_data(as_text=True)  # oA sorts first by name («МБОУ» < «МБУ ДО»)
    assert "Программ: 121." in first and "Страница 1 из 3" in first
    assert _listed(first)[:3] == ["a-new", "a000", "a001"] and len(_listed(first)) == 50  # the new one first
    pages = [_listed(client.get("/provider", query_string={"page": n}).get_data(as_text=True)) for n in (2, 3)]
    assert pages[0][0] == "a049" and len(pages[1]) == 21 and pages[1][-1] == "a119"
    other = client.get("/provider", query_string={"organization": "oB"}).get_data(as_text=True)
    assert _listed(other) == ["b1"] and "Страница" not in other


@pytest.mark.parametrize(("page", "shown", "notice"), [
    ("x", 1, "Номер страницы «x» не понят: показана первая страница."),
    ("²", 1, "Номер страницы «²» не понят"), ("1" * 25, 1, "не понят"), ("-1", 1, "не понят"), ("0", 1, "не понят"),
    ("9", 3, "Страницы 9 нет: показана последняя, 3-я."), ("2", 2, None)])
def test_a_bad_page_of_the_list_is_dropped_with_a_notice(app, client, tmp_path, page, shown, notice):
    from tests.factories import load_programs

    load_programs(app, [make_row(n, program_id=f"a{n:03}", **ORG_A) for n in range(101)], tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    log_in(client, "school@example.org")
    answer = client.get("/provider", query_string={"page": page})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f"Страница {shown} из 3" in html
    assert (notice in html) if notice else 'class="notice' not in html


def test_another_organizations_list_is_never_shown(provider):
    html = provider.get("/provider", query_string={"organization": "oB"}).get_data(as_text=True)
    assert "Хореография" not in html and "Шахматы" in html and "Такой организации в вашем кабинете нет" in html


def test_a_quick_edit_returns_to_the_page_of_the_list_it_was_made_on(app, client, tmp_path):
    from tests.factories import load_programs

    load_programs(app, [make_row(n, program_id=f"a{n:03}", **ORG_A) for n in range(60)], tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    log_in(client, "school@example.org")
    answer = post(client, "/provider/programs/a055/quick", {"seats_total": "20", "seats_free": "3", "page": "2",
                                                           "schedule": "Пн 10:00"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/provider?organization=oA&page=2"
