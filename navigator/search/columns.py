"""Filter values of every indexed program as numpy arrays aligned with the searcher's document numbers.

Whoosh finds the documents that match the words; everything exact — filters, facet counts,
distances and sorting — is computed over these arrays, which costs microseconds per 100,000
programs instead of one Whoosh query per facet. Segments never change once written (only their
deletion lists do), so each segment's arrays (and its term data, navigator.search.scoring) are loaded
once and reused by every later searcher that still has the segment.

A full build saves its segment's arrays as .npy files beside it (`columns-<segment id>/`, strings as
fixed-width unicode, the title order included) and every worker memory-maps them read-only: the pages
are shared by all workers through the page cache, and a worker's first search no longer unpickles
100,000 stored rows. Segments written later by the follower (a few changed programs each) are read
from their stored rows. Numeric columns are joined across segments (a private copy of 8 bytes a
document); string columns stay per segment (StringColumn), so the large segment's strings are never copied.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from navigator.search.documents import FilterRow
from navigator.search.scoring import SegmentTerms

FIELDS = tuple(FilterRow.__dataclass_fields__)
OBJECT_FIELDS = {"public_id", "title", "organization_name", "profile"}
FLOAT_FIELDS = {"price", "rating", "updated", "lat", "lon"}


def _dtype(name: str):
    if name in OBJECT_FIELDS:
        return object
    return np.float64 if name in FLOAT_FIELDS else np.int64


def _sorted_titles(titles) -> tuple[np.ndarray, np.ndarray]:
    """(titles folded and sorted, document numbers in that order); ё/е- and case-insensitive."""
    keys = np.array([str(title).lower().replace("ё", "е") for title in titles], dtype=str)
    order = np.argsort(keys, kind="stable")
    return keys[order], order


def save_columns(folder: Path, segment_id: str, rows: list[tuple]) -> None:
    """Save one segment's filter rows as column files in folder, for every worker to memory-map."""
    target = Path(folder) / f"columns-{segment_id}"
    target.mkdir()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(FIELDS)
    for name, values in zip(FIELDS, columns, strict=True):
        np.save(target / f"{name}.npy", np.array(values, dtype=str if name in OBJECT_FIELDS else _dtype(name)))
    keys, order = _sorted_titles(columns[FIELDS.index("title")])
    np.save(target / "title_keys.npy", keys)
    np.save(target / "title_order.npy", order)


def _saved_arrays(folder: Path | None,
                  segment_id: str) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
    """(arrays, sorted titles) memory-mapped from a build's column files, or None when there are none."""
    saved = Path(folder) / f"columns-{segment_id}" if folder is not None else None
    if saved is None or not (saved / "title_order.npy").exists():
        return None
    arrays = {name: np.load(saved / f"{name}.npy", mmap_mode="r") for name in FIELDS}
    return arrays, (np.load(saved / "title_keys.npy", mmap_mode="r"), np.load(saved / "title_order.npy", mmap_mode="r"))


def _segment_arrays(reader) -> dict[str, np.ndarray]:
    """Read the stored rows of one segment (deleted documents get placeholder values)."""
    count = reader.doc_count_all()
    rows = []
    placeholder = None
    for docnum in range(count):
        stored = reader.stored_fields(docnum) if not reader.is_deleted(docnum) else None
        row = stored["row"] if stored else placeholder
        if row is None:
            row = tuple("" if name in OBJECT_FIELDS else 0 for name in FIELDS)
            placeholder = row
        rows.append(row)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(FIELDS)
    return {name: np.array(values, dtype=_dtype(name)) for name, values in zip(FIELDS, columns, strict=True)}


