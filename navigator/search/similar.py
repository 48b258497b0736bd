"""«Похожие программы» for a program's page, answered from the search columns.

Ordering every program of a direction by distance in SQL cost about 18–50 ms of database time per page at
100,000 programs; the same masks and distances over the index's columns take well under a millisecond.
The index holds only current programs, so an archived program's page gets current ones, as it should.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from navigator.catalogue.cards import load_cards
from navigator.catalogue.distance import haversine_km
from navigator.catalogue.models import Program
from navigator.catalogue.programs import SIMILAR_LIMIT, Nearby
from navigator.catalogue.vocab import DIRECTIONS, fold
from navigator.search.columns import Columns


def similar_programs(session: Session, index, program: Program, limit: int = SIMILAR_LIMIT) -> list[Nearby]:
    """Current programs of the same profile (first, however far) or direction for overlapping ages, nearest
    first within each; those without a point last."""
    venue = program.venue
    origin = (venue.lat, venue.lon) if venue is not None and venue.lat is not None and venue.lon is not None else None
    with index.reading() as (_searcher, columns):
        base = columns.live & (columns.program_id != program.id) & \
            (columns.age_min <= program.age_max) & (columns.age_max >= program.age_min)
        profile = fold(program.profile or "")
        same_profile = base & (columns.profile == profile) if profile else np.zeros(columns.size, dtype=bool)
        same_direction = base & ~same_profile & (columns.direction == DIRECTIONS.codes.index(program.direction))
        chosen: list[tuple[int, float | None]] = []
        for group in (same_profile, same_direction):
            chosen += _nearest(columns, group, origin, limit - len(chosen))
    programs = {p.id: p for p in load_cards(session, [program_id for program_id, _ in chosen])}
    found = [Nearby(programs[program_id], distance) for program_id, distance in chosen if program_id in programs]
    # Within each group nearest first; equal distances (or none) by title.
    return sorted(found, key=lambda near: (not profile or fold(near.program.profile or "") != profile,
                                           near.distance_km is None, near.distance_km or 0.0, near.program.title))


def _nearest(columns: Columns, group: np.ndarray, origin: tuple[float, float] | None,
             needed: int) -> list[tuple[int, float | None]]:
    """(program id, km from origin) of the `needed` nearest documents of the group; by title when no origin."""
    docnums = np.flatnonzero(group)
    if needed <= 0 or not len(docnums):
        return []
    if origin is None:
        ranked = docnums[np.argsort(columns.title_rank[docnums], kind="stable")][:needed]
        return [(program_id, None) for program_id in columns.program_id[ranked].tolist()]
    distances = np.full(len(docnums), np.inf)
    mapped = columns.mapped[docnums]
    distances[mapped] = haversine_km(*origin, columns.lat[docnums[mapped]], columns.lon[docnums[mapped]])
    program_ids = columns.program_id[docnums]
    ranked = np.lexsort((program_ids, distances))[:needed]
    return [(program_id, None if np.isinf(distance) else float(distance))
            for program_id, distance in zip(program_ids[ranked].tolist(), distances[ranked].tolist(), strict=True)]
