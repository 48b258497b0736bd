"""The OpenAPI description is valid 3.1 and covers every API route; responses match their schemas."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from tests.factories import load_programs, make_row


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_every_api_route_is_described(app, spec):
    routes = {rule.rule.removeprefix("/api/v1") for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    described = {path.replace("{id}", "<public_id>").replace("{name}", "<name>") for path in spec["paths"]}
    vocabulary = next(r for r in routes if r.startswith("/<"))
    routes.discard(vocabulary)
    routes.discard("/programs.<any(csv, xlsx):file_format>")
    routes |= {"/programs.csv", "/programs.xlsx"}
    routes.discard("/openapi.json")
    assert routes <= described
    for name in ("directions", "enrollment-kinds", "ovz-categories", "formats", "organization-types"):
        assert f"/{name}" in spec["paths"]


def _schema(spec, name):
    return {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}


def test_search_and_error_responses_match_their_schemas(app, client, spec, tmp_path):
    load_programs(app, [make_row(1), make_row(2)], tmp_path)
    body = client.get("/api/v1/programs", query_string={"q": "шахматы", "near": "55.35,86.08"}).get_json()
    OAS31Validator(_schema(spec, "SearchResult")).validate(body)
    OAS31Validator(_schema(spec, "ProgramDetail")).validate(client.get("/api/v1/programs/p1").get_json())
    OAS31Validator(_schema(spec, "Error")).validate(client.get("/api/v1/programs?age=x").get_json())
