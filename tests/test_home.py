"""The home page through the HTTP client: questions and ways into the search, each with a truthful count, and
no list of programs."""

from __future__ import annotations

import html as markup
import re
from urllib.parse import parse_qs, urlsplit

from tests.public_catalogue import card_titles, page

WAY_IN = re.compile(r'<a class="(?:tile|selection)" href="([^"]+)">(.*?)</a>|'
                    r'<li><a href="(/search\?municipality=\d+)">[^<]+</a> <span class="places__count">(\d+)<', re.S)


def ways_in(html: str) -> list[tuple[str, int]]:
    """Every link of the home page into the search with the number of programs it promises."""
    found = []
    for href, text, municipality_href, municipality_count in WAY_IN.findall(html):
        count = municipality_count or re.search(r"(\d[\d\u00a0 ]*)\u00a0программ", text).group(1)
        found.append((markup.unescape(href or municipality_href), int(re.sub(r"\D", "", count))))
    return found


def test_the_home_page_asks_and_offers_ways_in_but_lists_no_programs(catalog):
    html = page(catalog.test_client(), "/")
    for question in ('<label for="q">Что ищем?</label>', '<label for="age">Сколько лет ребёнку?</label>',
                     "Рядом со мной: улица или посёлок", 'action="/search"'):
        assert question in html
    assert 'class="card' not in html and "folium-map" not in html
    assert 'href="/search">Все программы списком и на карте</a>' in html


def test_every_count_on_the_home_page_is_what_its_link_finds(catalog):
    client = catalog.test_client()
    found = ways_in(page(client, "/"))
    kinds = {next(iter(parse_qs(urlsplit(href).query))) for href, _ in found}
    assert {"direction", "municipality", "free_seats", "enrollment"} <= kinds
    for href, promised in found:
        params = {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}
        assert promised > 0 and client.get("/api/v1/programs", query_string=params).get_json()["total"] == promised


def test_the_search_page_has_its_own_address_and_old_links_still_search(catalog):
    client = catalog.test_client()
    everything = page(client, "/search")
    assert re.search(r"Найдено 6\u00a0программ", everything) and 'class="card' in everything
    old, new = page(client, "/", q="шахматы"), page(client, "/search", q="шахматы")
    assert card_titles(old) == card_titles(new) and len(card_titles(new)) == 3
