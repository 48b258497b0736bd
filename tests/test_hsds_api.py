"""The read-only HSDS 3.0 API under /hsds/: every path, its paging and errors, answers valid against the schemas."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from navigator.catalogue.hsds_terms import DIRECTION, OVZ, PROFILE, code_id
from navigator.catalogue.models import Program
from tests.factories import load_programs, make_row, venue
from tests.hsds_schemas import problems


@pytest.fixture
def catalogue(app, tmp_path):
    rows = [make_row(1), make_row(2, title="Робототехника", direction="Техническая", profile="Робототехника",
                                  ovz="Нарушения зрения", **venue(2, 55.36, 86.09)),
            make_row(3, organization_id="o2", organization="ДДТ № 2", phone="", **venue(3, None, None)),
            make_row(4, title="Архивная")]
    load_programs(app, rows, tmp_path)
    return app


def _page(client, path: str, **query) -> dict:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
                         "contents"}
    return body


def test_services_are_paged_as_the_hsds_profile_says(catalogue, client):
    first = _page(client, "/hsds/services", per_page=3)
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (4, 2, 1, 3)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = _page(client, "/hsds/services", per_page=3, page=2)
    assert (second["size"], second["last_page"]) == (1, True)
    assert {s["id"] for s in first["contents"] + second["contents"]} == {
        code_id("service", f"p{n}") for n in (1, 2, 3, 4)}
    beyond = _page(client, "/hsds/services", per_page=3, page=5)
    assert beyond["empty"] and beyond["contents"] == []
    for item in first["contents"]:
        assert problems("service", item) == []
        assert not any(isinstance(value, list | dict) for value in item.values())  # one-to-one fields only


def test_only_active_programs_are_published(catalogue, client, session):
    session.execute(update(Program).where(Program.public_id == "p4").values(status="archived"))
    session.commit()
    assert _page(client, "/hsds/services")["total_items"] == 3
    assert client.get(f"/hsds/services/{code_id('service', 'p4')}").status_code == 404


def test_a_service_is_fully_nested_and_valid(catalogue, client):
    body = client.get(f"/hsds/services/{code_id('service', 'p2')}").get_json()
    assert problems("service", body) == []
    assert body["name"] == "Робототехника" and body["organization"]["name"] == "МБОУ «СОШ № 1»"
    [place] = body["service_at_locations"]
    assert place["location"]["latitude"] == 55.36
    assert place["location"]["addresses"][0]["address_1"] == "г. Кемерово, ул. Тестовая, 2"
    codes = {(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in body["attributes"]}
    assert {("navigator-direction", "technical"), ("navigator-ovz", "vision")} <= codes


@pytest.mark.parametrize("path", ["/hsds/services/nope", "/hsds/organizations/nope", "/hsds/taxonomies/nope",
                                  "/hsds/taxonomy_terms/nope", "/hsds/no-such-path"])
def test_unknown_ids_answer_404_in_json(catalogue, client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "x"}, {"per_page": "1001"},
                                   {"per_page": "³"}, {"page": "٣"}])  # digits to Python, not to the API
def test_bad_paging_answers_400_naming_the_parameter(catalogue, client, query):
    response = client.get("/hsds/services", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == next(iter(query))


@pytest.mark.parametrize("query, parameter", [
    ("full=null", "full"), ("full=", "full"), ("full=1", "full"), ("full=TRUE", "full"),
    ("full=true&full=true", "full"), ("page=", "page"), ("per_page=", "per_page"), ("page=&page=2", "page"),
    ("page=1&page=1", "page"), ("taxonomy_id=a&taxonomy_id=b", "taxonomy_id"),
    ("organization_id=o1&organization_id=o2", "organization_id"),
])
def test_a_value_the_document_does_not_allow_is_a_400(catalogue, client, query, parameter):
    """The probe's schemathesis run: `full=null` and an empty `page=` were answered as if absent."""
    for prefix in ("/hsds", "/api/v1/hsds"):
        response = client.get(f"{prefix}/services?{query}")
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter, prefix
    assert client.get("/hsds/services?full=false&page=1").status_code == 200
    organization = f"/hsds/organizations/{code_id('organization', 'o1')}"
    assert client.get(f"{organization}?full_service=%C2%A7").status_code == 400
    assert client.get(f"{organization}?full_service=false").status_code == 200


