"""The coverage of one application: a snapshot of the catalogue kept in memory, and the reports made from it.

The snapshot is loaded on first use and kept until the data changes: it records the commit outbox's
sequence it was read at (navigator.catalogue.changes), and every request compares that with the newest
sequence — one indexed read, whichever process or machine made the change (a worker, an import from the
command line, the geocoder). The outbox also says which programs changed, so after a save only those
are read again; a change that reaches further (a new venue, a moved point) loads the catalogue whole.
Reports and rendered maps for a filter are cached in the snapshot, so they go with it.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from navigator.catalogue.changes import entries_after, holds_everything_after, oldest_sequence, recent_sequence
from navigator.catalogue.vocab import DIRECTIONS, fold
from navigator.coverage.catalogue import Catalogue, load_catalogue, patch_catalogue
from navigator.coverage.figures import CoverageFilter, Figures, grouped_figures, program_mask
from navigator.coverage.gaps import Gap, GapPoint, distance_matrix, find_gaps
from navigator.coverage.population import Population

#: Seconds a catalogue load may take inside a request; a slower one reloads in the background.
INLINE_RELOAD_S = 0.3
#: A slow-loading snapshot is reloaded at most this often: with providers saving every second, each worker
#: would otherwise spend most of its time reloading 100,000 programs (a third of a worker's CPU under load).
RELOAD_EVERY_S = 60.0
#: Outbox entries and changed programs up to which a snapshot is patched rather than loaded again.
PATCH_ENTRIES = 1_000
PATCH_PROGRAMS = 5_000
#: Reports kept per snapshot (filters × pages); each is a few kilobytes.
CACHED_REPORTS = 256
NO_DISTRICT = "Район не указан"


def fingerprint(session: Session) -> int:
    """The newest outbox sequence: it grows with every committed change of programs (a lookup of the key's end)."""
    return recent_sequence(session)


@dataclass(frozen=True)
class RegionReport:
    region: Figures
    municipalities: list[Figures]


@dataclass(frozen=True)
class MunicipalityReport:
    figures: Figures
    districts: list[Figures]
    gaps: list[Gap]
    venue_rows: np.ndarray  # rows of catalogue.venues with programs passing the filter, in this municipality
    venue_programs: np.ndarray  # (venues, directions): programs per venue and direction


@dataclass
class Snapshot:
    catalogue: Catalogue
    population: Population
    points: list[GapPoint]
    fingerprint: int
    load_seconds: float = 0.0
    loaded_at: float = field(default_factory=time.monotonic)
    unpatchable: bool = False  # changes since it was read reach beyond their programs
    _reports: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key, make):
        """What make() returns, kept with this snapshot (so it goes when the data changes)."""
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
        report = make()
        with self._lock:
            self._reports[key] = report
            while len(self._reports) > CACHED_REPORTS:
                self._reports.popitem(last=False)
        return report

    def region(self, chosen: CoverageFilter) -> RegionReport:
        """The region's figures and every municipality's (including those without programs)."""
        return self.cached(("region", chosen), lambda: self._region(chosen))

    def municipality(self, row: int, chosen: CoverageFilter) -> MunicipalityReport:
        return self.cached(("municipality", row, chosen), lambda: self._municipality(row, chosen))

    def gaps(self, enrollment: str | None) -> list[Gap]:
        """Gaps of every point for programs of one enrollment kind (None: any)."""
        return self.cached(("gaps", enrollment), lambda: find_gaps(
            self.points, self.catalogue, program_mask(self.catalogue, CoverageFilter(enrollment=enrollment)),
            self.distances))

    @functools.cached_property
    def distances(self) -> np.ndarray | None:
        """Every gap point to every venue, km (None when too large to keep): the gaps of any filter come from it."""
        return distance_matrix(self.points, self.catalogue)

    def _region(self, chosen: CoverageFilter) -> RegionReport:
        catalogue, mask = self.catalogue, program_mask(self.catalogue, chosen)
        names = catalogue.municipality_names
        children = [self.population.municipality(name) for name in names]
        municipalities = grouped_figures(catalogue, mask, catalogue.municipality, names, children)
        region_name = self.population.region_name or "Все муниципалитеты"
        region = grouped_figures(catalogue, mask, np.zeros(catalogue.size, dtype=np.int64), [region_name],
                                 [self.population.region])[0]
        return RegionReport(region, municipalities)

    def _municipality(self, row: int, chosen: CoverageFilter) -> MunicipalityReport:
        catalogue = self.catalogue
        name = catalogue.municipality_names[row]
        mask = program_mask(catalogue, chosen) & (catalogue.municipality == row)
        figures = self.region(chosen).municipalities[row]
        district_rows = np.flatnonzero(catalogue.district_municipality == row)
        groups = np.full(catalogue.size, -1, dtype=np.int64)
        inside = np.isin(catalogue.district, district_rows)
        groups[inside] = np.searchsorted(district_rows, catalogue.district[inside])
        names = [catalogue.district_names[index] for index in district_rows]
        unplaced = mask & (catalogue.district == -1)
        if unplaced.any():
            groups[unplaced] = len(names)
            names.append(NO_DISTRICT)
        populations = {fold(point.name): point.population for point in self.points
                       if fold(point.municipality) == fold(name)}
        children = [self.population.settlement(district, populations.get(fold(district))) for district in names]
        districts = grouped_figures(catalogue, mask, groups, names, children)
        gaps = [gap for gap in self.gaps(chosen.enrollment) if fold(gap.point.municipality) == fold(name)]
        venue_rows, per_venue = np.unique(catalogue.venue[mask], return_inverse=True)
        width = len(DIRECTIONS.codes)
        directions = catalogue.direction[mask]
        counts = np.zeros((len(venue_rows), width), dtype=np.int64)
        np.add.at(counts, (per_venue[directions >= 0], directions[directions >= 0]), 1)
        return MunicipalityReport(figures, districts, gaps, venue_rows, counts)


