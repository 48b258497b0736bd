"""The public site through the HTTP client: search page, program and organization pages, errors, security."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import District, Municipality, Program
from navigator.extensions import database
from tests.factories import make_row
from tests.public_catalogue import card_titles, catalog_rows, load, map_data, page


def test_search_page_lists_counts_and_maps_the_whole_result_set(catalog):
    client = catalog.test_client()
    html = page(client, "/search", per_page=2)
    assert "Найдено 6\u00a0программ" in html
    assert len(card_titles(html)) == 2
    pins = map_data(html)["pins"]
    assert len(pins) == 5  # every mapped result, not only the page; the football club has no point
    assert "Ещё 1 без точки на карте" in html
    assert "iframe" not in html


def test_a_search_with_many_mapped_results_sends_cells_that_narrow_it(catalog, monkeypatch):
    from navigator import maps

    monkeypatch.setattr(maps, "SERVER_CLUSTERS_ABOVE", 2)
    html = page(catalog.test_client(), "/search", per_page=2, page=1)
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert sum(cell[2] for cell in data["cells"]) == 5 and "pins" not in data
    assert data["narrow"] == "/search?per_page=2&near={lat},{lon}&radius_km={radius}"


def test_map_and_scripts_come_from_our_own_static_files(catalog):
    html = page(catalog.test_client(), "/search", q="шахматы")
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in sources
    assert "/static/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js" in sources
    for source in sources:
        with catalog.test_client().get(source) as response:
            assert response.status_code == 200, source


def test_text_and_age_search(catalog):
    html = page(catalog.test_client(), "/search", q="шахматы", age="6")
    assert card_titles(html) == ["Шахматы для малышей"]
    assert "Найдена 1\u00a0программа" in html


def test_chosen_filters_become_removable_chips(catalog):
    client = catalog.test_client()
    html = page(client, "/search", q="шахматы", age="9", direction="sport", free_seats="1")
    chips = dict((label, href.replace("&amp;", "&")) for href, label in
                 re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', html))
    assert set(chips) == {"Возраст: 9\u00a0лет", "Физкультурно-спортивная", "Есть свободные места"}
    chess = "q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"
    assert chips["Возраст: 9\u00a0лет"] == f"/search?{chess}&direction=sport&free_seats=1"
    assert f'<a class="chips__reset" href="/search?{chess}">Сбросить всё</a>' in html


def test_facet_counts_stand_next_to_the_choices(catalog):
    html = page(catalog.test_client(), "/search")
    assert re.search(r'id="direction-sport"[^>]*>\s*<label for="direction-sport">Физкультурно-спортивная '
                     r'<span class="facet-count">4<', html)
    assert re.search(r'<option value="\d+">Таштагольский муниципальный район \(1\)</option>', html)


def test_district_list_follows_the_chosen_municipality(catalog, session):
    kemerovo = session.scalar(select(Municipality).where(Municipality.name == "Кемеровский городской округ"))
    leninsky = session.scalar(select(District).where(District.name == "Ленинский"))
    client = catalog.test_client()
    assert re.search(r'<select id="district" name="district"[^>]*disabled', page(client, "/search"))
    html = page(client, "/search", municipality=str(kemerovo.id))
    assert f'<option value="{leninsky.id}">Ленинский (3)</option>' in html
    assert "Шерегеш (" not in html  # another municipality's settlement
    html = page(client, "/search", municipality=str(kemerovo.id), district=str(leninsky.id))
    robots = "Робототехника &lt;script&gt;alert(1)&lt;/script&gt; {{ &#39;pwned&#39;|upper }}"
    assert sorted(card_titles(html)) == [robots, "Танцы", "Шахматная школа"]
    assert len(map_data(html)["pins"]) == 3
    districts = json.loads(re.search(r'id="districts-data">(.*?)</script>', html).group(1))
    assert [leninsky.id, "Ленинский"] in districts[str(kemerovo.id)]


def test_pages_and_sort_links(catalog):
    client = catalog.test_client()
    html = page(client, "/search", per_page=2, sort="title")
    assert card_titles(html)[0].startswith("Робототехника")
    assert 'href="/search?sort=title&amp;per_page=2&amp;page=2"' in html
    assert 'rel="next"' in html and 'aria-current="page"' in html
    html = page(client, "/search", per_page=2, sort="title", page=3)
    assert card_titles(html) == ["Шахматы", "Шахматы для малышей"]
    assert "На этой странице программ нет" in page(client, "/search", per_page=2, page=9)
    html = page(client, "/search")
    assert "по расстоянию" not in html and "по соответствию" not in html


def test_near_me_orders_by_distance_and_shows_it(catalog):
    html = page(catalog.test_client(), "/search", near="55.3549,86.0868", radius_km="10", sort="distance")
    assert card_titles(html)[0] == "Шахматы"
    assert "Шахматы для малышей" not in card_titles(html)  # 300 km away
    assert re.search(r'расстояние</span> \d+\u00a0м', html)
    assert "Рядом с выбранной точкой в радиусе 10 км" in html
    assert 'value="55.3549,86.0868"' in html


def test_near_a_typed_place_found_by_the_geocoding_chain(catalog):
    html = page(catalog.test_client(), "/search", place="Шерегеш", radius_km="10")
    assert card_titles(html) == ["Шахматы для малышей"]
    assert "Нашли: пгт Шерегеш" in html and "по населённому пункту" in html
    chip = re.search(r'<a class="chip" href="([^"]+)">(Рядом: [^<]+)<', html)
    assert chip.group(2) == "Рядом: пгт Шерегеш, Таштагольский муниципальный округ в радиусе 10 км"
    assert "place" not in chip.group(1) and "radius_km" not in chip.group(1)
    assert 'value="Шерегеш"' in html and 'name="near" id="near" value=""' in html


def test_a_place_that_cannot_be_found_is_said_not_ignored(catalog):
    html = page(catalog.test_client(), "/search", place="Абырвалгск", radius_km="3", sort="distance")
    assert "Не нашли «Абырвалгск»" in html
    assert "Найдено 6\u00a0программ" in html


@pytest.mark.parametrize(("params", "notice", "titles"), [
    ({"age": "abc"}, "Возраст ребёнка: значение «abc» не подходит, оно не учтено.", 6),
    ({"age": "40"}, "Возраст ребёнка: значение «40» не подходит", 6),
    ({"direction": "cooking"}, "Направленность: значение «cooking» не подходит", 6),
    ({"page": "0"}, "Номер страницы: вместо «0» взято 1.", 6),
    ({"per_page": "5000"}, "Программ на странице: вместо «5000» взято 100.", 6),
    ({"sort": "foo"}, "Сначала показывать: значение «foo» не подходит", 6),
    ({"q": "шахматы" * 40}, "Что ищем: взяты первые 200 символов.", 0),
    ({"municipality": "999"}, "Муниципалитет: такого в каталоге нет, фильтр не применён.", 6),
])
def test_a_bad_parameter_gives_a_normal_page_with_a_notice(catalog, params, notice, titles):
    """A person followed a link: the page forgives it and says what it left out (the API stays strict)."""
    html = page(catalog.test_client(), "/search", **params)
    assert notice in html and "Неверный запрос" not in html
    assert len(card_titles(html)) == titles
    strict = 404 if "municipality" in params else 400  # well-formed, but not in the catalogue
    assert catalog.test_client().get("/api/v1/programs", query_string=params).status_code == strict


def test_blank_form_fields_are_no_filter_and_no_notice(catalog):
    html = page(catalog.test_client(), "/search", q="", age="", direction="", price_max="", near="", radius_km="")
    assert "notice--warning" not in html and len(card_titles(html)) == 6


def test_user_text_is_escaped_everywhere(catalog):
    client = catalog.test_client()
    html = page(client, "/search", q="робототехника")
    assert "<script>alert" not in html and "PWNED" not in html
    assert map_data(html)["pins"][0][2] == "Робототехника <script>alert(1)</script> {{ 'pwned'|upper }}"
    html = page(client, "/programs/p6")
    assert "<script>alert" not in html and "<b>жирно" not in html and "PWNED" not in html
    assert "{% raw %} &lt;b&gt;жирно&lt;/b&gt;" in html


def test_content_security_policy_allows_our_origin_and_the_tile_server_only(catalog):
    response = catalog.test_client().get("/", query_string={"q": "шахматы"})
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert nonce not in catalog.test_client().get("/").headers["Content-Security-Policy"]


def test_tile_server_comes_from_the_settings(app, tmp_path):
    app.config["TILE_URL"] = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    app.config["TILE_ATTRIBUTION"] = "© Example tiles"
    load(app, tmp_path, [make_row(1)])
    response = app.test_client().get("/search")
    assert "https://*.tiles.example.org" in response.headers["Content-Security-Policy"]
    assert "https://{s}.tiles.example.org/{z}/{x}/{y}.png" in response.get_data(as_text=True)


def test_program_page_has_everything_a_parent_needs(catalog):
    html = page(catalog.test_client(), "/programs/p1")
    for text in ("<h1>Шахматы</h1>", "7–12\u00a0лет", "Физкультурно-спортивная", "Учимся играть в шахматы",
                 "Бесплатно", "4\u00a0места из 15", "Пн, Ср 15:00–16:30", "9 месяцев, 144 часа",
                 "Иванова Мария Петровна", "4,75 из 5", "Очно", "https://school1.example.org/programs/chess.pdf",
                 "Обновлено 1\u00a0сентября 2026",
                 "МБОУ «СОШ № 1»", "tel:+73842000001", "mailto:school1@example.org", "г. Кемерово, ул. Весенняя, 5",
                 "Как записаться", 'class="folium-map"',
                 "https://www.openstreetmap.org/directions?route=%3B55.354900%2C86.086800"):
        assert text in html, text
    assert '<meta property="og:title" content="Шахматы (7–12\u00a0лет)">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Course" and data["name"] == "Шахматы"
    assert data["provider"]["name"] == "МБОУ «СОШ № 1»"
    assert data["audience"] == {"@type": "PeopleAudience", "suggestedMinAge": 7, "suggestedMaxAge": 12}
    assert data["hasCourseInstance"]["location"]["geo"]["latitude"] == pytest.approx(55.3549)


def test_similar_programs_share_the_topic_and_ages_nearest_first(catalog):
    html = page(catalog.test_client(), "/programs/p1")
    similar = card_titles(html.split('id="similar-heading"', 1)[1])
    # Chess first (same profile), nearest first; then the same direction; dance (another direction) never.
    assert similar == ["Шахматная школа", "Шахматы для малышей", "Футбол"]


def test_unknown_program_answers_404_in_russian(catalog):
    html = page(catalog.test_client(), "/programs/does-not-exist-42", 404)
    assert "Страница не найдена" in html and "does-not-exist-42" in html


def test_archived_program_answers_410_with_similar_current_ones(catalog, tmp_path):
    load(catalog, tmp_path, [row for row in catalog_rows() if row["program_id"] != "p2"], archive_missing=True,
         name="again.csv")
    html = page(catalog.test_client(), "/programs/p2", 410)
    assert "больше не проводится" in html
    assert "Шахматы" in card_titles(html)


def test_the_font_is_served_by_the_site_itself(client):
    """Golos Text from static/vendor (no CDN), shown at once in a fallback and swapped (font-display: swap)."""
    with client.get("/static/css/site.css") as stylesheet:
        css = stylesheet.get_data(as_text=True)
    faces = re.findall(r"@font-face \{(.*?)\}", css, re.S)
    assert len(faces) == 4 and all("font-display: swap" in face for face in faces)
    for url in re.findall(r"url\(\.\./(vendor/[^)]+\.woff2)\)", css):
        with client.get(f"/static/{url}") as font:
            assert font.status_code == 200 and font.data[:4] == b"wOF2", url
    assert '"Golos Text", system-ui' in css


def test_quotes_inside_quotes_become_lapki(catalog):
    html = page(catalog.test_client(), "/search", q="Дом «Творчества»")
    assert "<title>«Дом „Творчества“» — " in html and "««" not in html and "»»" not in html


def test_organization_page_groups_programs_by_direction_and_filters_by_age(catalog):
    client = catalog.test_client()
    html = page(client, "/organizations/o2")
    assert "<h1>МБУ ДО «Дом творчества»</h1>" in html
    headings = re.findall(r'<h3 id="group-(\w+)">', html)
    assert headings == ["technical", "sport", "art"]
    assert "пр. Ленина, 10" in html and 'class="folium-map"' in html
    assert 'type="application/ld+json"' in html
    html = page(client, "/organizations/o2", age="6")
    assert re.findall(r'<h4 class="card__title"><a href="[^"]+">([^<]+)</a>', html) == ["Танцы"]
    assert "Возраст ребёнка: значение «old» не подходит" in page(client, "/organizations/o2", age="old")
    page(client, "/organizations/nobody", 404)


def test_low_vision_switch_is_remembered_and_hides_the_map(catalog):
    client = catalog.test_client()
    response = client.get("/low-vision", query_string={"on": "1", "next": "/search?q=шахматы"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"
    html = page(client, "/search", q="шахматы")
    assert '<html lang="ru" class="low-vision lv-size-1 lv-scheme-bw lv-images-off lv-spacing-1">' in html
    assert "folium-map" not in html and "карта скрыта" in html
    assert "Обычная версия сайта" in html
    assert "folium-map" not in page(client, "/programs/p1")
    client.get("/low-vision", query_string={"on": "0", "next": "/"})
    assert "folium-map" in page(client, "/search")


def test_low_vision_settings_are_remembered(catalog):
    client = catalog.test_client()
    client.get("/low-vision", query_string={"on": "1", "next": "/"})
    for name, value in (("size", "3"), ("scheme", "blue"), ("images", "on"), ("spacing", "2"), ("size", "nonsense")):
        client.get("/low-vision", query_string={"on": "1", name: value, "next": "/"})
    html = page(client, "/programs/p1")
    assert 'class="low-vision lv-size-3 lv-scheme-blue lv-images-on lv-spacing-2"' in html
    assert re.search(r'aria-current="true">Тёмно-синим по голубому<', html)


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example", ""])
def test_low_vision_switch_never_leaves_the_site(client, target):
    response = client.get("/low-vision", query_string={"on": "1", "next": target})
    assert response.headers["Location"] == "/"


def test_errors_answer_json_to_api_clients_and_a_page_to_people(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    app.add_url_rule("/api/v1/broken", endpoint="api_broken", view_func=broken)
    client = app.test_client()
    html = page(client, "/broken", 500)
    assert "Ошибка на сервере" in html and "boom" not in html and 'class="site-header"' in html
    assert client.get("/api/v1/broken").get_json() == {"error": {"status": 500, "message": "Ошибка на сервере"}}
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["status"] == 404


def test_every_page_links_to_the_other_audiences(catalog):
    """Parents find search, staff find coverage and the log-in, developers the API, from any page."""
    client = catalog.test_client()
    for url in ("/", "/programs/p1"):
        html = page(client, url)
        for target in ('href="/"', 'href="/coverage"', 'href="/login"', 'href="/api/v1/openapi.json"'):
            assert target in html, (url, target)
    for target in ("/coverage", "/login", "/api/v1/openapi.json"):
        assert catalog.test_client().get(target).status_code == 200, target


def test_a_program_with_its_own_phone_shows_it_in_the_api_and_on_its_card(app, tmp_path):
    load(app, tmp_path, [make_row(1), make_row(2, title="Шашки", phone="+7 3842 77-77-77"), make_row(3)])
    client = app.test_client()
    own = client.get("/api/v1/programs/p2").get_json()
    assert own["contact"] == {"phone": "+7 3842 77-77-77", "email": "school1@example.org",
                              "website": own["organization"]["website"]}
    assert own["organization"]["phone"] == make_row(1)["phone"]
    assert client.get("/api/v1/programs/p1").get_json()["contact"]["phone"] == make_row(1)["phone"]
    html = page(client, "/programs/p2")
    assert 'Телефон программы: <a href="tel:+73842777777">+7 3842 77-77-77</a>' in html
    assert "tel:+73842000001" not in html
    assert 'Телефон: <a href="tel:+73842000001">' in page(client, "/programs/p1")


def test_an_empty_result_names_the_filter_that_removes_most(catalog):
    client = catalog.test_client()
    html = page(client, "/search", q="шахматы", age="17", free_seats="1")
    assert "Ничего не нашлось" in html
    advice = re.search(r'<p id="advice">Больше всего программ отсеивает фильтр «([^»]+)»: без него найдётся '
                       r'(\d+)\u00a0\w+\. <a href="([^"]+)">', html)
    assert advice, html[html.find("Ничего"):][:600]
    label, total, url = advice.groups()
    again = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    assert len(card_titles(again)) == int(total) and label in ("Возраст ребёнка", "Только где есть свободные места")
    assert "Попробуйте убрать часть фильтров" not in page(client, "/search", q="абырвалг")


def test_a_card_shows_the_street_the_days_and_the_price_that_matched(catalog):
    html = page(catalog.test_client(), "/search", q="танцы", price_max="2000")
    card = html[html.find('<article class="card">'):]
    card = card[:card.find("</article>")]
    assert "г. Кемерово, пр. Ленина, 10" in card
    assert card.find("Сертификат") < card.find("Платно — 2\u202f500\u00a0₽ в месяц, дороже выбранной цены")
    without_filter = page(catalog.test_client(), "/search", q="танцы")
    assert "Платно: 2\u202f500\u00a0₽ в месяц" in without_filter and "дороже выбранной" not in without_filter


def test_an_unchanged_page_is_revalidated_without_rendering(catalog, monkeypatch):
    client = catalog.test_client()
    first = client.get("/", query_string={"q": "шахматы"})
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    rendered = []
    monkeypatch.setattr("navigator.views.parents.pages.search_answer", lambda *args, **kwargs: rendered.append(1))
    again = client.get("/", query_string={"q": "шахматы"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.data and not rendered
    assert "Content-Security-Policy" not in again.headers  # the stored page keeps the policy its nonce matches
    monkeypatch.undo()
    with database(catalog).session_factory() as session:  # a provider saves: every page's tag changes
        program = session.scalar(select(Program).where(Program.public_id == "p1"))
        program.seats_free = 0
        mark_programs_changed(session, [program.id])
        session.commit()
    changed = client.get("/", query_string={"q": "шахматы"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert client.get("/", query_string={"q": "танцы"}).headers["ETag"] != changed.headers["ETag"]
    client.set_cookie("session", "someone")  # a visitor with a session (signed in, a message waiting)
    assert "ETag" not in client.get("/", query_string={"q": "шахматы"}).headers
