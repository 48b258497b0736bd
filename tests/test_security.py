"""Hardening (issue 15): the independent probe's findings, each as a regression test, and the headers."""

from __future__ import annotations

import csv
import io
import re
import time

import openpyxl
import pytest
from sqlalchemy import func, select

from navigator.accounts.models import ProgramRevision
from navigator.catalogue.spreadsheet import Table, formula_restored, formula_safe, to_xlsx
from navigator.catalogue.validation import COLUMNS
from tests.cabinet import (
    MUNICIPALITY_A,
    ORG_A,
    account,
    add_account,
    csrf_token,
    log_in,
    post,
    program_form,
    seed_catalogue,
)
from tests.factories import load_programs, make_row, write_csv

HYPERLINK = '=HYPERLINK("https://evil.example/d","Район")'


# --- headers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/programs", "/no-such-page", "/coverage"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored or wrong
    assert "max-age=" in client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"]


def test_signed_in_pages_are_not_stored_by_caches(app, client):
    add_account(app, "admin@example.org", "admin")
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    log_in(client, "admin@example.org")
    assert client.get("/admin").headers["Cache-Control"] == "no-store"  # shows one-time password links


def test_an_undeclared_method_answers_405_with_allow(client):
    answer = client.open("/api/v1/programs", method="TRACE")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert answer.get_json()["error"]["status"] == 405
    assert "GET" in client.open("/", method="TRACE").headers["Allow"]


# --- open redirect -------------------------------------------------------------------------------------

HOSTILE_NEXT = ["/\t/evil.example/phish", "/\r\n/evil.example", "//evil.example", "/\\evil.example",
                "https://evil.example", "/ /evil.example", "\\\\evil.example", "/\x00/evil",
                "javascript:alert(1)", "/\u2028/evil.example"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_low_vision_switch_never_leaves_the_site(client, target):
    answer = client.get("/low-vision", query_string={"on": "1", "next": target})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_low_vision_switch_returns_to_a_local_page(client):
    answer = client.get("/low-vision", query_string={"on": "1", "next": "/programs/a1?x=1"})
    assert answer.headers["Location"] == "/programs/a1?x=1"


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6])
def test_log_in_never_redirects_to_another_site(app, client, target):
    add_account(app, "admin@example.org", "admin")
    answer = client.post("/login", query_string={"next": target}, data={
        "email": "admin@example.org", "password": "верный-пароль-2026", "csrf_token": csrf_token(client)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin"


# --- 500s from big numbers -----------------------------------------------------------------------------

HUGE = "9" * 25


def test_huge_ids_and_page_numbers_are_not_found_or_refused(app, client, tmp_path):
    seed_catalogue(app, tmp_path)
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    for path in (f"/provider/revisions/{HUGE}", f"/municipal/revisions/{HUGE}"):
        assert client.get(path).status_code in (403, 404)
    for path in (f"/provider/revisions/{HUGE}/withdraw", f"/municipal/revisions/{HUGE}/approve",
                 f"/admin/accounts/{HUGE}/link", f"/admin/accounts/{HUGE}/active"):
        assert post(client, path).status_code in (403, 404)
    for page in (HUGE, "²", "-1", "0", "x"):
        answer = client.get("/municipal/programs", query_string={"page": page})
        assert answer.status_code == 400 and "Номер страницы" in answer.get_data(as_text=True)
    assert client.get("/municipal/programs", query_string={"page": "1"}).status_code == 200


def test_a_forged_session_with_a_huge_or_odd_account_number_is_anonymous(app):
    from navigator.accounts.registry import load_account
    from navigator.extensions import database

    with database(app).session_factory() as session:
        for user_id in (f"{HUGE}-key", "²-key", "-key", "1e5-key"):
            assert load_account(session, user_id) is None


def test_a_quick_edit_with_a_huge_number_is_a_message_not_a_500(app, tmp_path):
    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    provider = app.test_client()
    log_in(provider, "school@example.org")
    answer = post(provider, "/provider/programs/a1/quick", {"seats_total": "1" + "0" * 25, "seats_free": "1",
                                                            "schedule": "пн"}, follow_redirects=True)
    assert answer.status_code == 200 and "от 0 до 100000" in answer.get_data(as_text=True)


# --- sessions ------------------------------------------------------------------------------------------

def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_at_log_out(app, client):
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    stolen = _session_cookie(client)
    assert post(client, "/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin").status_code == 302  # to the log-in page


def test_switching_an_account_off_and_on_does_not_revive_its_cookies(app, client, session):
    add_account(app, "admin@example.org", "admin")
    staff_id = add_account(app, "staff@example.org", "admin")
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    stolen = _session_cookie(staff)
    log_in(client, "admin@example.org")
    post(client, f"/admin/accounts/{staff_id}/active")
    post(client, f"/admin/accounts/{staff_id}/active")
    assert account(session, "staff@example.org").active
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin").status_code == 302


def _clock_at(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(time, "time", lambda: seconds)


def test_a_session_idle_too_long_ends(app, client, monkeypatch):
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    start = time.time()
    _clock_at(monkeypatch, start + 59 * 60)
    assert client.get("/admin").status_code == 200
    _clock_at(monkeypatch, start + 59 * 60 + 61 * 60)
    assert client.get("/admin").status_code == 302


def test_an_active_session_ends_at_the_absolute_timeout(app, client, monkeypatch):
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    start = time.time()
    for step in range(1, 15):  # a request every 50 minutes: never idle
        _clock_at(monkeypatch, start + step * 50 * 60)
        assert client.get("/admin").status_code == (200 if step * 50 < 12 * 60 else 302)


def test_the_session_cookie_expires_with_the_absolute_timeout(app):
    assert app.permanent_session_lifetime.total_seconds() == app.config["SESSION_MAX_HOURS"] * 3600


# --- uploads -------------------------------------------------------------------------------------------

def _upload(client, data: bytes):
    return post(client, "/provider/upload", {"file": (io.BytesIO(data), "programs.csv")},
                content_type="multipart/form-data")


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(app, provider):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    answer = _upload(provider, b"x" * 60_000)
    assert answer.status_code == 413 and "Слишком большой" in answer.get_data(as_text=True)


def test_an_upload_with_too_many_rows_is_refused_with_a_message(app, provider, session, tmp_path):
    app.config["UPLOAD_MAX_ROWS"] = 3
    rows = [make_row(n, program_id=f"a{n}", **ORG_A) for n in range(10, 15)]
    answer = _upload(provider, write_csv(tmp_path / "long.csv", rows).read_bytes())
    assert answer.status_code == 422 and "не больше 3" in answer.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ProgramRevision)) == 0


def test_an_upload_with_a_giant_field_or_number_lists_the_error(provider, tmp_path):
    rows = [make_row(10, program_id="a10", seats_total="1" + "0" * 25, **ORG_A)]
    path = write_csv(tmp_path / "big.csv", rows)
    preview = provider.get(_upload(provider, path.read_bytes()).headers["Location"])
    assert preview.status_code == 200 and "от 0 до 100000" in preview.get_data(as_text=True)
    giant = path.read_text(encoding="utf-8").replace("Шахматы", "ш" * 140_000, 1)
    preview = provider.get(_upload(provider, giant.encode()).headers["Location"])
    assert preview.status_code == 200 and "не читается как CSV" in preview.get_data(as_text=True)


# --- spreadsheets --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+7 900", "-5", "@SUM(A1)", "\tx", "\rx", "'=x", "''=x", "'plain",
                                  "plain", ""])