class Segment:
    """What one segment's documents hold, loaded once: filter columns and term data."""

    def __init__(self, reader, folder: Path | None = None):
        saved = _saved_arrays(folder, reader.segment().segment_id())
        self.arrays: dict[str, np.ndarray] = saved[0] if saved else _segment_arrays(reader)
        self._titles: tuple[np.ndarray, np.ndarray] | None = saved[1] if saved else None
        self.terms = SegmentTerms()
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(the field's distinct values, sorted; each document's number among them), made once per segment."""
        if name not in self._codes:
            self._codes[name] = np.unique(self.arrays[name], return_inverse=True)
        return self._codes[name]

    @property
    def sorted_titles(self) -> tuple[np.ndarray, np.ndarray]:
        """(titles folded and sorted, the segment's document numbers in that order); ё/е- and case-insensitive."""
        if self._titles is None:
            self._titles = _sorted_titles(self.arrays["title"])
        return self._titles


class StringColumn:
    """One string field across segments, without joining them: indexing gathers only the asked documents."""

    def __init__(self, segments: list[Segment], name: str):
        self.segments, self.name = segments, name
        self.parts = parts = [segment.arrays[name] for segment in segments]
        self.starts = np.cumsum([0] + [len(part) for part in parts])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, docnums):
        if np.ndim(docnums) == 0:
            j = int(np.searchsorted(self.starts, docnums, side="right")) - 1
            return str(self.parts[j][docnums - self.starts[j]])
        docnums = np.asarray(docnums)
        found = np.empty(len(docnums), dtype=object)
        which = np.searchsorted(self.starts, docnums, side="right") - 1
        for j, part in enumerate(self.parts):
            here = which == j
            if here.any():
                found[here] = part[docnums[here] - self.starts[j]].tolist()
        return found

    def __eq__(self, value) -> np.ndarray:  # type: ignore[override]  # a mask, as numpy's == gives, not a bool
        """Compared through each segment's codes of the field: comparing 100,000 strings took a millisecond."""
        masks = []
        for segment in self.segments:
            values, codes = segment.codes(self.name)
            at = int(np.searchsorted(values, value))
            masks.append(codes == at if at < len(values) and values[at] == value else np.zeros(len(codes), bool))
        return np.concatenate(masks or [np.zeros(0, bool)])


def merged_ranks(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Each document's position in the order of its key across every segment (equal keys in document order),
    from each segment's own sorted keys — the same as a stable argsort of all keys, without sorting the large
    segment again after every update."""
    ranks = []
    for j, (keys, order) in enumerate(parts):
        before = np.arange(len(keys))  # documents of this segment that come first
        for k, (other, _order) in enumerate(parts):
            if k == j:
                continue
            earlier = k < j  # an earlier segment's equal keys come first
            if len(keys) <= len(other):
                before = before + np.searchsorted(other, keys, side="right" if earlier else "left")
            else:  # place the few other keys among these, then count them per position
                places = np.searchsorted(keys, other, side="left" if earlier else "right")
                before = before + np.searchsorted(places, np.arange(len(keys)), side="right")
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = before
        ranks.append(rank)
    return np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64)


class Columns:
    """Arrays for one searcher: `live` marks documents that are not deleted; `segments` are (reader, first
    document number, Segment) of each segment; one column per field of FilterRow (declared below)."""

    program_id: np.ndarray
    public_id: StringColumn
    title: StringColumn
    organization_name: StringColumn
    organization_id: np.ndarray
    direction: np.ndarray
    format: np.ndarray
    enrollment: np.ndarray
    ovz: np.ndarray
    municipality_id: np.ndarray
    district_id: np.ndarray
    profile: StringColumn
    age_min: np.ndarray
    age_max: np.ndarray
    price: np.ndarray
    seats_free: np.ndarray
    rating: np.ndarray
    updated: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    def __init__(self, searcher, cache: dict, folder: Path | None = None):
        self.segments, live = [], []
        used = {}
        for reader, offset in searcher.reader().leaf_readers():
            key = reader.segment().segment_id()
            segment = cache.get(key) or Segment(reader, folder)
            used[key] = segment
            self.segments.append((reader, offset, segment))
            deleted = np.zeros(reader.doc_count_all(), dtype=bool)
            deleted[list(reader.segment().deleted_docs() or ())] = True
            live.append(~deleted)
        cache.clear()
        cache.update(used)
        parts = [segment.arrays for _reader, _offset, segment in self.segments]
        self.size = sum(len(p["program_id"]) for p in parts)
        self.live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        for name in FIELDS:
            if name in OBJECT_FIELDS:
                setattr(self, name, StringColumn([segment for _reader, _offset, segment in self.segments], name))
            else:
                setattr(self, name, np.concatenate([p[name] for p in parts]) if parts
                        else np.zeros(0, dtype=_dtype(name)))
        self.mapped = ~np.isnan(self.lat)
        self._title_rank: np.ndarray | None = None

    @property
    def title_rank(self) -> np.ndarray:
        """Each document's position in alphabetical (ё/е-, case-insensitive) order of titles."""
        if self._title_rank is None:
            self._title_rank = merged_ranks([segment.sorted_titles for _reader, _offset, segment in self.segments])
        return self._title_rank
