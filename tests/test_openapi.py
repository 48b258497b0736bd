"""The OpenAPI description is valid 3.1 and covers every API route; responses match their schemas."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from werkzeug.datastructures import MultiDict

from navigator.search import BadRequest, parse_request
from navigator.search.parameters import PARAMETERS
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


CANDIDATES = ("", " ", "0", "1", "5", "18", "19", "100", "101", "-1", "1.5", "0.0001", "200", "200.5", "1e2",
              "999999999", "1000000000", "abc", "true", "false", "yes", "да", "nan", "inf", "55.35,86.09",
              "55.35, 86.09", "91,10", "-90,-180", "90.0,180.0", "1000,2", "sport", "Техническая", "art,sport",
              "any", "hearing", "paid", "online", "distance", "relevance", "Relevance", "o1", "o 1", "_x",
              "ш" * 200, "ш" * 201, "Новокузнецк, ул. Кирова, 71а")


def _as_sent(text: str, schema: dict):
    """The value a client following the schema would have serialized as this text."""
    if schema.get("type") in ("integer", "number"):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        kinds = int if schema["type"] == "integer" else int | float  # an integer is never written as «1e2»
        return value if isinstance(value, kinds) and not isinstance(value, bool) else text
    return text


def test_the_document_and_the_parser_accept_and_reject_the_same_values(spec):
    """Both are made from navigator.search.parameters; this keeps them from drifting apart again."""
    operation = spec["paths"]["/programs"]["get"]
    declared = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(declared) == set(PARAMETERS)
    disagreements = []
    for name, parameter in declared.items():
        schema = parameter["schema"].get("items", parameter["schema"])
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        for text in CANDIDATES:
            allowed = validator.is_valid(_as_sent(text, schema))
            try:
                parse_request(MultiDict([(name, text)]))
                accepted = True
            except BadRequest:
                accepted = False
            if allowed != accepted:
                disagreements.append(f"{name}={text[:20]!r}: schema {allowed}, parser {accepted}")
    assert not disagreements
