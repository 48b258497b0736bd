"""One search answer for every format: the search page, /api/v1/programs and the program lists (CSV, XLSX)
list the same programs in the same order for the same query string — place=, near=, typos, a wrong keyboard
layout, empty results and every filter included."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest

from navigator.catalogue.importer import import_file
from navigator.extensions import database
from navigator.sampledata.generator import write_csv as write_sample

CARD_LINK = re.compile(r'<h3 class="card__title"><a href="/programs/([^"]+)">')


@pytest.fixture
def sample(app, client, tmp_path):
    """400 generated programs of every municipality (navigator.sampledata), indexed."""
    path = tmp_path / "sample.csv"
    write_sample(path, 400, seed=11)
    with database(app).session_factory() as session:
        import_file(session, path)
    return client


def query_strings(client) -> list[list[tuple[str, str]]]:
    """The query strings asked of every format; ids of places and organizations read from the API itself."""
    municipalities = client.get("/api/v1/municipalities").get_json()
    with_districts = next(m for m in municipalities if m["districts"])
    some = client.get("/api/v1/programs", query_string={"per_page": 1, "q": "шахматы"}).get_json()["items"][0]
    organization, town = some["organization"]["id"], some["venue"]["municipality"]
    cases = [
        {}, {"q": "шахматы"}, {"q": "шахматам"}, {"q": "хареография"}, {"q": "if[vfns"}, {"q": "ахматы"},
        {"q": "ахматы", "exact": "1"}, {"q": "фехтование на шпагах"}, {"q": "кружок по шахматам для детей"},
        {"q": "танцы", "place": "пос. Абагур"}, {"place": town}, {"place": "Новокузнецк", "radius_km": "5"},
        {"q": "робототехника", "near": "53.757,87.136", "radius_km": "10"},
        {"near": "55.355,86.087", "sort": "title"}, {"direction": "sport", "age": "10"},
        {"direction": ["art", "science"]}, {"enrollment": "free"}, {"enrollment": "certificate", "price_max": "0"},
        {"price_max": "1500", "sort": "price"}, {"municipality": str(municipalities[1]["id"])},
        {"municipality": str(with_districts["id"]), "district": str(with_districts["districts"][0]["id"])},
        {"organization": organization}, {"ovz": "any"}, {"ovz": "any", "direction": "art"}, {"format": "online"},
        {"format": ["blended", "in_person"], "age": "7"}, {"free_seats": "1"}, {"sort": "title"}, {"sort": "age"},
        {"sort": "rating"}, {"sort": "updated"}, {"q": "футбол", "age": "8", "free_seats": "1"},
        {"q": "спорт", "direction": "art", "age": "3"}, {"q": "шахматы", "sort": "distance"},
        {"q": "музыка", "page": "2", "per_page": "7"}, {"per_page": "5"}, {"q": "вокал", "sort": "price"},
    ]
    return [[(name, value) for name, values in case.items() for value in ([values] if isinstance(values, str)
                                                                          else values)] for case in cases]


def api_ids(client, pairs) -> tuple[list[str], int, dict]:
    response = client.get(f"/api/v1/programs?{urlencode(pairs)}")
    assert response.status_code == 200, (pairs, response.get_json())
    body = response.get_json()
    return [item["id"] for item in body["items"]], body["total"], body


def page_ids(client, pairs) -> list[str]:
    response = client.get(f"/search?{urlencode(pairs)}")
    assert response.status_code == 200, pairs
    return CARD_LINK.findall(response.get_data(as_text=True))


def list_ids(client, pairs, file_format: str) -> tuple[list[str], int]:
    response = client.get(f"/api/v1/programs.{file_format}?{urlencode(pairs)}")
    assert response.status_code == 200, (pairs, file_format, response.get_data(as_text=True)[:500])
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
        rows = [[str(cell) if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    column = rows[0].index("program_id")
    return [row[column] for row in rows[1:]], int(response.headers["X-Total-Count"])


def test_every_format_lists_the_same_programs_in_the_same_order(sample):
    cases = query_strings(sample)
    assert len(cases) >= 30
    found_something = empty = 0
    for pairs in cases:
        api, total, body = api_ids(sample, pairs)
        assert page_ids(sample, pairs) == api, pairs
        per_page = int(dict(pairs).get("per_page", 20))
        start = (int(dict(pairs).get("page", 1)) - 1) * per_page
        for file_format in ("csv", "xlsx"):
            listed, listed_total = list_ids(sample, pairs, file_format)
            assert listed_total == total == len(listed), (pairs, file_format)
            assert listed[start:start + per_page] == api, (pairs, file_format)
        found_something += bool(api)
        empty += total == 0
    assert found_something >= 25 and empty >= 2  # the cases reach both kinds of answer


def test_the_lists_honour_a_typed_place(sample):
    near, _, body = api_ids(sample, [("place", "пос. Абагур")])
    assert body["query"]["place"]["label"] and near
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances)
    assert list_ids(sample, [("place", "пос. Абагур")], "csv")[0][:20] == near
    whole, _ = list_ids(sample, [], "csv")
    assert whole[:20] != near


def test_an_unknown_place_is_a_404_for_the_api_and_the_lists_and_a_notice_on_the_page(sample):
    pairs = [("q", "шахматы"), ("place", "Нигдевиль-на-Луне")]
    for url in ("/api/v1/programs", "/api/v1/programs.csv", "/api/v1/programs.xlsx"):
        response = sample.get(f"{url}?{urlencode(pairs)}")
        assert response.status_code == 404 and response.get_json()["error"]["parameter"] == "place", url
    html = sample.get(f"/search?{urlencode(pairs)}").get_data(as_text=True)
    assert "Не нашли «Нигдевиль-на-Луне»" in html
    assert CARD_LINK.findall(html) == api_ids(sample, [("q", "шахматы")])[0]


def test_an_empty_result_gets_the_same_advice_on_the_page_and_in_the_api(sample):
    pairs = [("q", "шахматы"), ("direction", "sport"), ("age", "3")]
    ids, total, body = api_ids(sample, pairs)
    assert total == 0 and not ids
    advice = body["query"]["advice"]
    assert advice and advice["total"] > 0
    html = sample.get(f"/search?{urlencode(pairs)}").get_data(as_text=True)
    assert advice["label"] in html
    without = [pair for pair in pairs if pair[0] != advice["parameter"]]
    assert api_ids(sample, without)[1] == advice["total"]


def test_the_pages_list_links_carry_the_pages_query_string(sample):
    html = sample.get("/search", query_string={"q": "танцы", "place": "пос. Абагур", "page": "2"}).get_data(
        as_text=True)
    link = re.search(r'href="(/api/v1/programs\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "place=" in link and "near=" not in link and "page=" not in link
    assert sample.get(link).status_code == 200
