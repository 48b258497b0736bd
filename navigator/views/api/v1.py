"""The JSON API (/api/v1): the same search as the pages, programs, organizations and vocabularies."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from navigator.accounts.auth import limiter
from navigator.catalogue import vocab
from navigator.catalogue.cards import organization_cards
from navigator.catalogue.errors import NotInCatalogue
from navigator.catalogue.models import District, Municipality
from navigator.catalogue.programs import find_organization, find_program
from navigator.catalogue.spreadsheet import FORMATS, render
from navigator.coverage import tables
from navigator.enrollment.queue import public_queue
from navigator.extensions import db_session
from navigator.outward.openapi import openapi_document
from navigator.outward.program_lists import EXPORT_MAX_ROWS, program_table
from navigator.outward.serialize import (
    organization_summary,
    program_detail,
    program_summary,
    search_document,
    vocabulary_items,
)
from navigator.search import BadRequest, IndexUnavailable
from navigator.search.engine import load_programs
from navigator.search.parameters import MAX_QUERY_LENGTH
from navigator.views.common.errors import error_response
from navigator.views.common.searching import find_place, search_answer
from navigator.views.staff import coverage as coverage_pages

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

VOCABULARIES = {
    "directions": vocab.DIRECTIONS,
    "enrollment-kinds": vocab.ENROLLMENT_KINDS,
    "ovz-categories": vocab.OVZ_CATEGORIES,
    "formats": vocab.FORMATS,
    "organization-types": vocab.ORGANIZATION_TYPES,
}


def _too_many(_limit):
    return error_response(429, "Слишком много запросов с этого адреса: подождите немного и повторите "
                               "(ограничение NAVIGATOR_API_RATE_LIMIT).")


# One limit per client address for the whole API, counted in the shared limit storage (Redis with
# several workers), so that it holds however many workers and machines serve the site.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], on_breach=_too_many, scope="api")(blueprint)


def _program_url(public_id: str) -> str:
    """The program page (/programs/<id>, a URL fixed by the public site)."""
    return f"{request.script_root}/programs/{quote(public_id)}"


@blueprint.get("/programs")
def programs():
    """Search programs with the parameters of the search page, answered as the search page answers them."""
    try:
        found = search_answer(request.args, forgiving=False)
    except NotInCatalogue as missing:
        return error_response(404, missing.message, missing.parameter)
    except BadRequest as problem:
        return error_response(400, problem.message, problem.parameter)
    except IndexUnavailable as problem:
        return error_response(503, str(problem))
    return jsonify(search_document(found, _program_url))


@blueprint.get("/places")
def places():
    """Where the address box would place a text: a building, a street, a settlement or a municipality."""
    raw = request.args.get("q", "")
    if len(raw) > MAX_QUERY_LENGTH:
        return error_response(400, f"Адрес длиннее {MAX_QUERY_LENGTH} символов", "q")
    text = " ".join(raw.split())
    if not text:
        return error_response(400, "Напишите адрес или название населённого пункта в параметре q", "q")
    found = find_place(text)
    if found is None:
        return error_response(404, f"Место «{text}» не найдено")
    return jsonify({"label": found.label, "lat": found.lat, "lon": found.lon, "precision": found.precision})


@blueprint.get("/programs.<any(csv, xlsx):file_format>")
def program_list(file_format: str):
    """Every program the search finds (up to EXPORT_MAX_ROWS) as CSV or XLSX in the import format's columns."""
    try:
        found = search_answer(request.args, forgiving=False, load=load_programs, rows=EXPORT_MAX_ROWS)
    except NotInCatalogue as missing:
        return error_response(404, missing.message, missing.parameter)
    except BadRequest as problem:
        return error_response(400, problem.message, problem.parameter)
    except IndexUnavailable as problem:
        return error_response(503, str(problem))
    dialect = "standard" if request.args.get("dialect") == "standard" else "excel-ru"
    return Response(render(program_table(found.result), file_format, dialect), content_type=FORMATS[file_format],
                    headers={"Content-Disposition": f'attachment; filename="programs.{file_format}"',
                             "X-Total-Count": str(found.result.total)})


@blueprint.get("/programs/<public_id>")
def program(public_id: str):
    """One program with everything its page shows; archived programs answer 410."""
    found = find_program(db_session(), public_id)
    if found is None:
        return error_response(404, f"Программа «{public_id}» не найдена")
    if found.status != "active":
        return error_response(410, f"Программа «{public_id}» больше не проводится (в архиве)")
    return jsonify(dict(program_detail(found, _program_url(public_id)), queue=public_queue(db_session(), found)))


@blueprint.get("/organizations/<public_id>")
def organization(public_id: str):
    """An organization with its active programs."""
    session = db_session()
    found = find_organization(session, public_id)
    if found is None:
        return error_response(404, f"Организация «{public_id}» не найдена")
    return jsonify(dict(organization_summary(found), programs=[
        program_summary(p, _program_url(p.public_id)) for p in organization_cards(session, found.id)]))


@blueprint.get("/municipalities")
def municipalities():
    """Municipalities with their districts: the ids that the municipality and district parameters take."""
    session = db_session()
    districts = {}
    for district in session.scalars(select(District).order_by(District.name)):
        districts.setdefault(district.municipality_id, []).append({"id": district.id, "name": district.name})
    return jsonify([{"id": m.id, "name": m.name, "districts": districts.get(m.id, [])}
                    for m in session.scalars(select(Municipality).order_by(Municipality.name))])


@blueprint.get("/coverage")
def coverage():
    """Coverage of the region and of every municipality (those without programs too), optionally filtered."""
    try:
        chosen, _indicator = coverage_pages.parse_arguments(request.args, strict=True)
    except BadRequest as problem:
        return error_response(400, problem.message, problem.parameter)
    return jsonify(tables.region_document(coverage_pages.current_snapshot(), chosen))


@blueprint.get("/coverage/<name>")
def coverage_municipality(name: str):
    """One municipality's coverage by district or settlement, and its gaps."""
    try:
        chosen, _indicator = coverage_pages.parse_arguments(request.args, strict=True)
    except BadRequest as problem:
        return error_response(400, problem.message, problem.parameter)
    snapshot = coverage_pages.current_snapshot()
    row = coverage_pages.find_municipality(snapshot, name)
    if row is None:
        return error_response(404, f"Муниципалитета «{name}» нет в данных")
    return jsonify(tables.municipality_document(snapshot, row, chosen))


@blueprint.get("/<any(directions, 'enrollment-kinds', 'ovz-categories', formats, 'organization-types'):name>")
def vocabulary(name: str):
    """A controlled vocabulary: codes that parameters take, and their Russian labels."""
    return jsonify(vocabulary_items(VOCABULARIES[name]))


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API; its server is made from NAVIGATOR_BASE_URL, never from the Host
    header (without it, in development, the server is a path relative to where the document was fetched)."""
    base = current_app.config["BASE_URL"]
    return jsonify(openapi_document(server=(base or request.script_root) + blueprint.url_prefix))
