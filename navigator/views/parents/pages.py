"""Pages for parents: the search page with its map, program pages, organization pages. Applications (the
form, the status page, withdrawal, «Мои заявки») are navigator.views.enrollment's."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from navigator import maps
from navigator.catalogue import russian
from navigator.catalogue.place_directory import place_directory
from navigator.catalogue.programs import (
    find_organization,
    find_program,
    organization_name,
    organization_programs,
    organization_venues,
)
from navigator.enrollment.action import CERTIFICATE_NOTE, enroll_action, recruitment
from navigator.enrollment.queue import public_queue
from navigator.extensions import db_session, search_index
from navigator.maps import Centre, Pin
from navigator.outward.linked_data import organization_json_ld, program_json_ld
from navigator.search import IndexUnavailable
from navigator.search.parameters import PARAMETERS
from navigator.search.request import parse_forgiving
from navigator.search.similar import similar_programs
from navigator.views.common import vision
from navigator.views.common.links import absolute_url
from navigator.views.common.searching import search_answer
from navigator.views.common.site import LOW_VISION_COOKIE, local_path, low_vision, map_builder, script_json
from navigator.views.parents.home import home_summary
from navigator.views.parents.search_links import RADII, PlaceNames, SearchLinks, search_page_links

blueprint = Blueprint("public", __name__)
blueprint.add_app_template_global(russian.precision, "place_precision")
blueprint.add_app_template_filter(russian.weekdays, "weekdays")
blueprint.add_app_template_global(PARAMETERS, "parameters")  # every form field is named from the one table


@blueprint.app_context_processor
def _identity_context():
    """The site's logo (a placeholder the region replaces by the LOGO_URL setting)."""
    return {"logo_url": current_app.config["LOGO_URL"] or url_for("static", filename="logo.svg")}


@blueprint.app_context_processor
def _vision_context():
    """The low-vision choices for every page's <html> classes and its settings panel."""
    values = vision.read(request.cookies.get(vision.VISION_COOKIE))
    return {"vision": values, "vision_settings": vision.SETTINGS, "vision_classes": vision.html_classes(values)}

LOW_VISION_MAX_AGE = dt.timedelta(days=365)


def _link_pattern() -> str:
    """The program page URL with `{id}` in place of the id, for links made in the browser."""
    return url_for("public.program", public_id="ID").removesuffix("ID") + "{id}"


@blueprint.get("/")
def index():
    """The home page; with any parameter, the search page (as every link to a search read before /search)."""
    if request.args:
        return search_page()
    try:
        summary = home_summary(lambda wanted: search_answer(MultiDict(wanted.pairs()), forgiving=False).result)
    except IndexUnavailable:
        abort(503)
    return render_template("public/home.html", home=summary)


@blueprint.get("/search")
def search_page():
    """The search page: filters with counts, the listing, and a map of the whole result set.

    A bad parameter never makes an error page here: it is clamped or dropped and the page says so.
    """
    try:
        found = search_answer(request.args, forgiving=True, with_points=not low_vision())
    except IndexUnavailable:
        abort(503)
    search, result = found.search, found.result
    session = db_session()
    places = place_directory(session)
    near = found.place.found.label if found.place and found.place.found else None
    names = PlaceNames(*places.names(search.municipality, search.district),
                       organization=organization_name(session, search.organization), near=near)
    links = SearchLinks(url_for("public.search_page"), search)
    return render_template(
        "public/search.html", search=search, result=result, radii=RADII, results_map=_results_map(result, search, near),
        links=search_page_links(search, result, links, names), advice=found.advice,
        advice_url=links.without_parameter(found.advice.parameter) if found.advice else None, place=found.place,
        districts=_districts_json(places), notices=found.notices,
        list_urls=_list_urls(search))


_districts_written: tuple = (None, None)  # the place directory last written, and its data block


def _districts_json(places):
    """The district lists as the filter panel's data block, written once per place directory (a catalogue
    change makes a new directory) instead of on every page."""
    global _districts_written
    directory, written = _districts_written
    if directory is not places:
        written = script_json(places.districts_by_municipality())
        _districts_written = (places, written)
    return written


def _list_urls(search) -> dict[str, str]:
    """The whole result as CSV and XLSX: the lists answer the same query string as the page."""
    pairs = [(name, value) for name, value in search.pairs() if name != PARAMETERS["per_page"].name]
    return {kind: f"{url_for('api.program_list', file_format=kind)}?{urlencode(pairs)}" for kind in ("csv", "xlsx")}


