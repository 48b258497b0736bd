"""The active programs as numpy columns: everything the coverage figures and gaps are computed from.

Loaded with a few plain queries (one row per active program, per enrollment kind, per venue), so
that every figure for any filter and grouping is a handful of array operations instead of a
GROUP BY per figure; at 100,000 programs loading takes about a second, a figure table a few ms.
After a save, patch_catalogue reads only the changed programs again and merges them in (9 ms).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.models import (
    District,
    Municipality,
    Organization,
    Program,
    ProgramEnrollment,
    ProgramOvz,
    Venue,
)
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, fold

ACTIVE = "active"
#: Points no more exact than this do not say where a venue is (a municipality's centroid), so gaps skip them.
GAP_PRECISIONS = ("building", "street", "settlement")
#: Programs held only online bring no program within walking distance.
ONLINE_FORMAT = "online"


def enrollment_bit(kind: str) -> int:
    """The bit of an enrollment kind in Catalogue.enrollment."""
    return 1 << ENROLLMENT_KINDS.codes.index(kind)


@dataclass(frozen=True)
class Venues:
    """Every venue; programs point at them by row number."""

    ids: np.ndarray  # sorted
    lat: np.ndarray  # NaN without a point
    lon: np.ndarray
    exact_enough: np.ndarray  # bool: a point good enough for distances
    address: list[str]
    organization: list[str]
    municipality: np.ndarray  # municipality row
    district: np.ndarray  # district row, -1 without one


@dataclass(frozen=True)
class Catalogue:
    municipality_names: list[str]
    municipality_ids: list[int]  # -1 for a municipality named only in the data files
    district_names: list[str]
    district_ids: np.ndarray  # sorted
    district_municipality: np.ndarray  # municipality row of each district row
    # One entry per active program, in the order of their ids:
    ids: np.ndarray
    municipality: np.ndarray  # municipality row
    district: np.ndarray  # district row, -1 without one
    venue: np.ndarray  # row in venues
    organization: np.ndarray  # organization id
    direction: np.ndarray  # index in DIRECTIONS.codes, -1 for an unknown code
    enrollment: np.ndarray  # bit set of ENROLLMENT_KINDS (bit i = codes[i])
    seats_total: np.ndarray  # 0 where unknown
    seats_free: np.ndarray  # 0 where unknown
    ovz: np.ndarray  # bool: adapted for at least one ОВЗ category
    in_person: np.ndarray  # bool: not online only
    venues: Venues

    @property
    def size(self) -> int:
        return len(self.direction)

    def municipality_row(self, name: str) -> int | None:
        wanted = fold(name)
        return next((row for row, known in enumerate(self.municipality_names) if fold(known) == wanted), None)


#: The per-program columns, besides the places that come from the venue.
PROGRAM_FIELDS = ("ids", "venue_id", "organization", "direction", "enrollment", "seats_total", "seats_free", "ovz",
                  "in_person")


def _rows(session: Session, statement) -> list[tuple]:
    """Plain tuples through the Core connection (the ORM's row processing costs more than the query)."""
    return list(session.connection().execute(statement).all())


def _codes(values, codes: tuple[str, ...]) -> np.ndarray:
    """Each value's index in codes (-1 for one not there)."""
    index = {code: number for number, code in enumerate(codes)}
    return np.fromiter((index.get(value, -1) for value in values), dtype=np.int64, count=len(values))


def _positions(sorted_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each wanted id sits in sorted_ids, and which of them are there at all."""
    positions = np.minimum(np.searchsorted(sorted_ids, wanted), max(len(sorted_ids) - 1, 0))
    found = sorted_ids[positions] == wanted if len(sorted_ids) else np.zeros(len(wanted), dtype=bool)
    return positions, found


def _venue_rows(session: Session, *conditions) -> list[tuple]:
    return _rows(session, select(Venue.id, Venue.lat, Venue.lon, Venue.precision, Venue.municipality_id,
                                 Venue.district_id, Venue.address, Organization.name)
                 .join(Organization, Venue.organization_id == Organization.id).where(*conditions)
                 .order_by(Venue.id))


def _read_programs(session: Session, only: set[int] | None = None) -> dict[str, np.ndarray]:
    """The active programs' columns (only those ids, if given), in the order of their ids."""
    chosen = () if only is None else (Program.id.in_(sorted(only)),)
    programs = _rows(session, select(Program.id, Program.venue_id, Program.organization_id, Program.direction,
                                     Program.seats_total, Program.seats_free, Program.format)
                     .where(Program.status == ACTIVE, *chosen).order_by(Program.id))
    columns = list(zip(*programs, strict=True)) if programs else [()] * 7
    ids = np.array(columns[0], dtype=np.int64)

    enrollment = np.zeros(len(ids), dtype=np.int64)
    kinds = _rows(session, select(ProgramEnrollment.program_id, ProgramEnrollment.kind).where(
        *(() if only is None else (ProgramEnrollment.program_id.in_(sorted(only)),))))
    if kinds:
        owners, labels = zip(*kinds, strict=True)
        positions, found = _positions(ids, np.array(owners, dtype=np.int64))
        kind = _codes(labels, ENROLLMENT_KINDS.codes)
        keep = found & (kind >= 0)
        np.bitwise_or.at(enrollment, positions[keep], np.left_shift(1, kind[keep]))
    ovz = np.zeros(len(ids), dtype=bool)
    adapted = np.array(session.connection().execute(select(ProgramOvz.program_id).where(
        *(() if only is None else (ProgramOvz.program_id.in_(sorted(only)),))).distinct()).scalars().all(),
        dtype=np.int64)
    positions, found = _positions(ids, adapted)
    ovz[positions[found]] = True

    def numbers(values) -> np.ndarray:
        return np.nan_to_num(np.array(values, dtype=np.float64)).astype(np.int64)

    return {"ids": ids, "venue_id": np.array(columns[1], dtype=np.int64),
            "organization": np.array(columns[2], dtype=np.int64), "direction": _codes(columns[3], DIRECTIONS.codes),
            "enrollment": enrollment, "seats_total": numbers(columns[4]), "seats_free": numbers(columns[5]),
            "ovz": ovz, "in_person": np.array(columns[6], dtype=object) != ONLINE_FORMAT}


def _with_programs(catalogue: Catalogue, programs: dict[str, np.ndarray]) -> Catalogue:
    """The catalogue's places with these programs (their venues must be among the catalogue's)."""
    columns = {name: programs[name] for name in PROGRAM_FIELDS if name != "venue_id"}
    columns["venue"] = np.searchsorted(catalogue.venues.ids, programs["venue_id"])
    return _placed(catalogue, columns)


def _placed(catalogue: Catalogue, columns: dict[str, np.ndarray]) -> Catalogue:
    """The catalogue with these program columns; each program's municipality and district are its venue's."""
    venue = columns["venue"]
    return replace(catalogue, municipality=catalogue.venues.municipality[venue],
                   district=catalogue.venues.district[venue], **columns)


def load_catalogue(session: Session, extra_municipalities: tuple[str, ...] = ()) -> Catalogue:
    """Read the active programs; municipalities named only in the data files are added with no programs.

    One pass over the program table (its rows are wide: the descriptions), then the narrow tables whole.
    """
    municipalities = _rows(session, select(Municipality.id, Municipality.name))
    known = {fold(name) for _, name in municipalities}
    municipalities += [(-1, name) for name in extra_municipalities if fold(name) not in known]
    municipalities.sort(key=lambda item: fold(item[1]))
    municipality_row = {mid: row for row, (mid, _) in enumerate(municipalities) if mid != -1}
    districts = _rows(session, select(District.id, District.name, District.municipality_id).order_by(District.id))
    district_ids = np.array([did for did, _, _ in districts], dtype=np.int64)

    venues = _venue_rows(session)
    venue_columns = list(zip(*venues, strict=True)) if venues else [()] * 8
    venue_district = np.array([-1 if did is None else did for did in venue_columns[5]], dtype=np.int64)
    positions, found = _positions(district_ids, venue_district)
    lat = np.array(venue_columns[1], dtype=np.float64)
    places = Catalogue(
        municipality_names=[name for _, name in municipalities],
        municipality_ids=[mid for mid, _ in municipalities],
        district_names=[name for _, name, _ in districts],
        district_ids=district_ids,
        district_municipality=np.array([municipality_row[mid] for _, _, mid in districts], dtype=np.int64),
        venues=Venues(
            ids=np.array(venue_columns[0], dtype=np.int64),
            lat=lat,
            lon=np.array(venue_columns[2], dtype=np.float64),
            exact_enough=np.isin(np.array(venue_columns[3], dtype=object), GAP_PRECISIONS) & ~np.isnan(lat),
            address=list(venue_columns[6]),
            organization=list(venue_columns[7]),
            municipality=np.array([municipality_row[mid] for mid in venue_columns[4]], dtype=np.int64),
            district=np.where(found, positions, -1)),
        **{name: np.zeros(0, dtype=np.int64) for name in (*PROGRAM_FIELDS, "municipality", "district", "venue")
           if name != "venue_id"})
    return _with_programs(places, _read_programs(session))


def patch_catalogue(session: Session, catalogue: Catalogue, changed: set[int]) -> Catalogue | None:
    """The catalogue with these programs read again (a save in the cabinet: a few ms instead of a whole load).

    None when the change reaches beyond the programs' own columns — a venue the catalogue does not know,
    or one whose point, address, place or organization name is different now: then load it whole.
    """
    programs = _read_programs(session, changed)
    wanted = set(programs["venue_id"].tolist())
    venues = catalogue.venues
    if wanted:
        for venue_id, lat, lon, precision, municipality_id, district_id, address, organization in _venue_rows(
                session, Venue.id.in_(sorted(wanted))):
            row = int(np.searchsorted(venues.ids, venue_id))
            if row >= len(venues.ids) or venues.ids[row] != venue_id:
                return None
            point = (np.nan if lat is None else lat, np.nan if lon is None else lon)
            exact = precision in GAP_PRECISIONS and lat is not None
            district = -1 if district_id is None else int(np.searchsorted(catalogue.district_ids, district_id))
            if district_id is not None and (district >= len(catalogue.district_ids)
                                            or catalogue.district_ids[district] != district_id):
                return None
            if (not np.array_equal(point, (venues.lat[row], venues.lon[row]), equal_nan=True)
                    or exact != bool(venues.exact_enough[row]) or address != venues.address[row]
                    or organization != venues.organization[row] or district != venues.district[row]
                    or municipality_id != catalogue.municipality_ids[venues.municipality[row]]):
                return None
    programs["venue"] = np.searchsorted(venues.ids, programs.pop("venue_id"))
    return _placed(catalogue, _merged(catalogue, programs, changed))


def _merged(catalogue: Catalogue, programs: dict[str, np.ndarray], changed: set[int]) -> dict[str, np.ndarray]:
    """The catalogue's program columns with the changed ids replaced by `programs` (those still active), in
    id order: copies and a few insertions instead of sorting 100,000 rows again."""
    current = {name: getattr(catalogue, name) for name in programs}
    asked = np.array(sorted(changed), dtype=np.int64)
    positions, found = _positions(current["ids"], asked)
    staying = np.isin(asked[found], programs["ids"])
    updated, removed = positions[found][staying], positions[found][~staying]
    fresh_at = np.searchsorted(programs["ids"], current["ids"][updated])
    added = ~np.isin(programs["ids"], asked[found])
    columns = {}
    for name, values in current.items():
        values = values.copy()
        values[updated] = programs[name][fresh_at]
        values = np.delete(values, removed)
        columns[name] = values
    insert_at = np.searchsorted(columns["ids"], programs["ids"][added])
    return {name: np.insert(values, insert_at, programs[name][added]) for name, values in columns.items()}
