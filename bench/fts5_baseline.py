"""The baseline of bench/search.py: the same programs in a plain SQLite FTS5 table, filtered in SQL.

The text is stored as Snowball stems (navigator.search.analysis), so word forms match as they do in
Whoosh; a query word matches its stem or the prefix of its root. What the baseline does not do: one-typo
matches, synonyms, the keyboard-layout switch and suggestions — so it answers those queries with less
work than the site. Facets are counted with one GROUP BY per facet (each without its own filter), the
page is ordered in SQL, and the page's rows are read back, as the API reads them from the database.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES, fold
from navigator.search.analysis import query_words, stem, stems
from navigator.search.documents import FilterRow, documents
from navigator.search.request import ANY_OVZ, SearchRequest
from navigator.search.text import MIN_PREFIX, _root

COLUMNS = tuple(FilterRow.__dataclass_fields__)
SQL_TYPES = {"str": "TEXT", "float": "REAL"}
TEXT_MATCHES = "p.program_id IN (SELECT rowid FROM texts WHERE texts MATCH :match)"
DISTANCE = ("2 * 6371.0088 * asin(sqrt(pow(sin(radians(p.lat - :lat) / 2), 2) + cos(radians(:lat)) "
            "* cos(radians(p.lat)) * pow(sin(radians(p.lon - :lon) / 2), 2)))")
ORDER = {"title": "p.title_key", "age": "p.age_max, p.age_min, p.title_key",
         "price": "coalesce(p.price, -1), p.title_key", "rating": "coalesce(p.rating, -1) DESC, p.title_key",
         "updated": "p.updated DESC, p.title_key", "distance": "distance IS NULL, distance, p.title_key"}


def build(path: Path, session) -> int:
    """Write the baseline database from the application's database; return the number of programs."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    columns = ", ".join(f"{name} {SQL_TYPES.get(FilterRow.__dataclass_fields__[name].type, 'INTEGER')}"
                        for name in COLUMNS).replace("program_id INTEGER", "program_id INTEGER PRIMARY KEY")
    connection.executescript(f"""
        CREATE TABLE programs ({columns}, title_key TEXT);
        CREATE VIRTUAL TABLE texts USING fts5(heading, body, tokenize='unicode61 remove_diacritics 0');
    """)
    count = 0
    rows, texts = [], []
    for program_id, document in documents(session):
        row = document["row"]
        rows.append((*row, fold(row[COLUMNS.index("title")])))
        texts.append((program_id, " ".join(stems(document["heading"])), " ".join(stems(document["body"]))))
        count += 1
    marks = ", ".join("?" for _ in range(len(COLUMNS) + 1))
    connection.executemany(f"INSERT INTO programs VALUES ({marks})", rows)
    connection.executemany("INSERT INTO texts (rowid, heading, body) VALUES (?, ?, ?)", texts)
    for column in ("title_key", "direction", "municipality_id", "lat"):
        connection.execute(f"CREATE INDEX programs_{column} ON programs ({column})")
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return count


def _match(text: str) -> str | None:
    """An FTS5 query: every word as its stem or the prefix of its root."""
    parts = []
    for word in query_words(text):
        word_stem = stem(word)
        options = [f'"{word_stem}"']
        root = _root(word_stem)
        if len(root) >= MIN_PREFIX and not word.isdigit():
            options.append(f'"{root[: max(MIN_PREFIX, len(root) - 1)]}" *')
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts) or None