def test_formula_safe_text_comes_back_unchanged(text):
    safe = formula_safe(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r")) and formula_restored(safe) == text


def test_an_xlsx_list_takes_time_in_proportion_to_its_rows():
    """Found by the long schemathesis run: /api/v1/programs.xlsx of 3,400 programs took over 10 s (each row
    looked up again through `max_row`, a scan of the whole sheet). Eight times the rows, about eight times the time."""
    def seconds(count: int) -> float:
        rows = [{column: f"=значение {n}" for column in COLUMNS} for n in range(count)]
        table = Table("Программы", {column: column for column in COLUMNS}, rows)
        times = []
        for _ in range(2):  # the better of two: the machine is shared
            start = time.perf_counter()
            to_xlsx(table)
            times.append(time.perf_counter() - start)
        return min(times)

    small, large = seconds(300), seconds(2400)
    assert large < 20 * small, (small, large)  # linear: about 8; the quadratic writer: over 30


def test_coverage_exports_neutralize_formulas_in_names(app, client, tmp_path):
    load_programs(app, [make_row(1, district=HYPERLINK)], tmp_path)
    text = client.get("/coverage/export/districts.csv",
                      query_string={"municipality": MUNICIPALITY_A}).data.decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text), delimiter=";")
    assert "'=HYPERLINK" in text and not any(cell.startswith("=") for row in rows for cell in row)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/coverage/export/districts.xlsx", query_string={
        "municipality": MUNICIPALITY_A}).data))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert HYPERLINK in [cell.value for cell in cells] and all(cell.data_type != "f" for cell in cells)


