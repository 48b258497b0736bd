"""Absolute links come from NAVIGATOR_BASE_URL, never from the Host header, and production refuses other hosts.

The probe's finding (issue 23, finding 2): a withdrawal sent with `Host: evil.example` mailed the next parent on
the waiting list `http://evil.example/applications/<her token>` (that e-mail's test is in test_enrollment.py); the
Host also set the canonical link, JSON-LD, the HSDS `openapi_url`, and the ETag did not vary with it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from navigator import config, create_app
from navigator.__main__ import main
from navigator.serving.warm import warm_up
from tests.cabinet import seed_catalogue

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://navigator.example"
FORGED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "Forwarded": "host=evil.example"}


def test_pages_and_api_documents_link_to_the_sites_address_whatever_the_host(app, tmp_path):
    seed_catalogue(app, tmp_path)
    app.config["BASE_URL"] = SITE
    client = app.test_client()
    pages = {path: client.get(path, base_url="http://evil.example", headers=FORGED)
             for path in ("/programs/a1", "/organizations/oA", "/hsds/", "/api/v1/hsds/", "/api/v1/openapi.json")}
    for path, answer in pages.items():
        assert answer.status_code == 200 and "evil.example" not in answer.get_data(as_text=True), path
    program = pages["/programs/a1"].get_data(as_text=True)
    assert f'<link rel="canonical" href="{SITE}/programs/a1">' in program
    course = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', program, re.S).group(1))
    assert course["@id"] == course["url"] == f"{SITE}/programs/a1"
    assert course["provider"]["url"] == f"{SITE}/organizations/oA"
    assert f'<link rel="canonical" href="{SITE}/organizations/oA">' in pages["/organizations/oA"].get_data(as_text=True)
    assert pages["/hsds/"].get_json()["openapi_url"] == f"{SITE}/api/v1/openapi.json"
    assert pages["/api/v1/openapi.json"].get_json()["servers"] == [{"url": f"{SITE}/api/v1"}]


def test_the_etag_follows_the_address_links_are_made_from(app, tmp_path):
    seed_catalogue(app, tmp_path)
    client = app.test_client()

    def tag_and_canonical(host):
        answer = client.get("/programs/a1", base_url=f"http://{host}")
        return answer.headers["ETag"], re.search(r'rel="canonical" href="([^"]+)"', answer.get_data(as_text=True))[1]

    # Development without NAVIGATOR_BASE_URL: links follow the request's address, and so does the ETag.
    (first_tag, first_link), (second_tag, second_link) = tag_and_canonical("a.test"), tag_and_canonical("b.test")
    assert (first_link, second_link) == ("http://a.test/programs/a1", "http://b.test/programs/a1")
    assert first_tag != second_tag
    # With it, the Host changes nothing in the page, and the tag is the same.
    app.config["BASE_URL"] = SITE
    (first_tag, first_link), (second_tag, second_link) = tag_and_canonical("a.test"), tag_and_canonical("b.test")
    assert first_link == second_link == f"{SITE}/programs/a1" and first_tag == second_tag


def test_without_a_base_url_the_openapi_server_is_relative(client):
    assert client.get("/api/v1/openapi.json", base_url="http://evil.example").get_json()["servers"] == [
        {"url": "/api/v1"}]


@pytest.fixture
def production(app, tmp_path):
    """The same site as `make serve` runs it: NAVIGATOR_PRODUCTION on, the address given."""
    seed_catalogue(app, tmp_path)
    served = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                         "INDEX_DIR": app.config["INDEX_DIR"], "SECRET_KEY": "test-secret", "PRODUCTION": True,
                         "BASE_URL": SITE + "/"},
                        instance_path=str(tmp_path / "production"))
    return served


@pytest.mark.parametrize("path", ["/", "/programs/a1", "/search?q=шахматы", "/programs/a1/apply", "/login",
                                  "/provider", "/no-such-page", "/static/favicon.svg", "/api/v1/programs",
                                  "/hsds/services", "/healthz"])
def test_production_answers_a_foreign_host_with_a_plain_400(production, path):
    assert production.config["TRUSTED_HOSTS"] == ["navigator.example"] and production.config["BASE_URL"] == SITE
    client = production.test_client()
    with client.get(path, base_url=SITE) as served:
        assert served.status_code in (200, 302, 404)
    for base in ("http://evil.example", "http://127.0.0.1:8000", "http://navigator.example.evil.example"):
        refused = client.get(path, base_url=base)
        as_json = path.startswith(("/api/", "/hsds/"))
        text = refused.get_json()["error"]["message"] if as_json else refused.get_data(as_text=True)
        assert refused.status_code == 400 and "не отвечает на этот адрес" in text and "evil" not in text, (path, base)
        assert refused.mimetype == ("application/json" if as_json else "text/plain")
    posted = client.post(path, base_url="http://evil.example", data={"email": "x@example.org"})
    assert posted.status_code == 400


def test_trusted_hosts_can_list_several_names_and_subdomains(app, tmp_path):
    values = config.load(tmp_path, {"NAVIGATOR_PRODUCTION": "true", "NAVIGATOR_BASE_URL": SITE,
                                    "NAVIGATOR_TRUSTED_HOSTS": "navigator.example, .mirror.example"}, {})
    served = create_app({**{key: values[key] for key in ("PRODUCTION", "BASE_URL", "TRUSTED_HOSTS")},
                         "DATABASE_URL": app.config["DATABASE_URL"], "INDEX_DIR": app.config["INDEX_DIR"]},
                        instance_path=str(tmp_path / "production"))
    client = served.test_client()
    assert [client.get("/healthz", base_url=f"http://{host}").status_code
            for host in ("navigator.example", "www.mirror.example", "mirror.example", "evil.example")] == [
        200, 200, 200, 400]
    # Outside production any host is answered, unless the list is given.
    assert config.load(tmp_path, {}, {})["TRUSTED_HOSTS"] is None
    assert config.load(tmp_path, {"NAVIGATOR_TRUSTED_HOSTS": "a.test"}, {})["TRUSTED_HOSTS"] == ["a.test"]


def test_production_will_not_start_without_the_sites_address(tmp_path):
    with pytest.raises(config.SettingsError, match="NAVIGATOR_BASE_URL is required in production"):
        config.load(tmp_path, {"NAVIGATOR_PRODUCTION": "true"}, {})
    with pytest.raises(config.SettingsError, match="like https://navigator.example"):
        config.load(tmp_path, {"NAVIGATOR_BASE_URL": "navigator.example"}, {})
    result = CliRunner().invoke(main, ["init-db"], env={"NAVIGATOR_PRODUCTION": "true", "NAVIGATOR_BASE_URL": ""})
    assert result.exit_code == 1 and result.output.startswith("Error: NAVIGATOR_BASE_URL is required in production")


def test_make_serve_refuses_to_start_without_the_sites_address(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("NAVIGATOR_")}
    env.update(INSTANCE_DIR=str(tmp_path / "instance"), PGPORT="1", REDIS_PORT="1", PORT="1")
    process = subprocess.Popen([str(ROOT / "scripts/serve.sh")], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1 and "make serve needs NAVIGATOR_BASE_URL" in output
    assert "PostgreSQL" not in output  # nothing was started


def test_workers_warm_up_on_the_sites_own_address(production):
    statuses = []
    production.after_request(lambda response: statuses.append(response.status_code) or response)
    warm_up(production)
    assert statuses and set(statuses) == {200}


def test_the_cli_prints_password_links_on_the_sites_address(app, tmp_path):
    runner = app.test_cli_runner()
    seed_catalogue(app, tmp_path)
    printed = runner.invoke(args=["create-account", "--role", "provider", "--organization", "oA", "a@example.org"])
    assert "http://127.0.0.1:5000/set-password/" in printed.output  # development: make run's address
    app.config["BASE_URL"] = SITE
    printed = runner.invoke(args=["password-link", "a@example.org"])
    assert f"{SITE}/set-password/" in printed.output
