"""The coverage maps: municipalities coloured by an indicator, and coloured points (venues, gap settlements).

Built with navigator.maps.MapBuilder, so they share the site's tiles, static Leaflet and the rule
that user text stays out of the folium figure: the shapes and points travel as a JSON data block
and static/js/coverage-map.js draws them, writing every name with textContent.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import shapely
from branca.utilities import color_brewer
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.geometry import shape

from navigator.maps import MAP_DATA_ID, MapBuilder, RenderedMap, safe_json

#: Colour-blind-safe colours (Okabe–Ito) for categories such as directions, in vocabulary order.
CATEGORY_COLOURS = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
STATUS_COLOURS = {"walk": "#1a9850", "near": "#f1a340", "far": "#d73027"}
NO_DATA_COLOUR = "#bdbdbd"
PALETTE = "YlGnBu"  # ColorBrewer 2.0 sequential scheme, marked colour-blind safe there
STEPS = 5


class _DataLayer(JSCSSMixin, folium.map.Layer):
    """A layer drawn by a function of static/js/coverage-map.js from the page's JSON data block."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.featureGroup();"
        "NavigatorCoverage.{{ this.draw }}({{ this.get_name() }}, {{ this.data_id|tojson }});"
        "{% endmacro %}")

    def __init__(self, draw: str, script_url: str, data_id: str = MAP_DATA_ID):
        super().__init__(name=draw, control=False)
        self._name = "CoverageLayer"
        self.draw = draw  # a fixed function name, never user text
        self.data_id = data_id
        self.default_js = [("coverage_map_js", script_url)]


@dataclass(frozen=True)
class LegendStep:
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class Scale:
    """Quantile classes of the values: each value's colour and the legend."""

    steps: list[LegendStep]

    @classmethod
    def of(cls, values: list[float | None]) -> Scale:
        known = np.array([value for value in values if value is not None], dtype=np.float64)
        if not len(known):
            return cls([])
        edges = np.unique(np.quantile(known, np.linspace(0, 1, STEPS + 1)))
        if len(edges) < 3:
            # branca needs two classes at least; one value (or two) still gets a legend that reads sensibly.
            edges = np.linspace(edges[0], max(edges[-1], edges[0] + 1), 3)
        # One ColorBrewer colour per class (sequential, colour-blind safe), not a colour at the class's value:
        # skewed values would otherwise give the lower classes near-identical pale yellows.
        classes = len(edges) - 1
        palette = color_brewer(PALETTE, n=max(3, classes))
        colours = [palette[round(i * (len(palette) - 1) / max(1, classes - 1))] for i in range(classes)]
        return cls([LegendStep(float(low), float(high), colour)
                    for (low, high), colour in zip(zip(edges[:-1], edges[1:], strict=True), colours, strict=True)])

    def colour(self, value: float | None) -> str:
        if value is None or not self.steps:
            return NO_DATA_COLOUR
        for step in self.steps:
            if value <= step.high:
                return step.colour
        return self.steps[-1].colour


@dataclass
class Boundaries:
    """The web copy of the municipal boundaries: names, their GeoJSON and the bounding box."""

    geojson: dict
    bounds: tuple[tuple[float, float], tuple[float, float]] | None

    @functools.cached_property
    def json(self) -> str:
        """The shapes as safe JSON, made once: about 100 KB that every map of the region carries."""
        return safe_json(self.geojson)

    @classmethod
    def load(cls, path: str | Path | None) -> Boundaries:
        if not path or not Path(path).is_file():
            return cls({"type": "FeatureCollection", "features": []}, None)
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
        slim = [{"type": "Feature", "properties": {"name": feature["properties"]["name"]},
                 "geometry": feature["geometry"]} for feature in features]
        west, south, east, north = shapely.total_bounds([shape(feature["geometry"]) for feature in features])
        return cls({"type": "FeatureCollection", "features": slim},
                   ((float(south), float(west)), (float(north), float(east))))


def choropleth_map(builder: MapBuilder, boundaries: Boundaries, areas: dict[str, tuple[str, str, str]],
                   script_url: str) -> RenderedMap:
    """Municipalities filled with their colour; areas maps a boundary's name to (colour, tooltip, link)."""
    layer = _DataLayer("areas", script_url)
    data = f'{{"shapes":{boundaries.json},"areas":{safe_json(areas)},"noData":{safe_json(NO_DATA_COLOUR)}}}'
    return builder.data_map(layer, data, boundaries.bounds)


@dataclass(frozen=True)
class MapPoint:
    """A circle: its colour is legend[category]; the popup shows title, subtitle and the non-zero counts."""

    lat: float
    lon: float
    category: int
    title: str
    subtitle: str = ""
    counts: tuple[int, ...] = ()  # per legend entry («Техническая: 3»), when the point has several


def points_map(builder: MapBuilder, points: list[MapPoint], legend: list[tuple[str, str]], radius: int,
               script_url: str, bounds=None, data_id: str = MAP_DATA_ID) -> RenderedMap:
    """Circles coloured by category (legend: label and colour of each); subtitles repeat, so each is sent once."""
    layer = _DataLayer("points", script_url, data_id)
    if bounds is None and points:
        lats, lons = [point.lat for point in points], [point.lon for point in points]
        bounds = ((min(lats), min(lons)), (max(lats), max(lons)))
    labels: dict[str, int] = {}
    rows = [[round(p.lat, 5), round(p.lon, 5), p.category, p.title, labels.setdefault(p.subtitle, len(labels)),
             list(p.counts)] for p in points]
    data = {"legend": legend, "labels": list(labels), "points": rows, "radius": radius}
    return builder.data_map(layer, safe_json(data), bounds)
