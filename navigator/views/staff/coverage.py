"""Coverage pages for municipal staff (public, no login): the region by municipality, one municipality by
district with its venues and gaps, and every table as CSV and XLSX. The JSON API (navigator.views.api.v1)
serves the same records (navigator.coverage.tables) from the same snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
from flask import Blueprint, Response, abort, render_template, request, url_for
from markupsafe import Markup

from navigator.catalogue import russian
from navigator.catalogue.spreadsheet import FORMATS, render
from navigator.catalogue.vocab import DIRECTIONS, fold
from navigator.coverage import (
    COVERAGE_PARAMETERS,
    INDICATORS,
    NEAR_KM,
    STATUS_LABELS,
    WALK_KM,
    CoverageFilter,
    Figures,
    Snapshot,
    parse_filter,
    parse_indicator,
    row_labels,
    tables,
)
from navigator.coverage.maps import (
    CATEGORY_COLOURS,
    STATUS_COLOURS,
    MapPoint,
    Scale,
    choropleth_map,
    points_map,
)
from navigator.extensions import coverage, coverage_refreshing, db_session
from navigator.maps import RenderedMap
from navigator.search import BadRequest
from navigator.views.common.site import low_vision, map_builder

blueprint = Blueprint("coverage", __name__, url_prefix="/coverage")
blueprint.add_app_template_global(COVERAGE_PARAMETERS, "coverage_parameters")

SORT_ORDERS = ("asc", "desc")


@blueprint.context_processor
def _helpers() -> dict:
    return {"count_digits": russian.group_digits, "inf": float("inf"), "refreshing": coverage_refreshing()}


def current_snapshot() -> Snapshot:
    return coverage().service.snapshot(db_session())


def parse_arguments(args, strict: bool = False) -> tuple[CoverageFilter, str]:
    """The filter and indicator of a request; BadRequest names the parameter at fault (`strict`: the API's
    reading, exactly its OpenAPI document — a blank or repeated value is refused too)."""
    return parse_filter(args, strict), parse_indicator(args, strict)


def find_municipality(snapshot: Snapshot, name: str) -> int | None:
    return snapshot.catalogue.municipality_row(name)


# --- pages ------------------------------------------------------------------------------------------------

def _bad_request(problem: BadRequest):
    abort(400, description=f"Параметр «{problem.parameter}»: {problem.message}")


def _arguments() -> tuple[CoverageFilter, str]:
    try:
        return parse_arguments(request.args)
    except BadRequest as problem:
        _bad_request(problem)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_url: str
    aria_sort: str | None


def _columns(name_key: str, name_label: str) -> list[tuple[str, str]]:
    labels = row_labels(name_key, name_label)
    labels.pop("children_estimate")
    labels.pop("children_unreliable")  # said under the table, with the reason
    return list(labels.items())


def _sorted(rows: list[dict], key: str, order: str, name_key: str) -> list[dict]:
    """Rows by one column; rows without a value stay at the end in either order."""
    descending = order == "desc"
    if key == name_key:
        return sorted(rows, key=lambda row: fold(row[key]), reverse=descending)
    present = [row for row in rows if row.get(key) is not None]
    return sorted(present, key=lambda row: row[key], reverse=descending) + [row for row in rows if row.get(key) is None]


@dataclass(frozen=True)
class TableRow:
    name: str
    link: str | None
    cells: list[Markup]


def _cell(value, estimate: bool = False) -> Markup:
    """A figure as the table shows it (formatted here: a macro per cell costs more than the rest of the page)."""
    if value is None:
        return Markup('<span aria-label="нет данных">—</span>')
    if isinstance(value, bool):
        return Markup("да" if value else "нет")
    text = russian.decimal(value, 1) if isinstance(value, float) else russian.group_digits(value)
    return Markup('≈{}<span class="visually-hidden"> (оценка)</span>').format(text) if estimate else Markup(text)


def _table(rows: list[dict], name_key: str, name_label: str, base_args: dict, endpoint: str, link=None,
           **endpoint_args) -> tuple[list[Column], list[TableRow]]:
    """Columns with sort links (click again to reverse) and the rows in the requested order, formatted."""
    columns = _columns(name_key, name_label)
    keys = [key for key, _ in columns]
    sort = request.args.get("sort") if request.args.get("sort") in keys else name_key
    order = request.args.get("order") if request.args.get("order") in SORT_ORDERS else "asc"
    made = []
    for key, label in columns:
        following = "desc" if key == sort and order == "asc" else "asc"
        if key != sort and key != name_key:
            following = "desc"  # figures are most useful largest first
        url = url_for(endpoint, **endpoint_args, **base_args, sort=key, order=following)
        aria = ("ascending" if order == "asc" else "descending") if key == sort else None
        made.append(Column(key, label, url, aria))
    shown = [TableRow(row[name_key], link(row[name_key]) if link else None,
                      [_cell(row[key], key == "children_5_18" and bool(row["children_estimate"])) for key in keys[1:]])
             for row in _sorted(rows, sort, order, name_key)]
    return made, shown


def _script_url() -> str:
    return url_for("static", filename="js/coverage-map.js")


def _filter_args(chosen: CoverageFilter, indicator: str | None = None) -> dict:
    args = dict(chosen.pairs())
    if indicator:
        args[COVERAGE_PARAMETERS["indicator"].name] = indicator
    return args


def _municipality_url(name: str, chosen: CoverageFilter) -> str:
    return url_for("coverage.municipality", name=name, **_filter_args(chosen))


def _area_text(figures: Figures, indicator: str) -> str:
    value = figures.value(indicator)
    shown = "нет данных" if value is None else (f"{value:.1f}".replace(".", ",") if isinstance(value, float)
                                                else str(value))
    return f"{INDICATORS[indicator]}: {shown}"


@blueprint.get("")
def index():
    """The region: a choropleth of the chosen indicator beside a sortable table of every municipality."""
    chosen, indicator = _arguments()
    snapshot = current_snapshot()
    report = snapshot.region(chosen)
    rows = [figures.as_row("municipality") for figures in report.municipalities]
    columns, rows = _table(rows, "municipality", "Муниципалитет", _filter_args(chosen, indicator), "coverage.index",
                           link=lambda name: _municipality_url(name, chosen))
    scale = Scale.of([figures.value(indicator) for figures in report.municipalities])
    coverage_map = None
    boundaries = coverage().boundaries
    if not low_vision() and boundaries.bounds:
        def make_map():
            areas = {figures.name: (scale.colour(figures.value(indicator)), _area_text(figures, indicator),
                                    _municipality_url(figures.name, chosen)) for figures in report.municipalities}
            return choropleth_map(map_builder(), boundaries, areas, _script_url())

        # The rendered map depends only on the snapshot, the indicator and the filter: rendered once for each.
        coverage_map = snapshot.cached(("choropleth", indicator, chosen, request.script_root), make_map)
    return render_template(
        "coverage/index.html", chosen=chosen, indicator=indicator, indicators=INDICATORS, report=report,
        columns=columns, rows=rows, scale=scale, coverage_map=coverage_map, population=snapshot.population,
        unreliable=[(figures.name, figures.unreliable) for figures in report.municipalities if figures.unreliable],
        json_url=url_for("api.coverage", **dict(chosen.pairs())),
        export_url=lambda table, file_format: url_for("coverage.export", table=table, file_format=file_format,
                                                      **_filter_args(chosen)))


@dataclass(frozen=True)
class MunicipalityMaps:
    venues: RenderedMap | None
    venue_legend: list[tuple[str, str]]
    gaps: RenderedMap | None
    gap_legend: list[tuple[str, str]]


def _municipality_maps(snapshot: Snapshot, report, direction: str | None) -> MunicipalityMaps:
    """The venue map and the gap map of a municipality page (None where there is nothing to show)."""
    venue_map, venue_legend = _venue_map(snapshot, report)
    gap_map, gap_legend = _gap_map(report.gaps, direction) if report.gaps else (None, [])
    return MunicipalityMaps(venue_map, venue_legend, gap_map, gap_legend)


def _venue_map(snapshot: Snapshot, report):
    """Venues coloured by the direction with most programs there; the popup lists every direction."""
    venues = snapshot.catalogue.venues
    points = []
    for index, row in enumerate(report.venue_rows):
        if np.isnan(venues.lat[row]):
            continue
        counts = report.venue_programs[index]
        points.append(MapPoint(float(venues.lat[row]), float(venues.lon[row]), int(counts.argmax()),
                               venues.address[row], venues.organization[row], tuple(int(n) for n in counts)))
    legend = [(term.label, CATEGORY_COLOURS[index]) for index, term in enumerate(DIRECTIONS)]
    if not points:
        return None, legend
    return points_map(map_builder(), points, legend, 6, _script_url()), legend


def _gap_map(gaps, direction: str | None):
    """Places coloured by the distance to the chosen direction, or by how many directions are within a walk."""
    if direction:
        codes = list(STATUS_COLOURS)
        legend = [(STATUS_LABELS[code], STATUS_COLOURS[code]) for code in codes]
        category = [codes.index(gap.status(direction)) for gap in gaps]
    else:
        width = len(DIRECTIONS.codes)
        half = width // 2
        walk = f"{WALK_KM:g}".replace(".", ",")
        legend = [(f"все {width} направленностей ближе {walk} км", STATUS_COLOURS["walk"]),
                  (f"{half}–{width - 1} направленностей ближе {walk} км", STATUS_COLOURS["near"]),
                  (f"0–{half - 1} направленностей ближе {walk} км", STATUS_COLOURS["far"])]
        category = [0 if gap.walkable == width else 1 if gap.walkable >= half else 2 for gap in gaps]
    points = [MapPoint(gap.point.lat, gap.point.lon, category[index], gap.point.name, _gap_summary(gap))
              for index, gap in enumerate(gaps)]
    return points_map(map_builder(), points, legend, 9, _script_url(), data_id="gap-map-data"), legend


def _gap_summary(gap) -> str:
    missing = [DIRECTIONS.label(code) for code in DIRECTIONS.codes if gap.status(code) != "walk"]
    if not missing:
        return f"Все направленности в пределах {WALK_KM:g} км".replace(".", ",")
    return f"Нет в пределах {WALK_KM:g} км: ".replace(".", ",") + ", ".join(missing)


@blueprint.get("/<name>")
def municipality(name: str):
    """One municipality: its figures by district or settlement, its venues by direction, and its gaps."""
    chosen, _indicator = _arguments()
    snapshot = current_snapshot()
    row = find_municipality(snapshot, name)
    if row is None:
        abort(404, description=f"Муниципалитета «{name}» нет в данных.")
    report = snapshot.municipality(row, chosen)
    municipality_name = snapshot.catalogue.municipality_names[row]
    rows = [figures.as_row("district") for figures in report.districts]
    columns, rows = _table(rows, "district", "Район или населённый пункт", _filter_args(chosen),
                           "coverage.municipality", name=municipality_name)
    maps = None
    if not low_vision():  # rendered once per snapshot, municipality and filter
        maps = snapshot.cached(("maps", row, chosen, request.script_root),
                               lambda: _municipality_maps(snapshot, report, chosen.direction))
    return render_template(
        "coverage/municipality.html", name=municipality_name, chosen=chosen, report=report, columns=columns,
        rows=rows, maps=maps,
        json_url=url_for("api.coverage_municipality", name=municipality_name, **dict(chosen.pairs())),
        status_labels=STATUS_LABELS, walk_km=WALK_KM, near_km=NEAR_KM, gap_method=tables.gap_method(),
        directions=DIRECTIONS,
        export_url=lambda table, file_format: url_for("coverage.export", table=table, file_format=file_format,
                                                      municipality=municipality_name, **_filter_args(chosen)))


# --- exports ---------------------------------------------------------------------------------------------

@blueprint.get("/export/<any(municipalities, districts, gaps):table>.<any(csv, xlsx):file_format>")
def export(table: str, file_format: str):
    """A table of the pages as a file; the filter and the municipality come from the query string.

    CSV opens in Russian Excel by default (`;`, decimal commas); `?dialect=standard` gives `,` and points.
    """
    chosen, _indicator = _arguments()
    municipality_name = request.args.get("municipality") or None
    try:
        made = tables.export_table(current_snapshot(), table, chosen, municipality_name)
    except BadRequest as problem:
        _bad_request(problem)
    except LookupError:
        abort(404, description=f"Муниципалитета «{municipality_name}» нет в данных.")
    stem = "coverage-" + table + (f"-{municipality_name}" if municipality_name else "")
    stem += "".join(f"-{value}" for _, value in chosen.pairs())
    dialect = "standard" if request.args.get("dialect") == "standard" else "excel-ru"
    return Response(render(made, file_format, dialect), content_type=FORMATS[file_format], headers={
        "Content-Disposition": f"attachment; filename=\"coverage-{table}.{file_format}\"; "
                               f"filename*=UTF-8''{quote(stem)}.{file_format}"})
