"""From a parent's words to Whoosh queries: word forms, synonyms, typos, the wrong keyboard layout.

Each query word becomes a group of alternatives, best first:
- its Snowball stem (boost 1);
- the stem with a fleeting vowel dropped («танец» → «танц»), boost 0.8;
- a prefix of the stem without adjective suffixes («шахматный» → шахмат*, «футбольный» → футбо*), so
  nouns and adjectives of one root find each other, boost 0.5;
- for a stem of 5+ letters, stems one edit away (boost 0.3), so a typo still finds programs but ranks
  below exact matches;
and its synonyms from the staff-edited list, each expanded the same way. A program must match every
word that the index knows; words the index does not know at all are reported as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whoosh.query import And, FuzzyTerm, Or, Prefix, Query, Term

from navigator.search.analysis import query_words, stem, words

FIELDS = ("heading", "body")
MIN_PREFIX = 4
MIN_FUZZY_WORD = 5
ADJECTIVE_SUFFIXES = ("ическ", "еск", "ск", "ьн", "н")
FLEETING = {"ец": "ц", "ок": "к", "ек": "к"}


class Synonyms:
    """Groups of interchangeable words from a text file: one group per line, words separated by commas."""

    def __init__(self, groups: list[list[str]]):
        self._by_stem: dict[str, list[str]] = {}
        for group in groups:
            for member in group:
                key = " ".join(stem(w) for w in words(member))
                self._by_stem.setdefault(key, []).extend(m for m in group if m != member)

    @classmethod
    def load(cls, path: Path | None) -> Synonyms:
        if path is None or not Path(path).exists():
            return cls([])
        groups = []
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]
            members = [member.strip().lower().replace("ё", "е") for member in line.split(",") if member.strip()]
            if len(members) > 1:
                groups.append(members)
        return cls(groups)

    def of(self, word: str) -> list[str]:
        return self._by_stem.get(" ".join(stem(w) for w in words(word)), [])


def _root(word_stem: str) -> str:
    for suffix in ADJECTIVE_SUFFIXES:
        if word_stem.endswith(suffix) and len(word_stem) - len(suffix) >= MIN_PREFIX:
            return word_stem[: -len(suffix)]
    return word_stem


def _any_field(kind, text: str, boost: float, **options) -> Query:
    return Or([kind(field, text, boost=boost, **options) for field in FIELDS])


def word_query(reader, word: str) -> Query:
    """All the ways one word of the query may appear in a program, best ranked first."""
    word_stem = stem(word)
    alternatives = [_any_field(Term, word_stem, 1.0)]
    if word.isdigit():
        return alternatives[0]
    for ending, replacement in FLEETING.items():
        if word_stem.endswith(ending) and len(word_stem) > MIN_PREFIX:
            alternatives.append(_any_field(Term, word_stem[: -len(ending)] + replacement, 0.8))
    root = _root(word_stem)
    if len(root) >= MIN_PREFIX:
        alternatives.append(_any_field(Prefix, root[: max(MIN_PREFIX, len(root) - 1)], 0.5))
    if len(word_stem) >= MIN_FUZZY_WORD:
        alternatives.append(_any_field(FuzzyTerm, word_stem, 0.3, maxdist=1, prefixlength=1))
    return Or(alternatives)


def group_query(reader, word: str, synonyms: Synonyms) -> Query:
    """A word or any of its synonyms (a synonym of several words needs all of them)."""
    options = [word_query(reader, word)]
    for synonym in synonyms.of(word):
        parts = [word_query(reader, part) for part in words(synonym)]
        options.append(parts[0] if len(parts) == 1 else And(parts))
    return options[0] if len(options) == 1 else Or(options)


@dataclass
class TextMatch:
    """The documents matching a text query, the query that ranks them, and the words left out."""

    docnums: set[int]
    query: Query | None
    ignored: list[str]


def match_text(searcher, text: str, synonyms: Synonyms) -> TextMatch | None:
    """None when the text has no searchable words; otherwise what matches every known word."""
    parts = query_words(text)
    if not parts:
        return None
    reader = searcher.reader()
    queries, sets, ignored = [], [], []
    for word in parts:
        query = group_query(reader, word, synonyms)
        found = set(searcher.docs_for_query(query))
        if found:
            queries.append(query)
            sets.append(found)
        else:
            ignored.append(word)
    if not sets:
        return TextMatch(set(), None, ignored)
    docnums = set.intersection(*sets) if len(sets) > 1 else sets[0]
    return TextMatch(docnums, queries[0] if len(queries) == 1 else And(queries), ignored)


def suggest(searcher, text: str) -> str | None:
    """A correction from the index's own vocabulary for a query that found nothing."""
    corrector = searcher.corrector("spelling")
    corrected, changed = [], False
    for word in words(text):
        best = corrector.suggest(word, limit=1, maxdist=2, prefix=1) if len(word) >= 3 else []
        if best and best[0] != word:
            corrected.append(best[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None
