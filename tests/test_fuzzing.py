"""The site attacked with generated requests: the API by schemathesis from its own OpenAPI document,
the HTML routes by Hypothesis-made query strings. Nothing may answer 5xx.

The API run goes through schemathesis's command line against a live server on a free port (the same
command, with more examples, is the longer run recorded in docs/security.md), with every check: besides no
5xx and answers as documented, a value the document does not allow must be refused (400, 404…) and one it
allows must be taken. It covers the JSON API and the HSDS API (listed in the document under /api/v1/hsds).
Each run is kept to 150 examples per operation (about 4,000 requests, a minute), with a fixed seed and no
example database, so that a run is reproducible.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from navigator import create_app, migrations
from navigator.extensions import database
from navigator.outward.openapi import openapi_document
from tests.browser.support import served
from tests.factories import load_programs, make_row, venue

#: Examples per operation and phase; over the 23 operations (/api/v1 and its HSDS) this is about 4,000 requests.
EXAMPLES = 150
MIN_REQUESTS = 2_000
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def fuzzing_rows() -> list[dict[str, str]]:
    """A small catalogue with every direction, paid and free programs, and points, so that filters find things."""
    directions = ["Техническая", "Художественная", "Физкультурно-спортивная", "Естественнонаучная",
                  "Социально-гуманитарная", "Туристско-краеведческая"]
    return [make_row(n, title=f"Программа {n}", direction=directions[n % len(directions)],
                     enrollment="Платно" if n % 3 == 0 else "Бесплатно", price_rub="1500" if n % 3 == 0 else "",
                     **venue(n, 55.3 + n / 100, 86.0 + n / 100)) for n in range(1, 25)]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    """One app on SQLite with a small catalogue, shared by the fuzzing tests (they only read)."""
    folder = tmp_path_factory.mktemp("fuzzing")
    app = create_app({"TESTING": False, "DATABASE_URL": f"sqlite:///{folder / 'nav.db'}",
                      "INDEX_DIR": str(folder / "index"), "SECRET_KEY": "fuzzing"},
                     instance_path=str(folder / "instance"))
    migrations.upgrade(database(app).engine)
    load_programs(app, fuzzing_rows(), folder)
    yield app
    database(app).engine.dispose()


def run_schemathesis(base_url: str, examples: int) -> tuple[subprocess.CompletedProcess, int]:
    """Run schemathesis over every operation of the API's OpenAPI document with every check; return the process
    and its test cases."""
    command = [str(SCHEMATHESIS), "run", f"{base_url}/api/v1/openapi.json", "--url", f"{base_url}/api/v1",
               "--max-examples", str(examples), "--phases", "examples,coverage,fuzzing", "--checks", "all",
               "--request-timeout", "20", "--seed", "15", "--generation-database", "none", "--no-color"]
    process = subprocess.run(command, capture_output=True, text=True, timeout=600)
    generated = re.search(r"(\d+) generated", process.stdout)
    return process, int(generated.group(1)) if generated else 0


def test_schemathesis_finds_no_failure_of_any_check(fuzzed_app):
    with served(fuzzed_app) as base_url:
        process, requests = run_schemathesis(base_url, EXAMPLES)
    summary = "\n".join(process.stdout.splitlines()[-40:])
    assert process.returncode == 0, summary
    assert requests >= MIN_REQUESTS, f"only {requests} requests were generated\n{summary}"
    operations = sum(len(methods) for methods in openapi_document()["paths"].values())
    assert operations > 20 and f"Tested: {operations}" in process.stdout, summary  # the HSDS ones too


HTML_ROUTES = ["/", "/programs/p1", "/organizations/o1", "/coverage", "/coverage/export/districts.csv",
               "/low-vision", "/login", "/api/v1/programs.csv"]
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "So"]), max_size=20),
    st.sampled_from(["9" * 30, "-1", "0", "²", "1e309", "NaN", "55.3,86.1", "<script>", "{{7*7}}", "%", "%ff",
                     "%c0%af", "a" * 5000, "\x00", "\u202e", "javascript:alert(1)"]))
known_keys = st.sampled_from(["q", "age", "direction", "enrollment", "price_max", "municipality", "district",
                              "organization", "ovz", "format", "free_seats", "near", "radius_km", "sort", "page",
                              "per_page", "place", "next", "on", "indicator", "view"])
query = st.lists(st.tuples(st.one_of(known_keys, st.text(max_size=10)), hostile_text), max_size=8)
raw_escapes = st.lists(st.sampled_from(["%ff", "%c3%28", "%80", "%", "%zz", "%00", "%e2%80%ae", "+", "&&", "=="]),
                       max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(route=st.sampled_from(HTML_ROUTES), pairs=query, escapes=raw_escapes)
def test_html_routes_survive_hostile_query_strings(fuzzed_app, route, pairs, escapes):
    """Random and repeated keys, huge values, control characters, invalid UTF-8 percent-escapes: never a 5xx."""
    client = fuzzed_app.test_client()
    encoded = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)
    answer = client.get(f"{route}?{encoded}&{''.join(escapes)}")
    assert answer.status_code < 500, (route, pairs, escapes, answer.status_code)
