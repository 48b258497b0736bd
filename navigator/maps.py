"""Folium maps of programs: the search results, one program's venue, an organization's venues.

Each map is rendered as components — the header, html and script of the folium figure — that our
own templates place in the page; nothing is a page of its own or an iframe. Folium's CDN links are
replaced by files under static/vendor/, so the only outside requests are the base map tiles.

Markers are not folium Marker elements: the pins travel as one compact JSON data block next to the
map, and static/js/map.js makes the markers and popups in the browser, writing user text with
textContent (never as HTML). That keeps thousands of markers quick to render and small to send, and
popups safe. Above SERVER_CLUSTERS_ABOVE results the pins are not sent at all: the server groups them
into at most about GRID_CELLS² cells, each shown as one marker with its count and a link that narrows
the search to it — a page for the whole region stays a few kilobytes of map data however large the
catalogue (docs/performance.md). The data block is deliberately kept out of folium's figure: branca compiles every
rendered piece of the figure again as a Jinja template, so user text such as «{{ … }}» inside it would
be evaluated on the server (and is slow to compile when there are thousands of pins).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

import folium
import numpy as np
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template, tojavascript
from markupsafe import Markup

LEAFLET = "vendor/leaflet-1.9.4/"
MARKERCLUSTER = "vendor/leaflet.markercluster-1.5.3/"
SINGLE_PIN_ZOOM = 15
#: Above this zoom markers spread out instead of clustering (several programs share one building).
CLUSTER_UNTIL_ZOOM = 16
#: Above this many mapped results the server sends cells with counts instead of pins. Measured with
#: bench/pages.py: 1,000 pins are about 60 KB of JSON (15 KB gzipped) and the browser clusters them quickly.
SERVER_CLUSTERS_ABOVE = 1000
#: Cells along the longer side of the results' extent.
GRID_CELLS = 40
#: Pins' coordinates travel as integers: degrees times this (static/js/map.js divides).
PIN_SCALE = 100_000
#: The id of a map's data block (its view block, the bounds, is "<id>-view"); a page with two maps gives
#: the second another id.
MAP_DATA_ID = "map-data"
#: Rendered figures by kind of map (see MapBuilder.data_map); a handful of entries.
_FIGURES: dict[tuple, RenderedMap] = {}


class Cell(NamedTuple):
    """Results grouped on the server: their mean point, how many, and the radius that takes them in (a tuple,
    sent to the browser as an array as it is)."""

    lat: float
    lon: float
    count: int
    radius_km: float


@dataclass(frozen=True)
class Tiles:
    """Where the base map comes from (settings TILE_URL and TILE_ATTRIBUTION)."""

    url: str
    attribution: str


class Pin(NamedTuple):
    """One marker: its point, the popup's title and second line, and the id its link points to (a tuple: a
    results map makes up to a thousand per page)."""

    lat: float
    lon: float
    title: str
    subtitle: str = ""
    link_id: str | None = None


@dataclass(frozen=True)
class RenderedMap:
    """The parts of a folium figure, for our templates: header in <head>, html in place, script after it.

    html also carries the pins' JSON data block, which the script reads.
    """

    header: Markup
    html: Markup
    script: Markup


def tile_server(tile_url: str) -> str:
    """The origin of a tile URL template, as a Content-Security-Policy source (`{s}` becomes `*`)."""
    parts = urlsplit(tile_url)
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[len("{s}."):]
    return f"{parts.scheme}://{host}" if parts.scheme else host


def safe_json(value) -> str:
    """Compact JSON that can sit inside a <script> element (no `</script>`, no HTML-significant characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                               ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(character, escaped)
    return text


@dataclass(frozen=True)
class Centre:
    """The searched point («near me»): marked on the results map with its radius and a label."""

    lat: float
    lon: float
    radius_km: float | None
    label: str

    def as_json(self) -> list:
        """[lat, lon, radius in metres (0: none), label] as static/js/map.js draws it."""
        return [round(self.lat, 6), round(self.lon, 6), (self.radius_km or 0) * 1000, self.label]


class _EmbeddedMap(folium.Map):
    """folium's Map without its header styles, which size a whole page; our stylesheet sizes the map.

    Its scale is metric only (folium's `control_scale` adds miles too, which a Russian page has no use for).
    """

    _template = Template(
        "{% macro header(this, kwargs) %}{% endmacro %}"
        "{% macro html(this, kwargs) %}{{ folium_map.html(this, kwargs) }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ folium_map.script(this, kwargs) }}"
        "L.control.scale({imperial: false}).addTo({{ this.get_name() }});{% endmacro %}")
    _template.globals["folium_map"] = folium.Map._template.module


#: folium's Layer adds the `addTo(map)` line itself.
_PINS_SCRIPT = (
    "{% macro script(this, kwargs) %}"
    "var {{ this.get_name() }} = {{ this.layer_js }};"
    "NavigatorMap.addPins({{ this.get_name() }}, {{ this.data_id|tojson }}, {{ this._parent.get_name() }});"
    "{% endmacro %}")


class _ClusteredPins(MarkerCluster):
    """folium's MarkerCluster plugin, filled from a JSON array of pins by static/js/map.js."""

    _template = Template(_PINS_SCRIPT)

    def __init__(self, data_id: str, **options):
        super().__init__(**options)
        self.data_id = data_id
        self.layer_js = f"L.markerClusterGroup({tojavascript(self.options)})"


class _PlainPins(JSCSSMixin, folium.map.Layer):
    """A few unclustered pins (a program's venue, an organization's venues)."""

    _template = Template(_PINS_SCRIPT)

    def __init__(self, data_id: str):
        super().__init__(name="pins", control=False)
        self._name = "PlainPins"
        self.data_id = data_id
        self.layer_js = "L.featureGroup()"


class _FitView(MacroElement):
    """Fits the map to the bounds in the view block (the figure itself is the same for every map of a kind)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (view) { if (view) { {{ this._parent.get_name() }}.fitBounds(view.bounds, "
        "{padding: [24, 24], maxZoom: view.maxZoom}); } })"
        "(JSON.parse(document.getElementById({{ this.view_id|tojson }}).textContent));"
        "{% endmacro %}")

    def __init__(self, view_id: str):
        super().__init__()
        self._name = "FitView"
        self.view_id = view_id


class MapBuilder:
    """Builds the site's maps with our tiles and our static files (static_url turns a path into a URL)."""

    def __init__(self, tiles: Tiles, static_url: Callable[[str], str]):
        self.tiles = tiles
        self.static_url = static_url

    def results_map(self, pins: Sequence[Pin], link_pattern: str, narrow_pattern: str | None = None,
                    centre: Centre | None = None) -> RenderedMap:
        """Every mapped result, clustered, each popup linking to its program (link_pattern has `{id}`),
        and the searched point with its radius when the search has one.

        Above SERVER_CLUSTERS_ABOVE results, grid cells instead: each links to narrow_pattern (the same
        search near `{lat},{lon}` within `{radius}` km).
        """
        if len(pins) > SERVER_CLUSTERS_ABOVE and narrow_pattern:
            return self.cells_map([pin.lat for pin in pins], [pin.lon for pin in pins], narrow_pattern, centre)
        layer = _ClusteredPins(MAP_DATA_ID, disable_clustering_at_zoom=CLUSTER_UNTIL_ZOOM, spiderfy_on_max_zoom=True,
                               show_coverage_on_hover=False)
        layer.default_js = [("markercluster_js", self.static_url(MARKERCLUSTER + "leaflet.markercluster.js")),
                            ("navigator_map_js", self.static_url("js/map.js"))]
        layer.default_css = [(name, self.static_url(MARKERCLUSTER + file)) for name, file in (
            ("markercluster_css", "MarkerCluster.css"), ("markercluster_default_css", "MarkerCluster.Default.css"))]
        return self._render(pins, link_pattern, layer, centre)

    def cells_map(self, lat: Sequence[float], lon: Sequence[float], narrow_pattern: str,
                  centre: Centre | None = None) -> RenderedMap:
        """Many results grouped into grid cells on the server, each linking to the search narrowed to it
        (and the searched point with its radius, when the search has one)."""
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        layer = _PlainPins(MAP_DATA_ID)
        layer.default_js = [("navigator_map_js", self.static_url("js/map.js"))]
        cells = grid_cells(lat, lon) if len(lat) else []
        data = {"cells": cells, "narrow": narrow_pattern}
        if centre:
            data["centre"] = centre.as_json()
        bounds = ((float(lat.min()), float(lon.min())), (float(lat.max()), float(lon.max()))) if len(lat) else None
        return self.data_map(layer, safe_json(data), _circle_bounds(centre) or bounds)

    def venues_map(self, pins: Sequence[Pin], link_pattern: str | None = None) -> RenderedMap:
        """A small map of one or a few places, each pin shown on its own."""
        layer = _PlainPins(MAP_DATA_ID)
        layer.default_js = [("navigator_map_js", self.static_url("js/map.js"))]
        return self._render(pins, link_pattern, layer)

    def _render(self, pins: Sequence[Pin], link_pattern: str | None, layer, centre: Centre | None = None
                ) -> RenderedMap:
        # The circle searched is what the parent wants to see; without one, every pin.
        bounds = _circle_bounds(centre) or _bounds(pins)
        return self.data_map(layer, self._pins_json(pins, link_pattern, centre), bounds)

    def data_map(self, layer, data_json: str, bounds=None) -> RenderedMap:
        """A map of one layer that the browser fills from a JSON data block (layer.data_id), kept out of the figure.

        data_json must be safe inside <script> (safe_json); bounds are ((south, west), (north, east)).
        The figure is the same for every map of a kind: it is rendered once (folium compiles each piece of it
        as a Jinja template, about 10 ms a page) and the bounds travel in a second data block beside the data.
        """
        key = (type(layer).__name__, layer.data_id, getattr(layer, "layer_js", None), getattr(layer, "draw", None),
               tuple(layer.default_js), tuple(layer.default_css), self.tiles, self.static_url(LEAFLET))
        figure = _FIGURES.get(key)
        if figure is None:
            figure = _FIGURES[key] = self._figure(layer)
        view = {"bounds": [list(bounds[0]), list(bounds[1])], "maxZoom": SINGLE_PIN_ZOOM} if bounds else None
        data = Markup('<script type="application/json" id="{}">{}</script>'
                      '<script type="application/json" id="{}">{}</script>').format(
            layer.data_id, Markup(data_json), f"{layer.data_id}-view", Markup(safe_json(view)))
        return RenderedMap(figure.header, figure.html + data, figure.script)

    def _figure(self, layer) -> RenderedMap:
        figure_map = _EmbeddedMap(location=None, tiles=None, scroll_wheel_zoom=False)
        figure_map.default_js = [("leaflet", self.static_url(LEAFLET + "leaflet.js"))]
        figure_map.default_css = [("leaflet_css", self.static_url(LEAFLET + "leaflet.css"))]
        folium.TileLayer(tiles=self.tiles.url, attr=self.tiles.attribution, name="base", control=False,
                         max_zoom=19).add_to(figure_map)
        layer.add_to(figure_map)
        _FitView(f"{layer.data_id}-view").add_to(figure_map)
        figure = figure_map.get_root()
        figure.header.add_child(Element(""), name="meta_http")  # our pages declare their charset
        figure.render()
        return RenderedMap(Markup(figure.header.render()), Markup(figure.html.render()),
                           Markup(figure.script.render()))

    @staticmethod
    def _pins_json(pins: Sequence[Pin], link_pattern: str | None, centre: Centre | None = None) -> str:
        """{"labels": [...], "pins": [[lat, lon, title, label index, link id], ...], "link": pattern, "centre": …}.

        Coordinates are whole hundred-thousandths of a degree (about a metre): JSON writes an integer in a
        fraction of the time it takes for a float, and a thousand pins have two thousand of them. Second lines
        (organization names, addresses) repeat a lot, so they are sent once each.
        """
        labels: dict[str, int] = {}
        label_index = labels.setdefault
        points = np.array([(pin.lat, pin.lon) for pin in pins], dtype=np.float64).reshape(-1, 2)
        points = np.rint(points * PIN_SCALE).astype(np.int64).tolist()
        rows = [[lat, lon, title, label_index(subtitle, len(labels)), link_id]
                for (lat, lon), (_, _, title, subtitle, link_id) in zip(points, pins, strict=True)]
        data = {"labels": list(labels), "pins": rows, "link": link_pattern}
        if centre:
            data["centre"] = centre.as_json()
        return safe_json(data)


def _circle_bounds(centre: Centre | None):
    """The box around the searched circle (None without a radius)."""
    if not centre or not centre.radius_km:
        return None
    half_lat = centre.radius_km / 111.2
    half_lon = half_lat / max(0.1, math.cos(math.radians(centre.lat)))
    return (centre.lat - half_lat, centre.lon - half_lon), (centre.lat + half_lat, centre.lon + half_lon)


def _bounds(pins: Sequence[Pin]):
    if not pins:
        return None
    lats, lons = [pin.lat for pin in pins], [pin.lon for pin in pins]
    return (min(lats), min(lons)), (max(lats), max(lons))


def grid_cells(lat: np.ndarray, lon: np.ndarray, cells: int = GRID_CELLS) -> list[Cell]:
    """Group points into square-ish cells of their extent; each cell at the mean point of its points."""
    stretch = max(np.cos(np.radians(lat.mean())), 0.1)  # a degree of longitude is this much shorter
    side = max(np.ptp(lat), np.ptp(lon) * stretch, 1e-4) / cells
    rows = np.minimum(np.floor((lat - lat.min()) / side), cells - 1)  # the top edge belongs to the last row
    columns = np.minimum(np.floor((lon - lon.min()) * stretch / side), cells - 1)
    keys = (rows * cells + columns).astype(np.intp)  # counted by bincount over every cell: no sort
    counts = np.bincount(keys, minlength=cells * cells)
    occupied = np.flatnonzero(counts)
    counts = counts[occupied]
    mean_lat = np.bincount(keys, weights=lat, minlength=cells * cells)[occupied] / counts
    mean_lon = np.bincount(keys, weights=lon, minlength=cells * cells)[occupied] / counts
    radius_km = max(round(side * 111.32 * 0.75, 1), 0.5)  # covers a cell's pins from its mean point, about
    return [Cell(a, o, n, radius_km) for a, o, n in zip(np.round(mean_lat, 5).tolist(), np.round(mean_lon, 5).tolist(),
                                                        counts.tolist(), strict=True)]
