"""NAVIGATOR_BEHIND_PROXY: behind `make serve`'s nginx the client's address and scheme come from the proxy's
X-Forwarded-For and X-Forwarded-Proto (gunicorn on a Unix socket sees no address at all); without it those
headers count for nothing, so that a client cannot choose the address the limits count."""

from __future__ import annotations

import pytest

from navigator import create_app
from navigator.extensions import database
from tests.cabinet import PASSWORD, add_account, csrf_token


@pytest.fixture
def proxied(app, tmp_path):
    """The same site as `app`, as gunicorn behind nginx runs it (requests arrive on a Unix socket)."""
    site = create_app({**app.config, "BEHIND_PROXY": True, "LOGIN_LIMIT_ADDRESS": "2 per 15 minutes"},
                      instance_path=str(tmp_path / "proxied"))
    yield site
    database(site).engine.dispose()


def _fail_log_in(client, forwarded_for: str, **headers):
    token = csrf_token(client)
    return client.post("/login", data={"email": "nobody@example.org", "password": "x", "csrf_token": token},
                       headers={"X-Forwarded-For": forwarded_for, **headers},
                       environ_base={"REMOTE_ADDR": ""}).status_code


def test_behind_the_proxy_limits_count_per_forwarded_address(proxied):
    client = proxied.test_client()
    assert [_fail_log_in(client, "198.51.100.7"), _fail_log_in(client, "198.51.100.7")] == [401, 401]
    assert _fail_log_in(client, "198.51.100.7") == 429
    assert _fail_log_in(client, "198.51.100.8") == 401  # another visitor behind the same proxy
    # Only the entry the proxy added counts: what the client wrote before it is ignored.
    assert _fail_log_in(client, "203.0.113.1, 198.51.100.7") == 429


def test_without_a_proxy_forwarded_headers_count_for_nothing(app):
    app.config["LOGIN_LIMIT_ADDRESS"] = "2 per 15 minutes"
    client = app.test_client()
    answers = [_fail_log_in(client, f"198.51.100.{number}") for number in range(3)]
    assert answers == [401, 401, 429]


def test_behind_the_proxy_the_scheme_is_the_forwarded_one_and_the_host_is_never(proxied):
    add_account(proxied, "admin@example.org", "admin")
    client = proxied.test_client()
    answer = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                         "csrf_token": csrf_token(client)},
                         headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
                                  "X-Forwarded-Host": "evil.example", "Referer": "https://localhost/login"})
    assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]
    assert "evil.example" not in answer.headers["Location"]
