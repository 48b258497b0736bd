"""Names of municipalities and districts, read once per catalogue change in each process.

Every search page names places three times (the chosen ones' chips, the facet lists, the district list of
the form) and checks the ids a request carries: three or four queries a page. Places come only with
imports, and an import that brings a place brings programs, which writes the commit outbox; so the names
stay right for as long as the outbox sequence does not move, and a page pays one cheap read of it.
"""

from __future__ import annotations

import functools
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.changes import recent_sequence
from navigator.catalogue.models import District, Municipality
from navigator.catalogue.vocab import fold


@dataclass(frozen=True)
class PlaceDirectory:
    sequence: int
    municipalities: dict[int, str]
    districts: dict[int, tuple[int, str]]  # id: (municipality id, name)

    def districts_by_municipality(self) -> dict[int, list[tuple[int, str]]]:
        """Every municipality's districts (id, name) by name: the district list that follows the municipality
        (made once per directory, not per page; callers only read it)."""
        return self._districts_by_municipality

    @functools.cached_property
    def _districts_by_municipality(self) -> dict[int, list[tuple[int, str]]]:
        found: dict[int, list[tuple[int, str]]] = {}
        for district_id, (municipality_id, name) in sorted(self.districts.items(), key=lambda item: fold(item[1][1])):
            found.setdefault(municipality_id, []).append((district_id, name))
        return found

    def names(self, municipality_id: int | None, district_id: int | None) -> tuple[str | None, str | None]:
        """Names of a chosen municipality and district, for the chips of a search."""
        district = self.districts.get(district_id) if district_id else None
        return (self.municipalities.get(municipality_id) if municipality_id else None,
                district[1] if district else None)


_directories: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per connection pool: per database
_lock = threading.Lock()


def place_directory(session: Session) -> PlaceDirectory:
    """The names as of the catalogue's latest outbox sequence (read again when it has moved)."""
    pool = session.get_bind().engine.pool  # a GET's autocommit engine shares its pool with the app's engine
    sequence = recent_sequence(session)
    known = _directories.get(pool)
    if known is not None and known.sequence == sequence:
        return known
    municipalities = dict(session.execute(select(Municipality.id, Municipality.name)).all())
    districts = {district_id: (municipality_id, name) for district_id, municipality_id, name in
                 session.execute(select(District.id, District.municipality_id, District.name))}
    directory = PlaceDirectory(sequence, municipalities, districts)
    with _lock:
        _directories[pool] = directory
    return directory
