"""Accounts and signing in: the CLI, password-set links, hashing, log-in, CSRF, throttling, cookies."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from navigator import mail
from navigator.accounts import registry as accounts
from navigator.accounts.models import Account
from tests.cabinet import (
    MUNICIPALITY_A,
    PASSWORD,
    account,
    add_account,
    csrf_token,
    log_in,
    post,
    seed_catalogue,
)

LINK = re.compile(r"http://127\.0\.0\.1:5000(/set-password/[A-Za-z0-9_-]+)")


def _link_path(output: str) -> str:
    return LINK.search(output).group(1)


def test_create_account_prints_a_one_time_link_that_sets_the_password(app, runner, client, session, tmp_path):
    seed_catalogue(app, tmp_path)
    result = runner.invoke(args=["create-account", "--role", "provider", "--organization", "oA", "Staff@Example.org"])
    assert result.exit_code == 0, result.output
    path = _link_path(result.output)
    created = account(session, "staff@example.org")
    assert created.role == "provider" and [o.public_id for o in created.organizations] == ["oA"]
    assert created.password_hash is None and path.rsplit("/", 1)[1] not in created.password_token_hash

    page = client.get(path)
    assert page.status_code == 200 and "staff@example.org" in page.get_data(as_text=True)
    short = post(client, path, {"password": "короткий", "repeat": "короткий"})
    assert "не короче 10 символов" in short.get_data(as_text=True)
    done = post(client, path, {"password": "новый-пароль-42", "repeat": "новый-пароль-42"})
    assert done.status_code == 302 and done.headers["Location"] == "/provider"
    assert client.get("/provider").status_code == 200  # signed in by the link
    stored = account(session, "staff@example.org").password_hash
    assert stored.startswith("$argon2id$") and "новый-пароль-42" not in stored
    assert client.get(path).status_code == 404  # used once


def test_create_account_refuses_what_it_cannot_bind(app, runner, session, tmp_path):
    seed_catalogue(app, tmp_path)
    cases = [(["--role", "provider", "--organization", "nope", "x@example.org"], "nope"),
             (["--role", "provider", "x@example.org"], "организацию"),
             (["--role", "municipal", "--municipality", "Атлантида", "x@example.org"], "Атлантида"),
             (["--role", "admin", "not-an-email"], "электронной почты")]
    for args, message in cases:
        result = runner.invoke(args=["create-account", *args])
        assert result.exit_code == 1 and message in result.output, args
    assert session.scalar(select(Account.id)) is None
    ok = runner.invoke(args=["create-account", "--role", "municipal", "--municipality", MUNICIPALITY_A,
                             "m@example.org"])
    assert ok.exit_code == 0
    again = runner.invoke(args=["create-account", "--role", "admin", "M@example.org"])
    assert again.exit_code == 1 and "уже есть" in again.output


def test_password_link_command_replaces_the_previous_link(app, runner, client, tmp_path):
    first = _link_path(runner.invoke(args=["create-account", "--role", "admin", "a@example.org"]).output)
    second = _link_path(runner.invoke(args=["password-link", "a@example.org"]).output)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    assert runner.invoke(args=["password-link", "nobody@example.org"]).exit_code == 1


def test_an_expired_link_does_not_work(app, client, session):
    add_account(app, "a@example.org", "admin", password=None)
    token = accounts.issue_password_link(account(session, "a@example.org"), hours=1)
    session.commit()
    assert client.get(f"/set-password/{token}").status_code == 200
    account(session, "a@example.org").password_token_expires = dt.datetime(2000, 1, 1)
    session.commit()
    assert client.get(f"/set-password/{token}").status_code == 404


def test_log_in_answers_the_same_for_unknown_email_and_wrong_password(app, client):
    add_account(app, "admin@example.org", "admin")
    wrong = log_in(client, "admin@example.org", "неверный-пароль")
    unknown = log_in(client, "nobody@example.org", "неверный-пароль")
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        html = answer.get_data(as_text=True)
        assert "Неверный адрес электронной почты или пароль" in html
        assert "не найден" not in html and "не существует" not in html
    assert client.get("/admin").status_code == 302


def test_log_in_goes_home_by_role_or_to_a_local_next_page(app, client, tmp_path):
    seed_catalogue(app, tmp_path)
    add_account(app, "p@example.org", "provider", organizations=["oA"])
    add_account(app, "m@example.org", "municipal", municipalities=[MUNICIPALITY_A])
    add_account(app, "a@example.org", "admin")
    assert log_in(client, "p@example.org").headers["Location"] == "/provider"
    for email, home in (("m@example.org", "/municipal"), ("a@example.org", "/admin")):
        fresh = app.test_client()
        assert log_in(fresh, email).headers["Location"] == home
    fresh = app.test_client()
    redirected = fresh.get("/municipal/programs")
    assert redirected.status_code == 302 and redirected.headers["Location"].startswith("/login?next=")
    token = csrf_token(fresh)
    answer = fresh.post("/login?next=/municipal/programs", data={"email": "m@example.org", "password": PASSWORD,
                                                                 "csrf_token": token})
    assert answer.headers["Location"] == "/municipal/programs"
    other = app.test_client()
    token = csrf_token(other)
    answer = other.post("/login?next=//evil.example.org/", data={"email": "m@example.org", "password": PASSWORD,
                                                                 "csrf_token": token})
    assert answer.headers["Location"] == "/municipal"


def test_a_form_posted_without_its_csrf_token_is_refused(app, client, session, tmp_path):
    add_account(app, "admin@example.org", "admin")
    refused = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert client.get("/admin").status_code == 302  # not signed in
    log_in(client, "admin@example.org")
    before = session.scalar(select(Account.id).where(Account.email == "new@example.org"))
    refused = client.post("/admin/accounts", data={"email": "new@example.org", "role": "admin"})
    assert refused.status_code == 400 and before is None
    assert session.scalar(select(Account.id).where(Account.email == "new@example.org")) is None
    forged = client.post("/admin/accounts", data={"email": "new@example.org", "role": "admin", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.post("/logout").status_code == 400 and client.get("/admin").status_code == 200


def _log_in_from(app, address: str, email: str, password: str = PASSWORD):
    client = app.test_client()
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_log_in_attempts_are_throttled_per_account_and_address(app, client):
    app.config["LOGIN_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    add_account(app, "admin@example.org", "admin")
    add_account(app, "other@example.org", "admin")
    for _ in range(3):  # every attempt counts, before the password is checked
        assert log_in(client, "admin@example.org", "неверный-пароль").status_code == 401
    blocked = log_in(client, "ADMIN@example.org")  # even the right password, in any letter case
    assert blocked.status_code == 429 and "Слишком много неудачных попыток" in blocked.get_data(as_text=True)
    for _ in range(3):
        assert log_in(client, "ghost@example.org", "x").status_code == 401  # unknown e-mails count the same
    assert log_in(client, "ghost@example.org", "x").status_code == 429
    assert log_in(client, "other@example.org").status_code == 302  # another account is not locked
    # The owner, elsewhere, is not locked out by someone who only knows the e-mail.
    assert _log_in_from(app, "10.0.0.7", "admin@example.org").status_code == 302


def test_log_in_counters_name_no_e_mail_address(app, client):
    """Finding 9 of the third security test: the counters' keys (in Redis under make serve) named the e-mail."""
    from navigator.accounts.auth import limiter

    assert log_in(client, "Victim@Example.org", "x").status_code == 401
    assert log_in(client, "victim@example.org", "x").status_code == 401
    keys = [key for key in limiter.storage.storage if "login-account" in key]  # a minute's, an hour's, a day's
    assert len(keys) == 3 and {limiter.storage.storage[key] for key in keys} == {2}  # the e-mail in any case
    assert not [key for key in keys if "victim" in key.lower() or "@" in key]


