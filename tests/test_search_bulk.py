"""A full build: the bulk segment writer makes what Whoosh's own writer makes, and its memory-mapped columns
agree with the stored rows, alone and beside segments the follower writes later."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from navigator.extensions import database, index_follower
from navigator.search import index as index_module
from navigator.search.columns import FIELDS, Segment, _segment_arrays
from navigator.search.documents import documents
from navigator.search.index import make_schema, open_live
from tests.factories import load_programs, make_row
from tests.test_search_index import rename, titles

WORDS = ["шахматы", "футбол", "робототехника", "вокал", "танцы", "естественно-научный", "LEGO", "ИЗО", "3D"]


def varied_rows(count: int) -> list[dict[str, str]]:
    """Programs whose texts repeat words (frequencies above 1), share a common word (several posting blocks)
    and differ in length (field lengths)."""
    rows = []
    for number in range(1, count + 1):
        word, other = WORDS[number % len(WORDS)], WORDS[(number * 7) % len(WORDS)]
        rows.append(make_row(number, title=f"{word.capitalize()} {number}", profile=other.capitalize(),
                             description=" ".join([f"Занятия: {word}, {other}."] * (1 + number % 4))
                             + " Ёлка и ещё раз ёлка."))
    return rows


def reference_index(app, folder: Path):
    """The same documents written by Whoosh's own writer, one segment."""
    folder.mkdir()
    writer = whoosh_index.create_in(str(folder), make_schema()).writer()
    with database(app).session_factory() as session:
        for _program_id, document in documents(session):
            writer.add_document(**document)
    writer.commit()
    return whoosh_index.open_dir(str(folder))


def test_a_bulk_build_holds_exactly_what_whooshs_writer_makes(app, tmp_path):
    load_programs(app, varied_rows(300), tmp_path)
    expected = reference_index(app, tmp_path / "reference").reader()
    built = open_live(Path(app.config["INDEX_DIR"])).reader()
    try:
        compare(built, expected)
    finally:
        built.close(), expected.close()


def compare(built, expected) -> None:
    """Every term, posting, weight, statistic, field length and stored field the same."""
    assert built.doc_count_all() == expected.doc_count_all() == 300
    for field in ("body", "heading", "id", "spelling"):
        terms = list(expected.lexicon(field))
        assert list(built.lexicon(field)) == terms
        for term in terms:
            mine, theirs = built.term_info(field, term), expected.term_info(field, term)
            assert ((mine.weight(), mine.doc_frequency(), mine.min_length(), mine.max_length(), mine.max_weight())
                    == (theirs.weight(), theirs.doc_frequency(), theirs.min_length(), theirs.max_length(),
                        theirs.max_weight())), (field, term)
            assert (list(built.postings(field, term).items_as("weight"))
                    == list(expected.postings(field, term).items_as("weight"))), (field, term)
        assert built.field_length(field) == expected.field_length(field)
        assert ([built.doc_field_length(n, field) for n in range(300)]
                == [expected.doc_field_length(n, field) for n in range(300)])
    assert max(expected.doc_frequency("body", term) for term in expected.lexicon("body")) > 128  # several blocks
    assert repr(list(built.all_stored_fields())) == repr(list(expected.all_stored_fields()))  # NaN-safe


def same(saved: np.ndarray, stored: np.ndarray) -> bool:
    if stored.dtype.kind == "f":
        return np.array_equal(saved, stored, equal_nan=True)
    return list(np.asarray(saved).tolist()) == list(stored.tolist())


def test_memory_mapped_columns_agree_with_the_stored_rows(app, tmp_path):
    load_programs(app, varied_rows(40), tmp_path)
    build = (Path(app.config["INDEX_DIR"]) / "live").resolve()
    with open_live(build.parent).searcher() as searcher:
        (reader, _offset), = searcher.reader().leaf_readers()
        segment = Segment(reader, build)
        stored = _segment_arrays(reader)
        for name in FIELDS:
            assert isinstance(segment.arrays[name], np.memmap), name
            assert same(segment.arrays[name], stored[name]), name
        keys, order = segment.sorted_titles
        expected_keys, expected_order = Segment(reader).sorted_titles  # computed from the stored rows
        assert keys.tolist() == expected_keys.tolist() and order.tolist() == expected_order.tolist()


def test_search_over_a_mapped_build_and_the_followers_segments(app, client, tmp_path):
    load_programs(app, varied_rows(40), tmp_path)
    assert titles(client, q="шахматы", sort="title")[:2] == ["Шахматы 18", "Шахматы 27"]
    rename(app, "p18", "Аккордеон")  # written by the follower into a new small segment
    rename(app, "p9", "Шахматы 0")
    with open_live(Path(app.config["INDEX_DIR"])).searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 1
    assert titles(client, q="шахматы", sort="title")[:3] == ["Аккордеон", "Шахматы 0", "Шахматы 27"]
    by_profile = titles(client, profile="Вокал", per_page=100)
    assert sorted(by_profile) == sorted(row["title"] for row in varied_rows(40) if row["profile"] == "Вокал")
    found = client.get("/api/v1/programs", query_string={"q": "аккордеон"}).get_json()["items"]
    assert [item["title"] for item in found] == ["Аккордеон"]


def test_a_crash_while_saving_the_columns_leaves_the_previous_index_serving(app, client, tmp_path, monkeypatch):
    load_programs(app, varied_rows(20), tmp_path)
    index_dir = Path(app.config["INDEX_DIR"])
    serving = os.readlink(index_dir / "live")

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(index_module, "save_columns", broken)
    with pytest.raises(OSError):
        index_follower(app).rebuild()
    assert os.readlink(index_dir / "live") == serving
    assert [p.name for p in index_dir.glob("build-*")] == [serving]
    assert titles(client, q="вокал")


def test_a_rebuild_reports_its_progress(app, tmp_path):
    load_programs(app, varied_rows(30), tmp_path)
    seen = []

    def progress(items, **options):
        items = list(items)
        seen.append((options["desc"], options.get("total"), len(items)))
        return items

    index_follower(app).rebuild(progress=progress)
    assert seen == [("Indexing", 30, 30), ("Writing postings", None, 4)]
