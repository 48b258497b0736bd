"""The public pages' small catalogue (the `catalog` fixture in conftest.py loads it) and helpers that read
their pages; shared by the tests of the search page, the home page and the program pages."""

from __future__ import annotations

import json
import re

from navigator.catalogue.importer import import_file
from navigator.extensions import database, index_follower
from tests.factories import make_row, write_csv

OTHER_SCHOOL = {"organization_id": "o2", "organization": "МБУ ДО «Дом творчества»",
                "address": "г. Кемерово, пр. Ленина, 10", "district": "Ленинский", "lat": "55.3400", "lon": "86.1500",
                "phone": "+7 3842 00-00-02", "email": "dt@example.org", "website": "https://dt.example.org"}
FAR_TOWN = {"organization_id": "o3", "organization": "МБОУ «СОШ № 7»",
            "municipality": "Таштагольский муниципальный район", "district": "Шерегеш",
            "address": "пгт Шерегеш, ул. Гагарина, 1", "lat": "52.9200", "lon": "87.9900"}


def catalog_rows() -> list[dict[str, str]]:
    """Chess at three places, dance and football, one program without a point, one with hostile text."""
    return [
        make_row(1),
        make_row(2, title="Шахматная школа", age_min="8", age_max="14", **OTHER_SCHOOL),
        make_row(3, title="Шахматы для малышей", age_min="5", age_max="7", **FAR_TOWN),
        make_row(4, title="Танцы", direction="Художественная", profile="Хореография", age_min="6", age_max="10",
                 description="Современные и народные танцы, выступления на концертах.",
                 enrollment="Платно; Сертификат", price_rub="2500", seats_free="0", **OTHER_SCHOOL),
        make_row(5, title="Футбол", profile="Футбол", age_min="7", age_max="12", seats_free="12", seats_total="20",
                 description="Тренировки по футболу и игры с командами соседних школ.",
                 address="г. Кемерово, ул. Без точки, 3", lat="", lon=""),
        make_row(6, title="Робототехника <script>alert(1)</script> {{ 'pwned'|upper }}", direction="Техническая",
                 description="Собираем и программируем роботов. {% raw %} <b>жирно</b>",
                 profile="Робототехника", age_min="9", age_max="15", **OTHER_SCHOOL),
    ]


def load(app, tmp_path, rows, *, archive_missing=False, name="programs.csv"):
    session = database(app).session_factory()
    try:
        import_file(session, write_csv(tmp_path / name, rows), archive_missing=archive_missing)
    finally:
        session.close()
    index_follower(app).follow_once()


def page(client, url, status=200, **params):
    response = client.get(url, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def map_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))