def test_log_in_attempts_are_throttled_per_address(app, client):
    app.config["LOGIN_LIMIT_ADDRESS"] = "4 per 15 minutes"
    add_account(app, "admin@example.org", "admin")
    for number in range(4):
        assert log_in(client, f"guess{number}@example.org", "x").status_code == 401
    assert log_in(client, "admin@example.org").status_code == 429
    assert _log_in_from(app, "10.0.0.9", "admin@example.org").status_code == 302


def test_simultaneous_failures_are_counted_before_the_password_is_checked(app):
    """The probe's 40 parallel failures all got 401: each attempt must count as it arrives."""
    import concurrent.futures

    app.config["LOGIN_LIMIT_ADDRESS"] = "5 per 15 minutes"
    add_account(app, "admin@example.org", "admin")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: _log_in_from(app, "10.0.0.5", f"g{n}@example.org", "x").status_code,
                                range(16)))
    assert answers.count(401) <= 5 and answers.count(429) >= 11


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app):
    add_account(app, "admin@example.org", "admin")
    plain = app.test_client()
    cookie = log_in(plain, "admin@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    token = csrf_token(secure)
    answer = secure.post("/login", base_url="https://localhost",
                         data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token},
                         headers={"Referer": "https://localhost/login"})
    assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in log_in(app.test_client(), "admin@example.org").headers["Set-Cookie"]


