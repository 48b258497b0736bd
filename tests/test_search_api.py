"""Search through the JSON API, as a parent's browser or an API client uses it."""

from __future__ import annotations

import re
from html import escape as html_escape
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import load_programs, make_row, venue

CATALOGUE = [
    make_row(1, title="Шахматы", profile="Шахматы", description="Учимся играть, разбираем партии."),
    make_row(2, title="Юный шахматист", profile="Шахматы", description="Шахматный клуб для начинающих.",
             **venue(2, 55.36, 86.10)),
    make_row(3, title="Танцы", profile="Хореография", direction="art", description="Современные танцы.",
             age_min="5", age_max="9", **venue(3, 55.33, 86.17)),
    make_row(4, title="Робототехника", profile="Робототехника", direction="technical",
             description="Собираем и программируем роботов LEGO.", age_min="9", age_max="14",
             enrollment="Платно; Сертификат", price_rub="2500", **venue(4, 55.40, 86.05)),
    make_row(5, title="Футбол", profile="Футбол", description="Тренировки на стадионе.", enrollment="Платно",
             price_rub="1500", seats_free="0", **venue(5, None, None)),
    make_row(6, title="Изостудия «Радуга»", profile="Рисование", direction="art",
             description="Рисуем красками и карандашами.", ovz="Нарушения слуха", **venue(6, 55.35, 86.09)),
    make_row(7, title="Естественно-научная лаборатория", profile="Химия", direction="science",
             description="Опыты и наблюдения.", **venue(7, 55.35, 86.09)),
    make_row(8, title="Хореографический ансамбль «Ёлочка»", profile="Хореография", direction="art",
             description="Народные танцы для детей.", format="Смешанно", **venue(8, 55.35, 86.09)),
    make_row(9, title="Плавание", profile="Плавание", description="Занятия в бассейне.", **venue(9, 55.35, 86.09)),
    make_row(10, title="Туризм", profile="Туризм", direction="tourism", description="Походы и ориентирование.",
             municipality="Таштагольский муниципальный округ", district="Шерегеш",
             address="пгт Шерегеш, ул. Гагарина, 1", lat="52.95", lon="87.98"),
]


@pytest.fixture
def api(app, client, tmp_path):
    load_programs(app, CATALOGUE, tmp_path)

    def get(query_string=None, **params):
        response = client.get("/api/v1/programs", query_string=query_string or params)
        return response.status_code, response.get_json()

    return get


def ids(body) -> list[str]:
    return [item["id"] for item in body["items"]]


@pytest.mark.parametrize("query", ["шахматы", "шахматам", "шахматный", "ШАХМАТЫ!"])
def test_word_forms_find_the_same_programs(api, query):
    _, body = api(q=query)
    assert sorted(ids(body)) == ["p1", "p2"]


@pytest.mark.parametrize("query, expected", [
    ("танцев", "p3"), ("робототехнике", "p4"), ("lego", "p4"), ("елочка", "p8"), ("ёлочка", "p8"),
    ("естественнонаучная", "p7"), ("естественно-научная", "p7"), ("бассейн", "p9"), ("стадионе", "p5"),
])
def test_russian_forms_case_yo_and_hyphens(api, query, expected):
    _, body = api(q=query)
    assert expected in ids(body)


def test_a_title_match_ranks_above_a_description_match(api):
    _, body = api(q="танцы")
    assert ids(body)[:2] == ["p3", "p8"]  # «Танцы» in the title, then «танцы» only in the description


@pytest.mark.parametrize("typo, expected", [("робатотехника", "p4"), ("хареография", "p3")])
def test_one_typo_still_finds(api, typo, expected):
    _, body = api(q=typo)
    assert expected in ids(body)


def test_typo_matches_rank_below_exact_ones(app, client, tmp_path):
    load_programs(app, [make_row(1, title="Хореография", profile=""),
                        make_row(2, title="Хареография", profile="", description="Название с опечаткой.")], tmp_path)
    body = client.get("/api/v1/programs", query_string={"q": "хареография"}).get_json()
    assert ids(body) == ["p2", "p1"]


def test_the_parents_own_word_ranks_above_a_synonym(app, client, tmp_path):
    """«Лего» is a synonym of «робототехника», but a program called robotics comes first."""
    load_programs(app, [make_row(1, title="Лего-конструирование", profile="Лего", description="Собираем модели."),
                        make_row(2, title="Лего-мир", profile="Лего", description="Собираем модели."),
                        make_row(3, title="Робототехника", profile="", description="Собираем роботов.")], tmp_path)
    body = client.get("/api/v1/programs", query_string={"q": "робототехнике"}).get_json()
    assert ids(body)[0] == "p3" and set(ids(body)) == {"p1", "p2", "p3"}


@pytest.mark.parametrize("typed, meant, expected", [("if[vfns", "шахматы", {"p1", "p2"}), ("aen,jk", "футбол", {"p5"})])
def test_wrong_keyboard_layout_is_recognised(api, typed, meant, expected):
    _, body = api(q=typed)
    assert set(ids(body)) == expected
    assert body["query"]["searched_for"] == meant and body["query"]["corrected_from"] == typed