class CoverageService:
    """Keeps one app's snapshot fresh; the views ask it for the current one.

    A change of a few programs patches the snapshot inside the request that finds it out of date (their
    rows are read again). Otherwise a catalogue that loads quickly is reloaded inside that request, so small
    sites always show exact figures. A large one (100,000 programs load in about 1.5 s) is reloaded
    in a background thread, at most once every RELOAD_EVERY_S, while the previous snapshot keeps
    answering, and the pages say that the figures are being recalculated; only the very first request
    of a process waits for a load.
    """

    def __init__(self, session_factory: sessionmaker, population: Population, points: list[GapPoint]):
        self.session_factory = session_factory
        self.population = population
        self.points = points
        self._snapshot: Snapshot | None = None
        self._load_lock = threading.Lock()
        self._worker_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._outdated = False

    @property
    def refreshing(self) -> bool:
        """Whether the snapshot being shown is out of date (a newer one is loading, or will within a minute)."""
        return self._outdated or (self._worker is not None and self._worker.is_alive())

    def snapshot(self, session: Session) -> Snapshot:
        """The current snapshot (the previous one while a large catalogue reloads in the background, and for
        up to RELOAD_EVERY_S after its last load)."""
        snapshot = self._snapshot
        current = fingerprint(session)
        if snapshot is not None and snapshot.fingerprint == current:
            self._outdated = False
            return snapshot
        patched = self._patched(session, snapshot, current) if snapshot is not None else None
        if patched is not None:
            return patched
        if snapshot is None or snapshot.load_seconds < INLINE_RELOAD_S:
            return self._load(session)
        self._outdated = True
        if time.monotonic() - snapshot.loaded_at >= RELOAD_EVERY_S:
            self._reload_in_background()
        return snapshot

    @property
    def snapshot_load_seconds(self) -> float | None:
        return self._snapshot.load_seconds if self._snapshot is not None else None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background reload to finish (benchmarks and tests)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _load(self, session: Session) -> Snapshot:
        with self._load_lock:  # one load at a time; whoever waited gets the fresh one
            current = fingerprint(session)
            snapshot = self._snapshot
            if snapshot is not None and snapshot.fingerprint == current:
                return snapshot
            started = time.perf_counter()
            snapshot = Snapshot(load_catalogue(session, self.population.names), self.population, self.points,
                                current, time.perf_counter() - started)
            snapshot.region(CoverageFilter())  # what the first pages ask for
            snapshot.gaps(None)
            self._snapshot, self._outdated = snapshot, False
            return snapshot

    def _patched(self, session: Session, snapshot: Snapshot, current: int) -> Snapshot | None:
        """The snapshot with the programs changed since it was read (None: too much changed, or beyond them)."""
        if not self._load_lock.acquire(blocking=False):
            return None  # a whole load is running; its result will be newer
        try:
            if self._snapshot is not snapshot:
                return self._snapshot  # another thread patched or loaded it meanwhile
            if snapshot.unpatchable:
                return None
            if not holds_everything_after(oldest_sequence(session), snapshot.fingerprint):
                return None  # entries since the snapshot were pruned
            entries = entries_after(session, snapshot.fingerprint, PATCH_ENTRIES + 1)
            if not entries:  # patched up to a change committed after this request's transaction began
                return snapshot if snapshot.fingerprint > current else None
            changed = set().union(*(programs for _sequence, programs, _created in entries))
            catalogue = None
            if len(entries) <= PATCH_ENTRIES and len(changed) <= PATCH_PROGRAMS:
                catalogue = patch_catalogue(session, snapshot.catalogue, changed)
            if catalogue is None:
                snapshot.unpatchable = True  # until it is loaded whole: do not read the same entries again
                return None
            patched = Snapshot(catalogue, snapshot.population, snapshot.points, entries[-1][0],
                               snapshot.load_seconds, snapshot.loaded_at)
            if "distances" in snapshot.__dict__:  # the venues are the same, and so are their distances
                patched.__dict__["distances"] = snapshot.distances
            self._snapshot, self._outdated = patched, False
            return patched
        finally:
            self._load_lock.release()

    def _reload_in_background(self) -> None:
        with self._worker_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._reload, name="coverage-reload", daemon=True)
            self._worker.start()

    def _reload(self) -> None:
        with self.session_factory() as session:
            self._load(session)
