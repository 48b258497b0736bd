"""Search finds what a parent means: a noun finds its adjective and back, borrowed words in either spelling,
a word's own matches above its synonyms', several words kept together, a typo corrected and said."""

from __future__ import annotations

import pytest

from tests.factories import load_programs, make_row, venue

CATALOGUE = [
    make_row(1, title="Танцевальная студия «Ритм»", profile="Современный танец", description="Ставим номера."),
    make_row(2, title="Хореографический ансамбль", profile="Хореография", description="Классика и народные.",
             **venue(2, 55.36, 86.10)),
    make_row(3, title="Футбольный клуб «Старт»", profile="Футбол", direction="sport", description="Тренировки.",
             **venue(3, 55.37, 86.10)),
    make_row(4, title="Плавательная секция «Дельфин»", profile="Плавание", direction="sport",
             description="Учимся держаться на воде.", **venue(4, 55.38, 86.10)),
    make_row(5, title="Рэп-студия", profile="Рэп", direction="art", description="Пишем тексты, хип-хоп культура.",
             **venue(5, 55.39, 86.10)),
    make_row(6, title="Йога для подростков", profile="Йога", direction="sport", description="Дыхание и растяжка.",
             **venue(6, 55.40, 86.10)),
    make_row(7, title="Настольный теннис", profile="Настольный теннис", direction="sport",
             description="Ракетки выдаём.", **venue(7, 55.41, 86.10)),
    make_row(8, title="Большой теннис", profile="Теннис", direction="sport", description="Корты на улице; "
             "зимой — настольный зал для разминки.", **venue(8, 55.42, 86.10)),
    make_row(9, title="Робототехника", profile="Робототехника", direction="technical",
             description="Собираем роботов.", **venue(9, 55.43, 86.10)),
]


@pytest.fixture
def titles(app, client, tmp_path):
    load_programs(app, CATALOGUE, tmp_path)

    def search(q: str) -> list[str]:
        return [item["title"] for item in client.get("/api/v1/programs", query_string={"q": q}).get_json()["items"]]

    return search


@pytest.mark.parametrize("typed, found", [
    ("танцы", "Танцевальная студия «Ритм»"), ("танцевальный", "Танцевальная студия «Ритм»"),
    ("футбол", "Футбольный клуб «Старт»"), ("футбольная", "Футбольный клуб «Старт»"),
    ("плавание", "Плавательная секция «Дельфин»"), ("плавательный", "Плавательная секция «Дельфин»"),
])
def test_a_noun_finds_its_adjective_and_back(titles, typed, found):
    assert found in titles(typed)


@pytest.mark.parametrize("spellings, found", [
    (("рэп", "реп"), "Рэп-студия"), (("йога", "иога", "Йога"), "Йога для подростков"),
    (("хип-хоп", "хипхоп", "хип хоп"), "Рэп-студия"),
])
def test_borrowed_words_in_either_spelling(titles, spellings, found):
    for typed in spellings:
        assert titles(typed) == [found], typed


def test_own_matches_rank_above_a_synonyms(titles):
    found = titles("танцы")
    assert found.index("Танцевальная студия «Ритм»") < found.index("Хореографический ансамбль")


def test_several_words_are_kept_together(titles):
    assert titles("настольный теннис")[0] == "Настольный теннис"
    assert set(titles("теннис")) == {"Настольный теннис", "Большой теннис"}


def test_a_typo_is_corrected_and_the_api_says_so(client, titles):
    assert titles("робатотехника") == ["Робототехника"]
    query = client.get("/api/v1/programs", query_string={"q": "робатотехника"}).get_json()["query"]
    assert query["suggestion"] == "робототехника" and query["corrected_from"] == "робатотехника"
    assert client.get("/api/v1/programs", query_string={"q": "робототехника"}).get_json()["query"]["suggestion"] is None


def test_a_word_a_new_program_brings_is_offered_as_a_correction_once_the_remembered_one_is_old(
        app, client, titles, tmp_path, monkeypatch):
    from navigator.search import text

    def suggestion():
        return client.get("/api/v1/programs", query_string={"q": "ксилафон"}).get_json()["query"]["suggestion"]

    assert suggestion() != "ксилофон"
    load_programs(app, [*CATALOGUE, make_row(10, title="Ксилофон", profile="Ксилофон", description="Играем.",
                                             **venue(10, 55.44, 86.10))], tmp_path)
    monkeypatch.setattr(text, "CORRECTIONS_FRESH_S", 0.0)  # what a minute later looks like
    assert suggestion() == "ксилофон"


def test_a_synonym_brings_its_forms_not_its_typos(app, client, tmp_path):
    """«туризм» has the synonym «походы»; «подход» is one typo from «поход» but no synonym of tourism."""
    load_programs(app, [
        make_row(1, title="Клуб «Тропа»", profile="Пешие маршруты", direction="tourism",
                 description="Походы выходного дня по Кузнецкому Алатау."),
        make_row(2, title="Шахматный клуб", profile="Шахматы", description="Индивидуальный подход к каждому.",
                 **venue(2, 55.36, 86.10)),
    ], tmp_path)
    found = client.get("/api/v1/programs", query_string={"q": "туризм"}).get_json()["items"]
    assert [item["title"] for item in found] == ["Клуб «Тропа»"]
    typo = client.get("/api/v1/programs", query_string={"q": "подхот"}).get_json()["items"]
    assert [item["title"] for item in typo] == ["Шахматный клуб"]  # a parent's own typo is still forgiven
