"""A corpus of hostile values through the ways data enters, and out through the ways it leaves: inert everywhere.

Values that are plain text (markup, template syntax, formulas, emoji) are stored as typed and must come
out escaped in HTML, as data in JSON and JSON-LD, and as text in CSV/XLSX. Values that can only deceive
or break (bidirectional overrides, NUL and other control characters, `javascript:` links, 100 KB strings)
are refused at the door with a message saying why.
"""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from navigator.catalogue.validation import validate_record
from tests.cabinet import (
    MUNICIPALITY_A,
    ORG_A,
    add_account,
    log_in,
    post,
    seed_catalogue,
)
from tests.factories import load_programs, make_row, write_xlsx

#: Stored as typed, must stay inert wherever shown.
INERT = {
    "title": '<script>alert("t")</script>{{ 1337*1000 }}',
    "description": '<img src=x onerror=alert(1)> <svg onload=alert(2)> </script><script>alert(3)</script> 😀',
    "teacher": "${1337*1000} {% raw %}{{ config }}{% endraw %}",
    "schedule": '=HYPERLINK("https://evil.example","x")',
    "duration": "@SUM(1+1)",
    "profile": "+7 «<b>жирный</b>»",
    "organization": "МБОУ </title><script>alert(4)</script>",
    "address": "г. Кемерово, ул. <iframe src=javascript:alert(5)>, 1",
    "district": "-2+3 <style>*{display:none}</style>",
}
#: Refused by validation, with the column named.
REFUSED = {
    "title": "Шахматы\u202eавадаК",  # right-to-left override
    "teacher": "Иванов\x00",
    "schedule": "пн\x1b[31m",
    "website": "javascript:alert(1)",
    "program_url": "data:text/html,<script>alert(1)</script>",
    "description": "д" * 100_000,
}
#: The corpus's markup as it would appear if it were not escaped (the site's own markup never looks like this).
LIVE_MARKUP = re.compile(r'<script>alert|<img src=x|<svg onload|<iframe src=javascript|<style>\*|<b>жирный|'
                         r'</title><script>', re.IGNORECASE)


def _assert_inert_html(html: str) -> None:
    """No piece of the corpus is live markup, in the page or in its script elements (map data, JSON-LD)."""
    assert not LIVE_MARKUP.findall(html), LIVE_MARKUP.findall(html)
    assert "1337000" not in html  # no template was evaluated


@pytest.fixture(params=["csv", "xlsx"])
def hostile_app(app, tmp_path, request):
    """The corpus imported from a CSV and from a workbook (text cells: a formula-looking cell stays text)."""
    load_programs(app, [make_row(1, **INERT, lat="55.354900", lon="86.086800")], tmp_path, format=request.param)
    return app


@pytest.mark.parametrize("path", ["/", "/search", "/?q=script", "/programs/p1", "/organizations/o1", "/coverage",
                                  f"/coverage/{MUNICIPALITY_A}", "/?place=<script>alert(1)</script>"])
def test_hostile_text_is_escaped_in_every_page(hostile_app, client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    _assert_inert_html(answer.get_data(as_text=True))


def test_json_ld_and_map_data_keep_hostile_text_as_data(hostile_app, client):
    html = client.get("/programs/p1").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, flags=re.DOTALL).group(1)
    assert "<" not in block and json.loads(block)["name"] == INERT["title"]
    search = client.get("/search").get_data(as_text=True)
    assert "&lt;script&gt;" in search and "<script>alert" not in search


def test_the_api_returns_hostile_text_as_plain_json(hostile_app, client):
    answer = client.get("/api/v1/programs/p1")
    assert answer.mimetype == "application/json" and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.get_json()["title"] == INERT["title"]
    assert client.get("/api/v1/programs", query_string={"q": "script"}).get_json()["total"] == 1


def test_spreadsheets_hold_hostile_text_as_text(hostile_app, client):
    text = client.get("/api/v1/programs.csv").data.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text), delimiter=";"))  # the default dialect is Russian Excel's
    assert row["schedule"] == "'" + INERT["schedule"] and row["duration"] == "'" + INERT["duration"]
    assert row["district"].startswith("'-") and row["title"] == INERT["title"]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/programs.xlsx").data))
    assert all(cell.data_type != "f" for line in book.active.iter_rows() for cell in line)
    coverage = client.get("/coverage/export/districts.csv", query_string={"municipality": MUNICIPALITY_A})
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in csv.reader(
        io.StringIO(coverage.data.decode("utf-8-sig")), delimiter=";") for cell in line)


@pytest.mark.parametrize(("column", "value"), REFUSED.items())
def test_deceptive_or_broken_values_are_refused_with_the_column_named(column, value):
    record, errors = validate_record(make_row(1, **{column: value}))
    assert record is None and [error.column for error in errors] == [column]
    assert all(len(error.value) < 100 for error in errors)  # the message quotes a bounded part of the value


def test_hostile_text_through_the_provider_form_and_moderation_stays_inert(app, tmp_path):
    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    add_account(app, "staff@example.org", "municipal", municipalities=[MUNICIPALITY_A])
    provider, staff = app.test_client(), app.test_client()
    log_in(provider, "school@example.org")
    log_in(staff, "staff@example.org")
    from tests.cabinet import program_form

    post(provider, "/provider/organizations/oA/programs/new", program_form(title=INERT["title"],
                                                                          description=INERT["description"]))
    queue = staff.get("/municipal").get_data(as_text=True)
    _assert_inert_html(queue)
    revision = re.search(r'/municipal/revisions/(\d+)', queue).group(1)
    _assert_inert_html(staff.get(f"/municipal/revisions/{revision}").get_data(as_text=True))
    assert post(staff, f"/municipal/revisions/{revision}/return",
                {"reason": "Исправьте\u202e название"}).status_code == 400  # an override in a note is refused
    post(staff, f"/municipal/revisions/{revision}/return", {"reason": INERT["description"]})
    _assert_inert_html(provider.get("/provider").get_data(as_text=True))


def test_hostile_account_e_mails_are_shown_inert_to_the_admin(app, client):
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    answer = post(client, "/admin/accounts", {"email": '"><script>alert(1)</script>@example.org', "role": "admin"})
    _assert_inert_html(answer.get_data(as_text=True))


def test_hostile_text_through_the_providers_workbook_upload_stays_inert(app, tmp_path):
    app.config["MODERATION"] = False
    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    provider = app.test_client()
    log_in(provider, "school@example.org")
    row = make_row(7, program_id="a7", **{**ORG_A, **{k: v for k, v in INERT.items() if k != "organization"}})
    workbook = write_xlsx(tmp_path / "hostile.xlsx", [row]).read_bytes()
    answer = post(provider, "/provider/upload", {"file": (io.BytesIO(workbook), "hostile.xlsx")},
                  content_type="multipart/form-data")
    preview = provider.get(answer.headers["Location"])
    _assert_inert_html(preview.get_data(as_text=True))
    post(provider, answer.headers["Location"] + "/confirm")
    for path in ("/provider", "/programs/a7"):
        html = provider.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#34;t&#34;)" in html or "&lt;script&gt;alert(&quot;t&quot;)" in html, path
        _assert_inert_html(html)
    assert provider.get("/api/v1/programs/a7").get_json()["schedule"] == INERT["schedule"]  # text, not a formula
