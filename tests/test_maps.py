"""Folium maps as components: our static files instead of CDNs, pins as escaped data, tiles from settings."""

from __future__ import annotations

import json
import re

import numpy as np

from navigator.config import PROJECT_ROOT
from navigator.maps import MapBuilder, Pin, Tiles, safe_json, tile_server

TILES = Tiles("https://tile.example.org/{z}/{x}/{y}.png", "© Example")


def builder() -> MapBuilder:
    return MapBuilder(TILES, lambda path: "/static/" + path)


def pins_of(rendered) -> dict:
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', rendered.html)
    return json.loads(block.group(1))


def test_results_map_is_components_with_local_leaflet_and_clusters():
    rendered = builder().results_map([Pin(55.35, 86.08, "Шахматы", "Школа № 1", "p1"),
                                      Pin(55.36, 86.09, "Танцы", "Школа № 1", "p2")], "/programs/{id}")
    links = re.findall(r'(?:src|href)="([^"]+)"', rendered.header)
    assert links and all(link.startswith("/static/") for link in links)
    for link in links:
        assert (PROJECT_ROOT / link.lstrip("/")).is_file(), link
    assert "L.markerClusterGroup(" in rendered.script and "NavigatorMap.addPins(" in rendered.script
    assert "<html" not in rendered.html and "<iframe" not in rendered.html and "<script>" not in rendered.script
    assert "https://tile.example.org/{z}/{x}/{y}.png" in rendered.script and "\\u00a9 Example" in rendered.script
    assert "fitBounds" in rendered.script
    assert rendered.script.count("L.control.scale({imperial: false})") == 1  # kilometres only, no miles
    data = pins_of(rendered)
    assert data == {"labels": ["Школа № 1"], "link": "/programs/{id}",  # coordinates in degrees × 10⁵
                    "pins": [[5535000, 8608000, "Шахматы", 0, "p1"], [5536000, 8609000, "Танцы", 0, "p2"]]}


def test_nothing_comes_from_a_cdn():
    rendered = builder().venues_map([Pin(55.35, 86.08, "Шахматы", "ул. Весенняя, 5")])
    everything = rendered.header + rendered.html + rendered.script
    assert not re.search(r"cdn|jsdelivr|cloudflare|bootstrap|jquery|font-?awesome", everything, re.I)
    assert "markercluster" not in everything  # a few pins need no clusters


def test_user_text_never_reaches_a_template_or_the_markup():
    hostile = "</script><script>alert(1)</script> {{ 7*7 }} {% raw %}"
    rendered = builder().results_map([Pin(55.0, 86.0, hostile, hostile, "p1")], "/programs/{id}")
    assert "</script><script>" not in rendered.html and "{{" not in rendered.script
    assert pins_of(rendered)["pins"][0][2] == hostile


def test_safe_json_escapes_what_html_and_javascript_care_about():
    assert safe_json({"a": "<&'>\u2028"}) == '{"a":"\\u003c\\u0026\\u0027\\u003e\\u2028"}'
    assert json.loads(safe_json(["Кемерово"])) == ["Кемерово"]


def test_tile_server_is_the_origin_of_the_template():
    assert tile_server("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_server("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"


def test_grid_cells_count_every_pin_once_and_keep_far_places_apart():
    from navigator.maps import grid_cells

    kemerovo = [Pin(55.35 + i * 1e-5, 86.08, f"К{i}") for i in range(300)]
    novokuznetsk = [Pin(53.76, 87.12 + i * 1e-5, f"Н{i}") for i in range(200)]
    every = kemerovo + novokuznetsk
    cells = grid_cells(np.array([pin.lat for pin in every]), np.array([pin.lon for pin in every]))
    assert sum(cell.count for cell in cells) == 500
    assert {cell.count for cell in cells} == {300, 200}
    big = next(cell for cell in cells if cell.count == 300)
    assert abs(big.lat - 55.3515) < 0.01 and abs(big.lon - 86.08) < 0.01 and big.radius_km >= 0.5


def test_a_large_result_sends_cells_not_pins(monkeypatch):
    from navigator import maps

    monkeypatch.setattr(maps, "SERVER_CLUSTERS_ABOVE", 10)
    pins = [Pin(55.0 + i * 0.05, 86.0, f"Программа {i}", "Школа", f"p{i}") for i in range(50)]
    rendered = builder().results_map(pins, "/programs/{id}", "/?q=x&near={lat},{lon}&radius_km={radius}")
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', rendered.html)
    data = json.loads(block.group(1))
    assert "pins" not in data and sum(cell[2] for cell in data["cells"]) == 50
    assert data["narrow"].startswith("/?q=x&near={lat},{lon}") and "Программа" not in rendered.html
    few = builder().results_map(pins[:5], "/programs/{id}", "/?near={lat},{lon}")
    assert len(pins_of(few)["pins"]) == 5


def test_a_kind_of_map_is_rendered_once_and_each_map_carries_its_own_bounds():
    first = builder().venues_map([Pin(55.35, 86.08, "Шахматы")])
    second = builder().venues_map([Pin(54.0, 87.0, "Танцы")])
    assert first.script is second.script and first.header is second.header  # the figure came from the cache
    views = [json.loads(re.search(r'id="map-data-view">(.*?)</script>', m.html).group(1)) for m in (first, second)]
    assert views == [{"bounds": [[55.35, 86.08], [55.35, 86.08]], "maxZoom": 15},
                     {"bounds": [[54.0, 87.0], [54.0, 87.0]], "maxZoom": 15}]
    assert 'getElementById("map-data-view")' in first.script


def test_two_maps_of_one_kind_on_a_page_do_not_share_their_blocks():
    from navigator.coverage.maps import MapPoint, points_map

    venues = points_map(builder(), [MapPoint(55.0, 86.0, 0, "A")], [("a", "#000")], 6, "/static/js/coverage-map.js")
    gaps = points_map(builder(), [MapPoint(55.0, 86.0, 0, "B")], [("b", "#000")], 9, "/static/js/coverage-map.js",
                      data_id="gap-map-data")
    names = [re.search(r'id="(map_\w+)"', m.html).group(1) for m in (venues, gaps)]
    assert names[0] != names[1] and 'id="gap-map-data"' in gaps.html and 'id="map-data"' in venues.html
