"""Issue 23's Info items from the independent security test, one regression test each (docs/security.md)."""

from __future__ import annotations

import logging

import pytest

from navigator.accounts import registry as accounts
from navigator.catalogue.validation import validate_record
from navigator.extensions import database
from navigator.serving.access_log import PrivatePathFilter, mask_private_paths
from tests.cabinet import add_account, post, seed_catalogue
from tests.enrollment_helpers import apply, status_path
from tests.factories import make_row

DISPLAY_NAMES = ['"x"<victim@evil.example>', "x <victim@evil.example>", "<victim@evil.example>",
                 "a@example.org, victim@evil.example", "a@example.org;victim@evil.example", "a@example.org victim",
                 '"a b"@example.org', "victim@evil.example>"]


@pytest.fixture
def catalogue(app, tmp_path):
    seed_catalogue(app, tmp_path)
    return app


def test_the_apply_form_and_its_answers_with_the_parents_data_are_never_stored(catalogue, client):
    form = client.get("/programs/a1/apply")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    refused = apply(client, child_birth_year="1900")  # shown again, filled with what the parent typed
    assert refused.status_code == 422 and "Проверкина Ольга" in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"] == "no-store"
    status = client.get(status_path(apply(client)))
    assert status.headers["Cache-Control"] == "no-store"


def test_the_password_set_page_is_never_stored_and_its_token_never_leaves_in_a_referer(catalogue, client):
    with database(catalogue).session_factory() as session:
        account = accounts.create_account(session, "new@example.org", "provider", organizations=["oA"])
        token = accounts.issue_password_link(account, 72)
        session.commit()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "strict-origin"
    short = post(client, f"/set-password/{token}", {"password": "короткий", "repeat": "короткий"})
    assert "не короче" in short.get_data(as_text=True) and short.headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_status_tokens_are_masked_in_the_access_log(catalogue, client, caplog):
    path = status_path(apply(client))
    token = path.rsplit("/", 1)[1]
    mask_private_paths()
    assert client.get(path).headers["Referrer-Policy"] == "strict-origin"  # the next request's Referer: origin
    with caplog.at_level(logging.INFO):
        # The lines werkzeug's server (make run) and gunicorn's access log write, as they write them.
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now", f"GET {path} HTTP/1.1",
                                           200, "-")
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s "%(f)s"', {
            "h": "127.0.0.1", "r": f"POST {path}/withdraw HTTP/1.1", "s": 303, "f": f"https://navigator.example{path}"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged and logged.count("/applications/***") == 3
    assert _filtered(f"GET /set-password/{'A' * 43}?x=1 HTTP/1.1") == "GET /set-password/***?x=1 HTTP/1.1"
    assert _filtered("GET /provider/applications/12 HTTP/1.1") == "GET /provider/applications/12 HTTP/1.1"  # ids


def _filtered(line: str) -> str:
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, "%s", (line,), None)
    PrivatePathFilter().filter(record)
    return record.getMessage()


def test_readyz_says_nothing_that_counts_applications(catalogue, client):
    before = client.get("/readyz").get_json()
    for number in range(3):
        status_path(apply(client, child_name=f"Ребёнок{number}", phone=f"+7 900 000-00-0{number}"))
    after = client.get("/readyz").get_json()
    assert before == after == {"status": "ok", "checks": {"database": "ok", "index": "ok"}, "index_lag_s": 0}


@pytest.mark.parametrize("path", ["/api/v1/programs.csv", "/api/v1/programs.csv?dialect=standard",
                                  "/coverage/export/municipalities.csv"])
def test_csv_downloads_name_their_charset_once(catalogue, client, path):
    assert client.get(path).headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("address", DISPLAY_NAMES)
def test_an_e_mail_with_a_display_name_or_a_second_address_is_refused(catalogue, client, address):
    answer = apply(client, email=address)
    assert answer.status_code == 422 and "Адрес почты выглядит неверно" in answer.get_data(as_text=True)
    with pytest.raises(accounts.AccountError), database(catalogue).session_factory() as session:
        accounts.create_account(session, address, "provider", organizations=["oA"])
    assert "email" in {problem.column for problem in validate_record(make_row(1, email=address))[1]}


def test_bare_addresses_still_go_through(catalogue, client):
    for number, address in enumerate(("olga.ivanova+school@mail.example.org", "почта@школа.рф", "o'brien@example.ie")):
        assert apply(client, email=address, phone="", child_name=f"Ребёнок{number}").status_code == 303
        assert validate_record(make_row(1, email=address))[1] == []
    add_account(catalogue, "Staff.Member+1@Example.org", "provider", organizations=["oA"])