def test_program_lists_hold_every_match_in_the_import_columns(app, client, tmp_path):
    rows = [make_row(n, title=f"Шахматы {n}") for n in range(1, 31)] + [make_row(31, title=HYPERLINK)]
    load_programs(app, rows, tmp_path)
    answer = client.get("/api/v1/programs.csv", query_string={"per_page": 5})
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "31"
    assert "attachment" in answer.headers["Content-Disposition"]
    listed = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))  # Russian Excel's
    assert len(listed) == 31 and tuple(listed[0]) == COLUMNS
    assert "'" + HYPERLINK in [row["title"] for row in listed]
    filtered = client.get("/api/v1/programs.csv", query_string={"q": "шахматы 7"}).data.decode("utf-8-sig")
    assert "p7" in filtered
    assert client.get("/api/v1/programs.csv", query_string={"age": "99"}).status_code == 400
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/programs.xlsx").data))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert HYPERLINK in [cell.value for cell in cells] and all(cell.data_type != "f" for cell in cells)


def test_program_list_export_then_import_changes_nothing(app, client, session, tmp_path):
    from navigator.catalogue.importer import import_file

    rows = [make_row(1, title=HYPERLINK, phone="+7 3842 00-00-01", teacher="@учитель"),
            make_row(2, title="-минус", description="+плюс", address="г. Кемерово, ул. Южная, 1", lat="-33.5",
                     lon="-70.6", district="")]
    load_programs(app, rows, tmp_path)
    exported = tmp_path / "exported.csv"
    exported.write_bytes(client.get("/api/v1/programs.csv").data)
    summary = import_file(session, exported)
    assert (summary.rows, summary.unchanged, summary.created, summary.updated) == (2, 2, 0, 0)


def test_search_and_organization_pages_link_to_the_lists(app, client, tmp_path):
    load_programs(app, [make_row(1)], tmp_path)
    page = client.get("/", query_string={"q": "шахматы"}).get_data(as_text=True)
    assert "/api/v1/programs.csv?q=" in page and "/api/v1/programs.xlsx?q=" in page
    page = client.get("/organizations/o1").get_data(as_text=True)
    assert "/api/v1/programs.csv?organization=o1" in page


# --- passwords -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "fragment"), [("короткий", "не короче 10"), ("qwertyuiop", "распространённых"),
                                                    ("Password123", "распространённых")])
def test_weak_new_passwords_are_refused(app, client, password, fragment):
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    answer = post(client, "/password", {"current": "верный-пароль-2026", "password": password, "repeat": password})
    assert fragment in answer.get_data(as_text=True)
    assert log_in(app.test_client(), "admin@example.org", password).status_code == 401


def test_the_admin_reads_the_sign_in_log(app, client, tmp_path):
    seed_catalogue(app, tmp_path)
    add_account(app, "admin@example.org", "admin")
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    log_in(app.test_client(), "school@example.org", "не-тот-пароль")
    log_in(app.test_client(), "<b>ghost</b>@example.org", "x")
    school = app.test_client()
    log_in(school, "school@example.org")
    assert school.get("/admin/sign-ins").status_code == 403
    log_in(client, "admin@example.org")
    page = client.get("/admin/sign-ins").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<td>[^<]+</td>\s*<td>([^<]+)</td>\s*<td>[^<]+</td>\s*<td>([^<]+)</td>", page)
    assert rows == [("admin@example.org", "вход"), ("school@example.org", "вход"),
                    ("&lt;b&gt;ghost&lt;/b&gt;@example.org", "неудача"), ("school@example.org", "неудача")]
    assert "не-тот-пароль" not in page


def test_the_moderation_queue_is_paged(app, client, tmp_path, monkeypatch):
    from navigator.accounts import cabinet

    monkeypatch.setattr(cabinet, "PAGE_SIZE", 2)
    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    add_account(app, "staff@example.org", "municipal", municipalities=[MUNICIPALITY_A])
    school = app.test_client()
    log_in(school, "school@example.org")
    for number in range(3):
        post(school, "/provider/organizations/oA/programs/new", program_form(program_id=f"a-new{number}"))
    log_in(client, "staff@example.org")
    first = client.get("/municipal").get_data(as_text=True)
    assert "Ждут решения: 3." in first and "Страница 1 из 2" in first and first.count("/municipal/revisions/") == 2
    second = client.get("/municipal?page=2").get_data(as_text=True)
    assert second.count("/municipal/revisions/") == 1
    assert client.get(f"/municipal?page={HUGE}").status_code == 400