def test_latin_words_that_find_programs_are_not_switched(api):
    _, body = api(q="LEGO")
    assert ids(body) == ["p4"] and body["query"]["corrected_from"] is None


@pytest.mark.parametrize("query, expected", [("изо", "p6"), ("рисование", "p6"), ("хореография", "p3"),
                                             ("лего", "p4")])
def test_synonyms(api, query, expected):
    _, body = api(q=query)
    assert expected in ids(body)


def test_nothing_found_suggests_a_correction(api):
    _, body = api(q="плаваниеее", exact=1)
    assert body["total"] == 0 and body["query"]["suggestion"] == "плавание"


def test_stop_words_do_not_hide_results(api):
    _, body = api(q="кружок по шахматам для детей")
    assert sorted(ids(body)) == ["p1", "p2"]


def test_filters_combine_exactly(api):
    _, body = api(age=10, direction="sport", enrollment="free")
    assert sorted(ids(body)) == ["p1", "p2", "p9"]
    _, body = api(direction=["art", "science"], format="blended")
    assert ids(body) == ["p8"]
    _, body = api(ovz="any")
    assert ids(body) == ["p6"]
    _, body = api(ovz="hearing", q="рисование")
    assert ids(body) == ["p6"]
    _, body = api(free_seats=1, q="футбол")
    assert body["total"] == 0


def test_price_max_keeps_free_and_certificate_programs(api):
    _, body = api(price_max=1000)
    assert "p5" not in ids(body) and "p4" in ids(body)  # p4 is paid but also by certificate
    _, body = api(price_max=2000, enrollment="paid")
    assert sorted(ids(body)) == ["p4", "p5"]


def test_near_and_radius_give_distances_and_sort_by_distance(api):
    _, body = api(near="55.35,86.09", radius_km=3, per_page=100)
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances) and all(d <= 3 for d in distances)
    assert "p5" not in ids(body) and "p10" not in ids(body)
    assert ids(body)[0] in {"p6", "p7", "p8", "p9"} and distances[0] == 0


def test_municipality_and_district_facets_and_filters(api, client):
    municipalities = client.get("/api/v1/municipalities").get_json()
    tashtagol = next(m for m in municipalities if m["name"].startswith("Таштагольский"))
    _, body = api(municipality=tashtagol["id"])
    assert ids(body) == ["p10"]
    assert [f["label"] for f in body["facets"]["district"]] == ["Шерегеш"]
    counts = {f["label"]: f["count"] for f in body["facets"]["municipality"]}
    assert counts == {"Кемеровский городской округ": 9, "Таштагольский муниципальный округ": 1}


def test_each_facet_counts_without_its_own_filter(api):
    _, body = api(direction="art")
    directions = {f["value"]: f["count"] for f in body["facets"]["direction"]}
    assert (directions["art"], directions["sport"], directions["tourism"], body["total"]) == (3, 4, 1, 3)
    assert {f["value"]: f["count"] for f in body["facets"]["format"]} == {"in_person": 2, "online": 0, "blended": 1}


def test_sorting(api):
    _, body = api(sort="title", per_page=3)
    assert ids(body) == ["p7", "p6", "p9"]
    _, body = api(sort="price", enrollment="paid")
    assert ids(body) == ["p5", "p4"]


def test_pagination_past_the_end_is_empty(api):
    _, body = api(per_page=4, page=3)
    assert (body["total"], body["pages"], len(body["items"])) == (10, 3, 2)
    _, body = api(per_page=4, page=9)
    assert body["items"] == [] and body["total"] == 10


def test_items_carry_the_documented_fields(api):
    _, body = api(q="робототехника", near="55.35,86.09")
    item = body["items"][0]
    assert set(item) >= {"id", "title", "direction", "profile", "age_min", "age_max", "enrollment", "price_rub",
                         "seats_free", "rating", "organization", "venue", "distance_km", "url"}
    assert item["enrollment"] == ["paid", "certificate"] and item["url"] == "/programs/p4"
    assert item["venue"]["precision"] == "building" and item["organization"]["id"] == "o1"


@pytest.mark.parametrize("params, parameter", [
    (dict(age="abc"), "age"), (dict(age=40), "age"), (dict(page=0), "page"), (dict(per_page=100000), "per_page"),
    (dict(near="1000,2"), "near"), (dict(near="abc"), "near"), (dict(direction="nonsense"), "direction"),
    (dict(enrollment="gratis"), "enrollment"), (dict(direction="Техническая"), "direction"),
    (dict(near="55,86", radius_km=-1), "radius_km"), (dict(free_seats="maybe"), "free_seats"),
    (dict(ovz="any,hearing"), "ovz"), (dict(price_max="дёшево"), "price_max"), (dict(age=""), "age"),
    (dict(q="ш" * 201), "q"), ([("age", "9"), ("age", "10")], "age"), ([("sort", "title"), ("sort", "")], "sort"),
])
def test_bad_values_answer_400_naming_the_parameter(api, params, parameter):
    status, body = api(**params) if isinstance(params, dict) else api(query_string=params)
    assert status == 400 and body["error"]["parameter"] == parameter and body["error"]["message"]