def test_changing_the_password_ends_other_sessions(app, client, session):
    add_account(app, "admin@example.org", "admin")
    other = app.test_client()
    log_in(client, "admin@example.org")
    log_in(other, "admin@example.org")
    wrong = post(client, "/password", {"current": "не-тот-пароль", "password": "другой-пароль-1",
                                       "repeat": "другой-пароль-1"})
    assert "Текущий пароль указан неверно" in wrong.get_data(as_text=True)
    mismatch = post(client, "/password", {"current": PASSWORD, "password": "другой-пароль-1", "repeat": "иной-2"})
    assert "Пароли не совпадают" in mismatch.get_data(as_text=True)
    done = post(client, "/password", {"current": PASSWORD, "password": "другой-пароль-1", "repeat": "другой-пароль-1"})
    assert "Пароль изменён" in done.get_data(as_text=True)
    assert client.get("/admin").status_code == 200 and other.get("/admin").status_code == 302
    assert log_in(app.test_client(), "admin@example.org", "другой-пароль-1").status_code == 302


def test_a_switched_off_account_is_signed_out_and_cannot_sign_in(app, client, session):
    admin_id = add_account(app, "admin@example.org", "admin")
    staff_id = add_account(app, "staff@example.org", "admin")
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    log_in(client, "admin@example.org")
    assert post(client, f"/admin/accounts/{staff_id}/active").status_code == 200
    assert staff.get("/admin").status_code == 302
    assert log_in(app.test_client(), "staff@example.org").status_code == 401
    refused = post(client, f"/admin/accounts/{admin_id}/active")
    assert refused.status_code == 422 and account(session, "admin@example.org").active


def test_passwords_are_argon2id_with_current_parameters_and_never_stored_plain(app, session):
    # The module's own hasher made this hash at import (the test fixture only makes hashing cheaper).
    assert accounts._DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    add_account(app, "admin@example.org", "admin")
    stored = account(session, "admin@example.org")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert accounts.check_password(stored, PASSWORD) and not accounts.check_password(stored, PASSWORD + "x")


def test_admin_page_creates_accounts_and_e_mails_the_link_when_configured(app, client, session, tmp_path,
                                                                          monkeypatch):
    seed_catalogue(app, tmp_path)
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            self.address = (host, port)

        def __enter__(self):
            return self

        def __exit__(self, *problem):
            return False

        def send_message(self, message):
            sent.append((self.address, message["To"], message.get_content()))

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "relay.local:2525"
    app.config["BASE_URL"] = "https://navigator.example"
    client.environ_base["HTTP_HOST"] = "evil.example"  # the admin's requests come with a forged Host
    add_account(app, "admin@example.org", "admin")
    log_in(client, "admin@example.org")
    page = post(client, "/admin/accounts", {"email": "school@example.org", "role": "provider",
                                            "organizations": "oA, oB"})
    html = page.get_data(as_text=True)
    # Built from NAVIGATOR_BASE_URL, never from the request's Host header (the probe's finding).
    link = re.search(r'value="(https://navigator\.example/set-password/[^"]+)"', html).group(1)
    assert "evil.example" not in html
    assert page.status_code == 200 and "отправлена письмом" in html
    assert sent == [(("relay.local", 2525), "school@example.org", sent[0][2])] and link in sent[0][2]
    created = account(session, "school@example.org")
    assert sorted(o.public_id for o in created.organizations) == ["oA", "oB"]
    problem = post(client, "/admin/accounts", {"email": "x@example.org", "role": "provider", "organizations": "zz"})
    assert problem.status_code == 422 and "zz" in problem.get_data(as_text=True)
    municipal = post(client, "/admin/accounts", {"email": "m@example.org", "role": "municipal",
                                                 "municipalities": [MUNICIPALITY_A]})
    assert municipal.status_code == 200
    assert [m.name for m in account(session, "m@example.org").municipalities] == [MUNICIPALITY_A]
