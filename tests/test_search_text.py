"""Units of the Russian analysis: stems, hyphens, keyboard layout, synonyms."""

from __future__ import annotations

import pytest

from navigator.search.analysis import query_words, stem, stems, switch_layout, words
from navigator.search.text import Synonyms


@pytest.mark.parametrize("forms", [["шахматы", "шахматам", "шахматах"], ["танцы", "танцев", "танцам"],
                                   ["робототехника", "робототехнике", "робототехникой"], ["ёлка", "елка", "ЁЛКА"]])
def test_word_forms_share_one_stem(forms):
    assert len({stem(word) for word in words(" ".join(forms))}) == 1


def test_latin_words_are_stemmed_as_english():
    assert stems("LEGO Python programming") == ["lego", "python", "program"]


def test_short_words_are_kept_whole():
    assert stems("ИЗО из IT") == ["изо", "из", "it"]


def test_hyphenated_words_give_parts_and_the_joined_word():
    assert words("Естественно-научная лаборатория") == ["естественно", "научная", "естественнонаучная", "лаборатория"]


def test_punctuation_and_case_do_not_matter():
    assert words("«Юный ШАХМАТИСТ»!!! (7–10 лет)") == ["юный", "шахматист", "7", "10", "лет"]


def test_query_words_drop_stop_words():
    assert query_words("Кружок по шахматам для детей") == ["шахматам"]


@pytest.mark.parametrize("typed, meant", [("if[vfns", "шахматы"), ("aen,jk", "футбол"), ("Nfyws", "Танцы"),
                                          ("дупщ", "lego"), ("шахматы lego", None)])
def test_switch_layout(typed, meant):
    assert switch_layout(typed) == meant


def test_synonyms_file(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\nизо, рисование\nплавание, бассейн # trailing comment\nодинокое\n", encoding="utf-8")
    synonyms = Synonyms.load(path)
    assert synonyms.of("ИЗО") == ["рисование"]
    assert synonyms.of("рисованию") == ["изо"]
    assert synonyms.of("бассейне") == ["плавание"]
    assert synonyms.of("одинокое") == []


def test_a_missing_synonyms_file_means_no_synonyms(tmp_path):
    assert Synonyms.load(tmp_path / "absent.txt").of("изо") == []
