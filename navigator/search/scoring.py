"""Which documents a query's terms match, and their BM25F scores, computed over whole posting lists with numpy.

Whoosh gives the vocabulary (a prefix's or a typo's terms, from its term dictionary), the postings and the
statistics; this module adds them up. Whoosh's own matchers walk the postings one document at a time in
Python through a tree of union matchers — at 100,000 programs a common word («танцы» is in 8,000
descriptions) with its word-form and typo alternatives cost 200–700 ms. Reading each posting list as
arrays and summing scores with numpy gives the same set of documents in a few milliseconds.

The score of a document for one term is Whoosh's BM25F (same formula, B and K1, idf and average field
length from the searcher, field boosts already in the posting weights) times the alternative's boost;
scores of every alternative and term a document matches are summed, as Whoosh's Or and And sum them.
Unlike Whoosh, the boost of a prefix or typo alternative applies whatever the number of terms it
expands to (Whoosh drops it when the expansion is a single term, and can score every document 1 in
segments under 5,000 documents), so the ranking does not depend on the size of a segment.

Segments never change once written, so their field lengths, expansions and posting arrays are
memoized per segment (navigator.search.columns.Segment) and dropped with it.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import WrappingMatcher
from whoosh.util.numeric import byte_to_length

# Whoosh's BM25F defaults (whoosh.scoring.BM25F), so scores mean what they meant with Whoosh's searcher.
B = 0.75
K1 = 1.2
# A segment's memo starts over past this many entries or memoized postings (20 bytes each: ≤ 32 MB).
MEMO_LIMIT = 20_000
MEMO_POSTINGS_LIMIT = 1_600_000
BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class SegmentTerms:
    """Memoized term data of one segment: field lengths, expansions, postings as arrays."""

    def __init__(self):
        self._lengths: dict[str, np.ndarray] = {}
        self._memo: dict[tuple, object] = {}
        self._postings = 0

    def lengths(self, reader, field: str) -> np.ndarray:
        """Each document's length of field as Whoosh stores it for scoring (one byte, log-scaled)."""
        if field not in self._lengths:
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            codes = (np.fromiter(column, dtype=np.uint8, count=count) if column is not None
                     else np.zeros(count, dtype=np.uint8))
            self._lengths[field] = BYTE_TO_LENGTH[codes]
        return self._lengths[field]

    def _remember(self, key: tuple, make, postings=lambda value: 0):
        found = self._memo.get(key)
        if found is None:
            found = make()
            if len(self._memo) >= MEMO_LIMIT or self._postings + postings(found) > MEMO_POSTINGS_LIMIT:
                self._memo.clear()
                self._postings = 0
            self._memo[key] = found
            self._postings += postings(found)
        return found

    def expand(self, reader, kind: str, field: str, text: str) -> tuple[str, ...]:
        """The segment's terms of field that an alternative stands for."""
        def make():
            if kind == "prefix":
                decode = reader.schema[field].from_bytes
                return tuple(decode(term) for term in reader.expand_prefix(field, text))
            if kind == "fuzzy":
                return tuple(sorted(set(_terms_one_typo_away(reader, field, text))))
            return (text,) if (field, text) in reader else ()
        return self._remember((kind, field, text), make)

    def postings(self, reader, field: str, term: str) -> Postings:
        """A term's postings with the parts of their BM25F that stay while the segment lives."""
        def make():
            ids, weights = _read_postings(reader, field, term)
            return Postings(ids.astype(np.int32), weights, K1 * B * self.lengths(reader, field)[ids])
        return self._remember(("postings", field, term), make, postings=lambda found: len(found.ids))


class Postings(NamedTuple):
    """Document numbers in the segment (deleted ones included), the term's weights in them, and
    K1 · B · field length: BM25F needs only the index-wide statistics (idf, average length) added."""

    ids: np.ndarray
    weights: np.ndarray
    scaled_lengths: np.ndarray


@functools.lru_cache(maxsize=4096)
def _typo_automaton(text: str):
    """The automaton of the words one typo from text, first letter kept. Whoosh builds it again for every
    segment (about 1.5 ms), and the follower adds a small segment every time a provider saves."""
    return Automata.levenshtein_dfa(text, 1, 1)


def _terms_one_typo_away(reader, field: str, text: str):
    """reader.terms_within(field, text, 1, prefix=1), with the automaton made once per word."""
    cursor = reader.cursor(reader.schema[field].spelling_fieldname(field))
    return Automata.find_matches(_typo_automaton(text), cursor)


def _read_postings(reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    matcher = reader.postings(field, term)
    while isinstance(matcher, WrappingMatcher):  # the deletion filter: deleted documents are masked later
        matcher = matcher.child
    ids: list = []
    weights: list = []
    if isinstance(matcher, W3LeafMatcher):  # a block at a time: the codec stores ids and weights per block
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


class Scores:
    """Matches and summed scores of one part of a query over every document of a searcher."""

    def __init__(self, size: int):
        self.matched = np.zeros(size, dtype=bool)
        self.score = np.zeros(size, dtype=np.float64)

    def add(self, other: Scores, weight: float = 1.0) -> None:
        """Documents matching either; the other's scores count with the given weight (Whoosh's Or)."""
        self.matched |= other.matched
        self.score += other.score * weight

    def both(self, other: Scores) -> None:
        """Keep only documents matching both; their scores add up (Whoosh's And)."""
        self.matched &= other.matched
        self.score = np.where(self.matched, self.score + other.score, 0.0)


class TermScorer:
    """Adds a term alternative's BM25F scores to Scores, across every segment of one searcher."""

    def __init__(self, searcher, columns):
        self.searcher = searcher
        self.columns = columns
        self._average_length: dict[str, float] = {}

    def empty(self) -> Scores:
        return Scores(self.columns.size)

    def add(self, scores: Scores, kind: str, field: str, text: str, boost: float) -> None:
        """Add the matches of one alternative: a term, the terms with a prefix, or the terms one typo away."""
        average = self._average_length.get(field)
        if average is None:
            average = self._average_length[field] = self.searcher.avg_field_length(field) or 1
        saturation = K1 * (1 - B)
        for reader, offset, segment in self.columns.segments:
            terms = segment.terms
            for term in terms.expand(reader, kind, field, text):
                found = terms.postings(reader, field, term)
                if not len(found.ids):
                    continue
                # Whoosh's BM25F: idf · w(K1+1) / (w + K1(1 − B) + K1·B·length/average)
                factor = self.searcher.idf(field, term) * (K1 + 1) * boost
                bm25 = found.weights * factor / (found.scaled_lengths / average + saturation + found.weights)
                documents = found.ids + offset
                scores.score[documents] += bm25
                scores.matched[documents] = True
