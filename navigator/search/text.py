"""From a parent's words to matching programs and their scores: word forms, synonyms, typos.

Each query word becomes a group of alternatives, best first:
- its Snowball stem (boost 1);
- the stem with a fleeting vowel dropped («танец» → «танц»), boost 0.8;
- a prefix of the stem without adjective suffixes («шахматный» → шахмат*, «футбольный» → футбо*), so
  nouns and adjectives of one root find each other, boost 0.5;
- for a stem of 5+ letters, stems one edit away (boost 0.3), so a typo still finds programs but ranks
  below exact matches;
and its synonyms from the staff-edited list, each expanded the same way and weighted 0.4, so a program
named with the parent's own word ranks above one found only through a synonym. A program must match every
word that the index knows; words the index does not know at all are reported as ignored. The
alternatives are looked up and scored by navigator.search.scoring; the keyboard-layout switch is
tried by the engine when a text finds little.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from navigator.search.analysis import query_words, stem, words
from navigator.search.scoring import Scores, TermScorer

FIELDS = ("heading", "body")
MIN_PREFIX = 4
MIN_FUZZY_WORD = 5
#: Suffixes that make an adjective of a noun, longest first. The derivational ones (танцевальный ← танец,
#: плавательный ← плавать) are kept as data: Snowball leaves them in the stem, so the noun's stem is not a
#: prefix of the adjective's without them (measured on data/programs.csv, see docs/search.md).
ADJECTIVE_SUFFIXES = ("евальн", "ательн", "ическ", "еск", "ск", "ьн", "н")
FLEETING = {"ец": "ц", "ок": "к", "ек": "к"}
SYNONYM_WEIGHT = 0.4


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


@dataclass(frozen=True)
class Alternative:
    """One way a query word may appear: a term, the terms starting with a prefix, or the terms one typo away."""

    kind: str  # "term", "prefix" or "fuzzy"
    text: str
    boost: float


def alternatives(word: str) -> list[Alternative]:
    """All the ways one word of the query may appear in a program, best ranked first."""
    word_stem = stem(word)
    found = [Alternative("term", word_stem, 1.0)]
    if word.isdigit():
        return found
    for ending, replacement in FLEETING.items():
        if word_stem.endswith(ending) and len(word_stem) > MIN_PREFIX:
            found.append(Alternative("term", word_stem[: -len(ending)] + replacement, 0.8))
    root = _root(word_stem)
    if len(root) >= MIN_PREFIX:
        found.append(Alternative("prefix", root[: max(MIN_PREFIX, len(root) - 1)], 0.5))
    if len(word_stem) >= MIN_FUZZY_WORD:
        found.append(Alternative("fuzzy", word_stem, 0.3))
    return found


def word_scores(scorer: TermScorer, word: str, *, into: Scores | None = None, weight: float = 1.0) -> Scores:
    """Documents with the word in any of its forms (not its typos), in the heading or the body, and their
    scores (added to `into` with `weight`, when given: Whoosh's Or, without arrays of every document made
    and added up)."""
    scores = scorer.empty() if into is None else into
    for alternative in alternatives(word):
        if alternative.kind != "fuzzy":
            _add(scorer, scores, alternative, weight)
    return scores


def _add(scorer: TermScorer, scores: Scores, alternative: Alternative, weight: float) -> None:
    for field in FIELDS:
        scorer.add(scores, alternative.kind, field, alternative.text, alternative.boost * weight)


def group_scores(scorer: TermScorer, word: str, synonyms: Synonyms) -> tuple[Scores, bool]:
    """A word, the words one typo from it, or any of its synonyms (a synonym of several words needs all of
    them); and whether a live document has the word as typed (in one of its forms, not only its typos).

    A synonym is our own spelling, never a typo: its forms and prefix count, the words one typo from it do
    not (they would only add noise, and the typo search was half the cost of a word with many synonyms).
    """
    scores = word_scores(scorer, word)
    as_typed = bool((scores.matched & scorer.columns.live).any())
    for alternative in alternatives(word):
        if alternative.kind == "fuzzy":
            _add(scorer, scores, alternative, 1.0)
    for synonym in synonyms.of(word):
        parts = words(synonym)
        if len(parts) == 1:
            word_scores(scorer, parts[0], into=scores, weight=SYNONYM_WEIGHT)
            continue
        option = word_scores(scorer, parts[0])
        for part in parts[1:]:
            option.both(word_scores(scorer, part))
        scores.add(option, SYNONYM_WEIGHT)
    return scores, as_typed


@dataclass
class TextMatch:
    """The documents matching every known word of a text (deleted ones excluded), their relevance scores,
    the words that match nothing and were left out, and the words found only through their typos (nothing
    has them as typed: a correction is worth looking for)."""

    mask: np.ndarray
    scores: np.ndarray | None
    ignored: list[str]
    typo_words: set[str]


def match_text(searcher, columns, text: str, synonyms: Synonyms) -> TextMatch | None:
    """None when the text has no searchable words; otherwise what matches every known word."""
    parts = query_words(text)
    if not parts:
        return None
    scorer = TermScorer(searcher, columns)
    combined, ignored, typos = None, [], set()
    for word in parts:
        scores, as_typed = group_scores(scorer, word, synonyms)
        if not as_typed and len(word) >= MIN_FUZZY_WORD:
            typos.add(word)
        scores.matched &= columns.live
        if not scores.matched.any():
            ignored.append(word)
        elif combined is None:
            combined = scores
        else:
            combined.both(scores)
    if combined is None:
        return TextMatch(np.zeros(columns.size, dtype=bool), None, ignored, typos)
    return TextMatch(combined.matched, combined.score, ignored, typos)


def suggest(searcher, text: str, only: set[str] | None = None) -> str | None:
    """A correction from the index's own vocabulary for a query that found nothing (or for `only` these words)."""
    corrected, changed = [], False
    for word in words(text):
        wanted = len(word) >= 3 and (only is None or word in only)
        best = _best_corrections(searcher, word) if wanted else []
        if best and best[0] != word:
            corrected.append(best[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


#: Corrections remembered per index (not per generation): finding one compares the word with every term of
#: the vocabulary (Damerau–Levenshtein, about a third of a search's CPU at 100,000 programs), visitors type
#: the same words again and again, and with providers saving every second a new generation comes every
#: second. A generation differs from the last by a few programs, so a correction stays good for a while;
#: each is looked up again after CORRECTIONS_FRESH_S, so a word a new program brings is offered soon.
_CORRECTIONS = "_navigator_corrections"
CORRECTIONS_KEPT = 20_000
CORRECTIONS_FRESH_S = 60.0


def _best_corrections(searcher, word: str) -> list[str]:
    if ("spelling", word) in searcher.reader():
        return [word]  # a word of the vocabulary needs no correction (looking costs 0.1–0.2 s at 100,000 programs)
    remembered = getattr(searcher, _CORRECTIONS, None)
    if remembered is None or len(remembered) >= CORRECTIONS_KEPT:
        remembered = {}
        setattr(searcher, _CORRECTIONS, remembered)
    now = time.monotonic()
    found = remembered.get(word)
    if found is None or now - found[0] > CORRECTIONS_FRESH_S:
        found = remembered[word] = (now, searcher.corrector("spelling").suggest(word, limit=1, maxdist=2, prefix=0))
    return found[1]


def hand_over_corrections(old, new) -> None:
    """Let the searcher of a newer generation of the same index reuse the corrections found recently."""
    remembered = getattr(old, _CORRECTIONS, None)
    if remembered is not None:
        setattr(new, _CORRECTIONS, remembered)
