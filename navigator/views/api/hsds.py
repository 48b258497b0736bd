"""The read-only Open Referral HSDS 3.0 API under /hsds/, after the HSDS OpenAPI profile (docs/hsds.md).

Listings are pages in the profile's shape (total_items, total_pages, page_number, size, first_page,
last_page, empty, contents) of the records' one-to-one fields; `full=true` nests everything, as the
{id} answers always do. Only active programs are published.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from navigator.catalogue.models import Organization, Program
from navigator.extensions import db_session
from navigator.outward import hsds_queries as queries
from navigator.outward.hsds import (
    HSDS_VERSION,
    Place,
    organization_record,
    service_at_location_record,
    service_fields,
    service_record,
    taxonomy_records,
    taxonomy_term_records,
)
from navigator.views.common.errors import error_response
from navigator.views.common.links import absolute_url

blueprint = Blueprint("hsds", __name__, url_prefix="/hsds")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/api_reference.html"


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


#: No catalogue has this many pages; a larger number would overflow the database's integers.
MAX_PAGE = 1_000_000


def _one(name: str) -> str | None:
    """The parameter's value as given, or None when absent; given twice it is refused (the document gives each
    parameter one value)."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, f"{name}: одно значение, а не {len(values)}")
    return values[0] if values else None


def _paging() -> tuple[int, int]:
    """page and per_page from the query string, checked: absent is the default, anything but 1…max a 400."""
    values = {}
    for name, default, high in (("page", 1, MAX_PAGE), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        text = _one(name)
        if text is None:
            values[name] = default
            continue
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or not 1 <= int(text) <= high:  # not «³», «»
            raise BadParameter(name, f"{name}: целое число от 1 до {high}")
        values[name] = int(text)
    return values["page"], values["per_page"]


def _flag(name: str) -> bool:
    """true or false, as the document says (absent: false); anything else, a blank too, is a 400."""
    text = _one(name)
    if text not in (None, "true", "false"):
        raise BadParameter(name, f"{name}: true или false")
    return text == "true"


def _place() -> Place:
    return Place.from_settings(current_app.config)


@blueprint.errorhandler(BadParameter)
def _bad_parameter(problem: BadParameter):
    return error_response(400, str(problem), problem.parameter)


@blueprint.get("/")
def about():
    """What this API is: its HSDS version and where its description is."""
    return jsonify({"version": HSDS_VERSION, "profile": PROFILE_URL,
                    "openapi_url": absolute_url("api.openapi")})


@blueprint.get("/services")
def services():
    """A page of services (programs), optionally of one organization or taxonomy term."""
    number, per_page = _paging()
    full, term, taxonomy, organization = _flag("full"), _one("taxonomy_term_id"), _one("taxonomy_id"), \
        _one("organization_id")  # every parameter checked, even where the filters leave nothing to show
    session = db_session()
    query = queries.active_programs()
    conditions = queries.term_filter(term, taxonomy, queries.profiles_in_use(session))
    code = queries.organization_code(session, organization) if organization else None
    if conditions is None or (organization and code is None):
        return jsonify(queries.page_of_list([], number, per_page).document([]))
    query = query.where(*conditions)
    if code:
        query = query.where(Program.organization.has(Organization.public_id == code))
    page = queries.page_of(session, query, number, per_page)
    return jsonify(page.document([service_record(p, _place()) if full else service_fields(p) for p in page.items]))


@blueprint.get("/services/<service_id>")
def service(service_id: str):
    """One service fully nested: organization, location and address, attributes, costs, schedule."""
    program = queries.find_program(db_session(), service_id)
    if program is None:
        return error_response(404, f"Услуги (программы) «{service_id}» нет")
    return jsonify(service_record(program, _place()))


def _organization_fields(organization) -> dict:
    return {key: value for key, value in organization_record(organization).items() if not isinstance(value, list)}


@blueprint.get("/organizations")
def organizations():
    """A page of organizations that run at least one active program."""
    number, per_page = _paging()
    page = queries.page_of(db_session(), queries.active_organizations(), number, per_page)
    full = _flag("full")
    return jsonify(page.document([organization_record(o) if full else _organization_fields(o) for o in page.items]))


@blueprint.get("/organizations/<organization_id>")
def organization(organization_id: str):
    """One organization with its phone, type, venues and services (fully nested with full_service=true)."""
    full, place = _flag("full_service"), _place()
    session = db_session()
    found = queries.find_organization(session, organization_id)
    if found is None:
        return error_response(404, f"Организации «{organization_id}» нет")
    programs = list(session.scalars(queries.active_programs().where(Program.organization_id == found.id)))
    locations = {}
    for program in programs:
        locations.setdefault(program.venue_id, service_at_location_record(program, place)["location"])
    record = organization_record(found)
    record["locations"] = list(locations.values())
    record["services"] = [service_record(p, place) if full else service_fields(p) for p in programs]
    return jsonify(record)


@blueprint.get("/service_at_locations")
def service_at_locations():
    """A page of the links between services and locations (with the location nested when full=true)."""
    number, per_page = _paging()
    page = queries.page_of(db_session(), queries.active_programs(), number, per_page)
    records = [service_at_location_record(p, _place()) for p in page.items]
    if not _flag("full"):
        records = [{key: value for key, value in r.items() if key != "location"} for r in records]
    return jsonify(page.document(records))


@blueprint.get("/taxonomies")
def taxonomies():
    """Our taxonomies: directions, profiles, ОВЗ adaptation, organization types, program properties."""
    number, per_page = _paging()
    page = queries.page_of_list(taxonomy_records(), number, per_page)
    return jsonify(page.document(page.items))


@blueprint.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    found = next((t for t in taxonomy_records() if t["id"] == taxonomy_id.lower()), None)
    return jsonify(found) if found else error_response(404, f"Классификатора «{taxonomy_id}» нет")


def _terms() -> list[dict]:
    return taxonomy_term_records(queries.profiles_in_use(db_session()))


@blueprint.get("/taxonomy_terms")
def taxonomy_terms():
    """A page of taxonomy terms, optionally of one taxonomy (taxonomy_id)."""
    number, per_page = _paging()
    wanted = _one("taxonomy_id")
    terms = [term for term in _terms() if not wanted or term["taxonomy_id"] == wanted.lower()]
    page = queries.page_of_list(terms, number, per_page)
    return jsonify(page.document(page.items))


@blueprint.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    found = next((term for term in _terms() if term["id"] == term_id.lower()), None)
    return jsonify(found) if found else error_response(404, f"Термина «{term_id}» нет")