def _conditions(request: SearchRequest, values: dict) -> tuple[list[str], dict[str, str]]:
    """Plain conditions (always applied) and facet conditions by facet name."""
    plain = [TEXT_MATCHES] if "match" in values else []
    facets: dict[str, str] = {}
    if request.age is not None:
        plain.append(f"p.age_min <= {request.age} AND p.age_max >= {request.age}")
    if request.price_max is not None:
        paid = 1 << ENROLLMENT_KINDS.codes.index("paid")
        plain.append(f"((p.enrollment & ~{paid}) != 0 OR p.price <= {request.price_max})")
    if request.free_seats:
        plain.append("p.seats_free > 0")
    if request.profile:
        values["profile"] = fold(request.profile).strip()
        plain.append("p.profile = :profile")
    if request.near is not None and request.radius_km is not None:
        degrees = request.radius_km / 111.0
        stretch = degrees / max(0.01, math.cos(math.radians(request.near[0])))
        plain.append(f"p.lat BETWEEN {request.near[0] - degrees} AND {request.near[0] + degrees} "
                     f"AND p.lon BETWEEN {request.near[1] - stretch} AND {request.near[1] + stretch} "
                     f"AND {DISTANCE} <= {request.radius_km}")
    if request.directions:
        facets["direction"] = f"p.direction IN ({_indexes(request.directions, DIRECTIONS.codes)})"
    if request.enrollments:
        wanted = sum(1 << ENROLLMENT_KINDS.codes.index(c) for c in request.enrollments)
        facets["enrollment"] = f"(p.enrollment & {wanted}) != 0"
    if request.municipality is not None:
        facets["municipality"] = f"p.municipality_id = {request.municipality}"
    if request.district is not None:
        facets["district"] = f"p.district_id = {request.district}"
    if request.ovz == ANY_OVZ:
        facets["ovz"] = "p.ovz != 0"
    elif request.ovz:
        facets["ovz"] = f"(p.ovz & {1 << OVZ_CATEGORIES.codes.index(request.ovz)}) != 0"
    if request.formats:
        facets["format"] = f"p.format IN ({_indexes(request.formats, FORMATS.codes)})"
    return plain, facets


def _indexes(codes: tuple[str, ...], order: tuple[str, ...]) -> str:
    return ", ".join(str(order.index(code)) for code in codes)


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def search(connection: sqlite3.Connection, request: SearchRequest) -> tuple[int, list[tuple], dict]:
    """Total, the page's rows and the facet counts, as the API answers them."""
    values: dict = {}
    match = _match(request.q) if request.q.strip() else None
    if match:
        values["match"] = match
    if request.near is not None:
        values["lat"], values["lon"] = request.near
    plain, facets = _conditions(request, values)
    every = plain + list(facets.values())
    total = connection.execute(f"SELECT count(*) FROM programs p{_where(every)}", values).fetchone()[0]
    counts = {}
    for name, column in (("direction", "p.direction"), ("format", "p.format"), ("municipality", "p.municipality_id"),
                         ("district", "p.district_id")):
        if name == "district" and request.municipality is None:
            continue
        others = plain + [condition for facet, condition in facets.items() if facet != name]
        counts[name] = connection.execute(f"SELECT {column}, count(*) FROM programs p{_where(others)} "
                                          f"GROUP BY {column}", values).fetchall()
    for name, column, size in (("enrollment", "p.enrollment", len(ENROLLMENT_KINDS.codes)),
                               ("ovz", "p.ovz", len(OVZ_CATEGORIES.codes))):
        others = plain + [condition for facet, condition in facets.items() if facet != name]
        sums = ", ".join(f"sum(({column} & {1 << bit}) != 0)" for bit in range(size))
        counts[name] = connection.execute(f"SELECT {sums}, sum({column} != 0) FROM programs p{_where(others)}",
                                          values).fetchone()
    return total, _page(connection, request, every, values, match), counts


def _page(connection, request: SearchRequest, conditions: list[str], values: dict, match: str | None) -> list[tuple]:
    offset = (request.page - 1) * request.per_page
    distance = f", {DISTANCE} AS distance" if request.near is not None else ""
    sort = request.effective_sort
    if sort == "relevance" and match:
        rest = [c for c in conditions if "MATCH" not in c]
        statement = (f"SELECT p.public_id, p.title, p.organization_name{distance} FROM texts "
                     f"JOIN programs p ON p.program_id = texts.rowid WHERE texts MATCH :match"
                     f"{' AND ' + ' AND '.join(rest) if rest else ''} ORDER BY bm25(texts, 3.0, 1.0)")
    else:
        statement = (f"SELECT p.public_id, p.title, p.organization_name{distance} FROM programs p{_where(conditions)} "
                     f"ORDER BY {ORDER.get(sort, 'p.title_key')}")
    return connection.execute(f"{statement} LIMIT {request.per_page} OFFSET {offset}", values).fetchall()
