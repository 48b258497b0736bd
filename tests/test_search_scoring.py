"""Scoring and ordering over arrays: the same scores as Whoosh's BM25F, the same order as one global sort."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sqlalchemy import select
from whoosh.query import Term

from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import Program
from navigator.extensions import database, search_index
from navigator.search.analysis import stem
from navigator.search.columns import merged_ranks
from navigator.search.engine import _first
from navigator.search.scoring import TermScorer
from navigator.search.text import Synonyms, match_text
from tests.factories import load_programs, make_row


def _sorted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    return keys[order], order


@pytest.mark.parametrize("seed", range(40))
def test_merged_title_ranks_equal_one_stable_sort_of_every_segment(seed):
    rng = random.Random(seed)
    titles = ["а", "аб", "б", "бв", "в", "е", "шахматы", "шахматы для всех", "я"]
    sizes = [rng.choice([0, 1, 3, 200]) for _ in range(rng.randint(1, 4))]
    segments = [np.array([rng.choice(titles) for _ in range(size)], dtype=object) for size in sizes]
    everything = np.concatenate(segments)
    expected = np.empty(len(everything), dtype=np.int64)
    expected[np.argsort(everything, kind="stable")] = np.arange(len(everything))
    assert merged_ranks([_sorted(keys) for keys in segments]).tolist() == expected.tolist()


@pytest.mark.parametrize("seed", range(20))
def test_the_first_results_are_those_of_a_full_sort(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 300))
    docnums = np.sort(rng.choice(1000, size, replace=False))
    keys = (rng.permutation(size), rng.integers(0, 5, size).astype(float))  # many ties on the primary key
    for needed in (1, 7, 20, size, size + 5):
        assert _first(docnums, keys, needed).tolist() == docnums[np.lexsort(keys)][:needed].tolist()


@pytest.fixture
def two_segments(app, tmp_path):
    """An index of one built segment plus one written by an update (which deletes a document from the first)."""
    rows = [make_row(n, title=title, profile="", description=description) for n, (title, description) in enumerate([
        ("Шахматы", "Шахматы для начинающих."), ("Шахматный клуб", "Турниры по шахматам и шашкам."),
        ("Шашки", "Играем в шашки."), ("Танцы", "Танцы, танцы и ещё раз танцы."),
        ("Юный шахматист", "Длинное описание: шахматы, задачи, этюды, партии мастеров и разбор ошибок.")], 1)]
    load_programs(app, rows, tmp_path)
    with database(app).session_factory() as session:
        program = session.scalar(select(Program).where(Program.public_id == "p2"))
        program.description = "Шахматы и только шахматы."
        mark_programs_changed(session, [program.id])
        session.commit()
    return search_index(app)


@pytest.mark.parametrize("field, word", [("heading", "шахматы"), ("body", "шахматы"), ("body", "танцы")])
def test_term_scores_are_whooshs_bm25f(two_segments, field, word):
    with two_segments.reading() as (searcher, columns):
        assert len(columns.segments) == 2
        expected = {hit.docnum: hit.score for hit in searcher.search(Term(field, stem(word)), limit=None)}
        scorer = TermScorer(searcher, columns)
        scores = scorer.empty()
        scorer.add(scores, "term", field, stem(word), 1.0)
        matched = np.flatnonzero(scores.matched & columns.live).tolist()
        assert sorted(expected) == matched and matched
        assert [scores.score[d] for d in matched] == pytest.approx([expected[d] for d in matched], rel=1e-12)


@pytest.mark.parametrize("word", ["шахмат", "шашк", "танц", "шахмт", "ш"])
def test_typo_terms_are_whooshs_in_every_segment(two_segments, word):
    """The typo automaton is made once per word and walked in each segment: the same terms as Whoosh's own."""
    from navigator.search.scoring import _terms_one_typo_away

    with two_segments.reading() as (_searcher, columns):
        found = 0
        for reader, _offset, _segment in columns.segments:
            for field in ("heading", "body"):
                expected = set(reader.terms_within(field, word, 1, prefix=1))
                assert set(_terms_one_typo_away(reader, field, word)) == expected
                found += len(expected)
        assert found or word in ("ш",)


def test_a_text_match_leaves_out_deleted_documents_and_scores_every_alternative(two_segments):
    with two_segments.reading() as (searcher, columns):
        match = match_text(searcher, columns, "шахматы", Synonyms([]))
        titles = set(columns.title[np.flatnonzero(match.mask)].tolist())
        assert titles == {"Шахматы", "Шахматный клуб", "Юный шахматист"}
        assert not (match.mask & ~columns.live).any()
        best = columns.title[np.argmax(np.where(match.mask, match.scores, -1))]
        assert best in {"Шахматы", "Шахматный клуб"}  # the word in the title and the description
