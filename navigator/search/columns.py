"""Filter values of every indexed program as numpy arrays aligned with the searcher's document numbers.

Whoosh finds the documents that match the words; everything exact — filters, facet counts,
distances and sorting — is computed over these arrays, which costs microseconds per 100,000
programs instead of one Whoosh query per facet. Segments never change once written (only their
deletion lists do), so each segment's arrays are loaded once and reused after every refresh.
"""

from __future__ import annotations

import numpy as np

from navigator.search.documents import FilterRow

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


class Columns:
    """Arrays for one searcher: `live` marks documents that are not deleted."""

    def __init__(self, searcher, cache: dict):
        parts, live = [], []
        used = {}
        for reader, _offset in searcher.reader().leaf_readers():
            key = reader.segment().segment_id()
            arrays = cache.get(key) or _segment_arrays(reader)
            used[key] = arrays
            parts.append(arrays)
            deleted = np.zeros(reader.doc_count_all(), dtype=bool)
            deleted[list(reader.segment().deleted_docs() or ())] = True
            live.append(~deleted)
        cache.clear()
        cache.update(used)
        self.size = sum(len(p["program_id"]) for p in parts)
        self.live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        for name in FIELDS:
            setattr(self, name, np.concatenate([p[name] for p in parts]) if parts
                    else np.zeros(0, dtype=_dtype(name)))
        self._title_rank = None

    @property
    def title_rank(self) -> np.ndarray:
        """Each document's position in alphabetical (ё/е-, case-insensitive) order of titles."""
        if self._title_rank is None:
            keys = np.array([title.lower().replace("ё", "е") for title in self.title], dtype=object)
            order = np.argsort(keys, kind="stable")
            self._title_rank = np.empty(self.size, dtype=np.int64)
            self._title_rank[order] = np.arange(self.size)
        return self._title_rank
