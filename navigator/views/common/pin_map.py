"""The small map of the program form, where a provider drags the pin of a venue to its real place.

Leaflet comes from static/vendor (the same copy navigator.maps uses) and static/js/pin-map.js drives
it; the page passes the tiles and the points as data attributes, so no inline script is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, select

from navigator.catalogue.models import Venue
from navigator.extensions import db_session
from navigator.maps import LEAFLET

#: Where the map opens when no venue anywhere has a point yet: the whole country.
FALLBACK_CENTER = (61.0, 90.0, 3)
CATALOGUE_ZOOM = 8


@dataclass(frozen=True)
class PinMap:
    leaflet_js: str
    leaflet_css: str
    script: str
    tile_url: str
    attribution: str
    center: tuple[float, float, int]


def _catalogue_center() -> tuple[float, float, int]:
    """The middle of the catalogue's venues, so a new address starts near the region the site serves."""
    lat, lon = db_session().execute(select(func.avg(Venue.lat), func.avg(Venue.lon))
                                    .where(Venue.lat.is_not(None))).one()
    return (float(lat), float(lon), CATALOGUE_ZOOM) if lat is not None else FALLBACK_CENTER


def pin_map() -> PinMap:
    return PinMap(url_for("static", filename=LEAFLET + "leaflet.js"),
                  url_for("static", filename=LEAFLET + "leaflet.css"),
                  url_for("static", filename="js/pin-map.js"),
                  current_app.config["TILE_URL"], current_app.config["TILE_ATTRIBUTION"], _catalogue_center())