def _results_map(result, search, place_label: str | None):
    """The map of every mapped result and the searched point (none in the low-vision version or with nothing
    to show)."""
    centre = Centre(*search.near, search.radius_km, place_label or "выбранная точка") if search.near else None
    points = result.points
    if not len(points) and centre is None:
        return None
    if len(points) > maps.SERVER_CLUSTERS_ABOVE:  # grouped on the server: only the coordinates are needed
        return map_builder().cells_map(points.lat, points.lon, _narrow_pattern(search), centre)
    pins = [Pin(lat, lon, title, organization, public_id) for public_id, title, organization, lat, lon in points]
    return map_builder().results_map(pins, _link_pattern(), _narrow_pattern(search), centre)


def _narrow_pattern(search) -> str:
    """This search near a point (`{lat}`, `{lon}`, `{radius}` filled in by the map's script)."""
    near, radius = PARAMETERS["near"].name, PARAMETERS["radius_km"].name
    kept = SearchLinks("", search).without_parameter(near).removeprefix("?")
    added = urlencode([(near, "{lat},{lon}"), (radius, "{radius}")], safe="{},")
    return f"{url_for('public.search_page')}?{kept + '&' if kept else ''}{added}"


@blueprint.get("/programs/<public_id>")
def program(public_id: str):
    """A program's page; an archived program answers 410 with similar current ones."""
    session = db_session()
    found = find_program(session, public_id)
    if found is None:
        abort(404, description=f"Программы с кодом «{public_id}» нет в каталоге.")
    similar = _similar(session, found)
    if found.status != "active":
        return render_template("public/program_archived.html", program=found, similar=similar), 410
    venue = found.venue
    venue_map = None
    if venue.lat is not None and not low_vision():
        venue_map = map_builder().venues_map([Pin(venue.lat, venue.lon, found.title, venue.address)])
    organization_url = absolute_url("public.organization", public_id=found.organization.public_id)
    json_ld = program_json_ld(found, absolute_url("public.program", public_id=public_id), organization_url)
    return render_template("public/program.html", program=found, similar=similar, venue_map=venue_map,
                           json_ld=json_ld, recruitment=recruitment(found),
                           enroll=enroll_action(found, current_app.config["CERTIFICATE_PORTAL_URL"],
                                                url_for("enrollment.apply", public_id=public_id)),
                           certificate_note=CERTIFICATE_NOTE, queue=public_queue(session, found))


def _similar(session, found):
    """Similar current programs; none while the index is being built (the page itself needs no index)."""
    try:
        return similar_programs(session, search_index(), found)
    except IndexUnavailable:
        return []


@blueprint.get("/organizations/<public_id>")
def organization(public_id: str):
    """An organization's page: its details, its current programs by direction, its venues on a map."""
    session = db_session()
    found = find_organization(session, public_id)
    if found is None:
        abort(404, description=f"Организации с кодом «{public_id}» нет в каталоге.")
    age_parameter = PARAMETERS["age"].name
    parsed = parse_forgiving(MultiDict({age_parameter: request.args.get(age_parameter, "")}))
    age = parsed.search.age
    groups = organization_programs(session, found, age)
    venues = organization_venues(session, found)
    mapped = [Pin(item.venue.lat, item.venue.lon, item.venue.address,
                  f"Программ: {item.program_count}") for item in venues if item.venue.lat is not None]
    venues_map = map_builder().venues_map(mapped) if mapped and not low_vision() else None
    json_ld = organization_json_ld(found, absolute_url("public.organization", public_id=public_id))
    return render_template("public/organization.html", organization=found, groups=groups, venues=venues,
                           venues_map=venues_map, age=age, json_ld=json_ld, notices=parsed.notices,
                           total=sum(len(group.programs) for group in groups))


@blueprint.get("/low-vision")
def low_vision_switch():
    """Turn the version for the visually impaired on or off, or change one of its settings (size, scheme,
    images, spacing), remembered in cookies, and go back."""
    response = redirect(local_path(request.args.get("next")) or url_for("public.index"))
    if request.args.get("on") == "1":
        response.set_cookie(LOW_VISION_COOKIE, "1", max_age=LOW_VISION_MAX_AGE, samesite="Lax", httponly=True)
        settings = vision.updated(request.cookies.get(vision.VISION_COOKIE), request.args)
        response.set_cookie(vision.VISION_COOKIE, settings, max_age=LOW_VISION_MAX_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(LOW_VISION_COOKIE, samesite="Lax", httponly=True)
    return response


@blueprint.get("/privacy")
def privacy():
    """The policy on personal data (a template the site's operator edits: templates/public/privacy.html)."""
    return render_template("public/privacy.html")
