"""Filter values of every indexed program as numpy arrays aligned with the searcher's document numbers.

Whoosh finds the documents that match the words; everything exact — filters, facet counts,
distances and sorting — is computed over these arrays, which costs microseconds per 100,000
programs instead of one Whoosh query per facet. Segments never change once written (only their
deletion lists do), so each segment's arrays (and its term data, navigator.search.scoring) are loaded
once and reused by every later searcher that still has the segment.
"""

from __future__ import annotations

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

    def __init__(self, reader):
        self.arrays = _segment_arrays(reader)
        self.terms = SegmentTerms()
        self._titles: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def sorted_titles(self) -> tuple[np.ndarray, np.ndarray]:
        """(titles folded and sorted, the segment's document numbers in that order); ё/е- and case-insensitive."""
        if self._titles is None:
            keys = np.array([title.lower().replace("ё", "е") for title in self.arrays["title"]], dtype=object)
            order = np.argsort(keys, kind="stable")
            self._titles = keys[order], order
        return self._titles


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
    document number, Segment) of each segment."""

    def __init__(self, searcher, cache: dict):
        self.segments, live = [], []
        used = {}
        for reader, offset in searcher.reader().leaf_readers():
            key = reader.segment().segment_id()
            segment = cache.get(key) or Segment(reader)
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
            setattr(self, name, np.concatenate([p[name] for p in parts]) if parts
                    else np.zeros(0, dtype=_dtype(name)))
        self.mapped = ~np.isnan(self.lat)
        self._title_rank = None

    @property
    def title_rank(self) -> np.ndarray:
        """Each document's position in alphabetical (ё/е-, case-insensitive) order of titles."""
        if self._title_rank is None:
            self._title_rank = merged_ranks([segment.sorted_titles for _reader, _offset, segment in self.segments])
        return self._title_rank