@pytest.mark.parametrize("params, parameter", [
    (dict(municipality=999), "municipality"), (dict(district=999), "district"),
    (dict(organization="0"), "organization"), (dict(organization="nobody"), "organization"),
    (dict(place="Абырвалгск"), "place"), (dict(near="90,180", place="0" * 200, organization="0"), "place"),
])
def test_a_value_naming_what_the_catalogue_lacks_is_a_404_in_every_format(app, client, api, params, parameter):
    """Well-formed, as the document allows, but naming nothing the catalogue has: 404, as /places answers for a
    place it cannot find (a 400 would tell a client its request broke the document)."""
    for path in ("/api/v1/programs", "/api/v1/programs.csv", "/api/v1/programs.xlsx"):
        answer = client.get(path, query_string=params)
        assert answer.status_code == 404 and answer.get_json()["error"]["parameter"] == parameter, path
    assert client.get("/search", query_string=params).status_code == 200  # a page searches without it, saying so


def test_ranges_in_messages_are_written_as_russian_numbers(api):
    for params in (dict(price_max="-1"), dict(near="55,86", radius_km="500"), dict(per_page="0")):
        message = api(**params)[1]["error"]["message"]
        assert re.search(r"от \d", message) and not re.search(r"\d\.\d|e\+", message), message


def test_a_radius_or_distance_order_without_a_point_changes_nothing(api):
    """The contract allows them (OpenAPI cannot tie one parameter to another), so the parser does too."""
    _, everything = api(per_page=100)
    for params in (dict(radius_km=5), dict(sort="distance")):
        status, body = api(per_page=100, **params)
        assert status == 200 and [item["id"] for item in body["items"]] == [i["id"] for i in everything["items"]]


def test_an_empty_text_means_no_words(api):
    status, body = api(q="", profile="")
    assert status == 200 and body["total"] == 10


def test_program_organization_and_vocabulary_endpoints(api, client):
    program = client.get("/api/v1/programs/p4").get_json()
    assert program["description"].startswith("Собираем") and program["organization"]["email"]
    assert client.get("/api/v1/programs/nope").status_code == 404
    organization = client.get("/api/v1/organizations/o1").get_json()
    assert len(organization["programs"]) == 10
    directions = client.get("/api/v1/directions").get_json()
    assert {"code": "sport", "label": "Физкультурно-спортивная"} in directions


@pytest.mark.parametrize("typed, meant", [("робатотехника", "робототехника"), ("if[vfns", "шахматы")])
def test_a_corrected_search_offers_the_words_as_typed(api, client, typed, meant):
    """The page says the words were corrected and links to the typed ones; the API's answer is unchanged."""
    _, corrected = api(q=typed)
    assert corrected["query"]["searched_for"] == meant and corrected["query"]["corrected_from"] == typed
    html = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
    link = re.search(r'<a class="notice__action" href="([^"]+)">Искать именно «([^»]+)»</a>', html)
    assert link and link.group(2) == html_escape(typed)
    assert parse_qs(urlsplit(unescape(link.group(1))).query) == {"q": [typed], "exact": ["1"]}
    as_typed = client.get(unescape(link.group(1))).get_data(as_text=True)
    assert 'id="typo-notice"' not in as_typed and f'value="{html_escape(typed)}"' in as_typed
    _, exact = api(q=typed, exact="1")
    assert exact["query"]["corrected_from"] is None and exact["query"]["searched_for"] == typed
    assert api(q=typed, exact="maybe")[0] == 400  # the API stays strict


def test_words_that_find_nothing_are_searched_as_suggested(api, client):
    """«ахматы» finds nothing as typed: the page and the API alike show the chess programs and say so; with
    exact=1 the words are searched as typed, with the suggestion beside them."""
    _, asked = api(q="ахматы")
    assert asked["total"] == 2 and asked["query"]["corrected_from"] == "ахматы"
    assert asked["query"]["searched_for"] == "шахматы"
    _, exact = api(q="ахматы", exact=1)
    assert exact["total"] == 0 and exact["query"]["suggestion"] == "шахматы"
    html = client.get("/search", query_string={"q": "ахматы"}).get_data(as_text=True)
    assert "Показаны результаты по запросу «шахматы»" in html and "Найдены 2\u00a0программы" in html
    link = re.search(r'<a class="notice__action" href="([^"]+)">Искать именно «ахматы»</a>', html).group(1)
    as_typed = client.get(unescape(link)).get_data(as_text=True)
    assert "Найдено 0\u00a0программ" in as_typed and "Возможно, вы искали" in as_typed