def test_services_filter_by_organization_term_and_taxonomy(catalogue, client):
    def ids(**query):
        return {s["name"] for s in _page(client, "/hsds/services", **query)["contents"]}

    assert ids(organization_id=code_id("organization", "o2")) == {"Шахматы"}
    assert ids(taxonomy_term_id=DIRECTION.term_id("technical")) == {"Робототехника"}
    assert ids(taxonomy_term_id=PROFILE.term_id("Робототехника")) == {"Робототехника"}
    assert ids(taxonomy_id=OVZ.id) == {"Робототехника"}
    assert ids(organization_id="unknown") == set()
    full = _page(client, "/hsds/services", full="true", per_page=1)["contents"][0]
    assert "service_at_locations" in full and problems("service", full) == []


def test_organizations_list_and_one_with_its_locations_and_services(catalogue, client):
    listing = _page(client, "/hsds/organizations")
    assert [o["name"] for o in listing["contents"]] == ["МБОУ «СОШ № 1»", "ДДТ № 2"]
    for item in listing["contents"]:
        assert problems("organization", item) == []
    body = client.get(f"/hsds/organizations/{code_id('organization', 'o1')}").get_json()
    assert problems("organization", body) == []
    assert len(body["services"]) == 3 and len(body["locations"]) == 2
    assert body["phones"][0]["number"] == "+7 3842 00-00-01"
    full = client.get(f"/hsds/organizations/{code_id('organization', 'o1')}?full_service=true").get_json()
    assert all(problems("service", service) == [] for service in full["services"])


def test_service_at_locations_link_services_to_locations(catalogue, client):
    body = _page(client, "/hsds/service_at_locations", per_page=2)
    assert (body["total_items"], body["size"]) == (4, 2)
    for item in body["contents"]:
        assert problems("service_at_location", item) == [] and "location" not in item
    full = _page(client, "/hsds/service_at_locations", full="true")["contents"]
    assert all(problems("service_at_location", item) == [] and item["location"]["addresses"] for item in full)


def test_taxonomies_and_their_terms(catalogue, client):
    taxonomies = _page(client, "/hsds/taxonomies")["contents"]
    assert DIRECTION.id in {t["id"] for t in taxonomies}
    assert all(problems("taxonomy", t) == [] for t in taxonomies)
    assert client.get(f"/hsds/taxonomies/{DIRECTION.id}").get_json()["name"] == "Направленность"
    directions = _page(client, "/hsds/taxonomy_terms", taxonomy_id=DIRECTION.id)
    assert [t["code"] for t in directions["contents"]] == ["technical", "science", "sport", "art", "tourism",
                                                           "social"]
    profiles = _page(client, "/hsds/taxonomy_terms", taxonomy_id=PROFILE.id)["contents"]
    assert [t["name"] for t in profiles] == ["Робототехника", "Шахматы"]
    assert all(problems("taxonomy_term", t) == [] for t in profiles)
    term = client.get(f"/hsds/taxonomy_terms/{DIRECTION.term_id('art')}").get_json()
    assert term["name"] == "Художественная"


def test_the_root_names_the_version_and_every_path_is_in_our_openapi(app, client):
    assert client.get("/hsds/").get_json()["version"] == "3.0.0"
    spec = client.get("/api/v1/openapi.json").get_json()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/hsds/")} - {"/hsds/"}
    described = {path.replace("{id}", "<x>") for path in spec["paths"] if path.startswith("/hsds/")}
    assert {route.split("<")[0] + ("<x>" if "<" in route else "") for route in routes} == described
