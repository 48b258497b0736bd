"""One parser from query-string parameters to a search request, for the HTML pages and the API alike.

A bad value raises BadRequest naming the parameter; a blank value (an empty form field) means the
filter is not set. Nothing is silently ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from navigator.catalogue.errors import BadRequest
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES, Vocabulary

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_RADIUS_KM = 200.0
ANY_OVZ = "any"
SORTS = ("relevance", "distance", "title", "age", "price", "rating", "updated")
PUBLIC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on", "да"}, {"0", "false", "no", "off", "нет"}


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    age: int | None = None
    directions: tuple[str, ...] = ()
    profile: str | None = None
    enrollments: tuple[str, ...] = ()
    price_max: int | None = None
    municipality: int | None = None
    district: int | None = None
    organization: str | None = None
    ovz: str | None = None
    formats: tuple[str, ...] = ()
    free_seats: bool = False
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def effective_sort(self) -> str:
        """The chosen sort, or the natural one: relevance for text, distance near a point, else title."""
        if self.sort:
            return self.sort
        if self.q.strip():
            return "relevance"
        return "distance" if self.near else "title"

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=page)


def _one(args, name: str) -> str | None:
    values = [value.strip() for value in args.getlist(name) if value.strip()]
    return values[-1] if values else None


def _many(args, name: str) -> list[str]:
    return [part.strip() for value in args.getlist(name) for part in value.split(",") if part.strip()]


def _integer(name: str, low: int, high: int | None, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"\d{1,9}", text) or int(text) < low or (high is not None and int(text) > high):
            bounds = f"от {low} до {high}" if high is not None else f"не меньше {low}"
            raise BadRequest(name, f"{what} — целое число {bounds}, получено «{text}»")
        return int(text)

    return parse


def _codes(args, name: str, vocabulary: Vocabulary, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    codes = []
    for text in _many(args, name):
        if text in extra:
            codes.append(text)
            continue
        term = vocabulary.lookup(text)
        if term is None:
            allowed = ", ".join(vocabulary.codes + extra)
            raise BadRequest(name, f"неизвестное значение «{text}»; допустимо: {allowed}")
        codes.append(term.code)
    return tuple(dict.fromkeys(codes))


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(name, f"ожидается число, получено «{text}»") from None
    if not math.isfinite(value):
        raise BadRequest(name, f"ожидается число, получено «{text}»")
    return value


def _near(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise BadRequest("near", f"ожидается «широта,долгота», получено «{text}»")
    lat, lon = (_number("near", part.strip()) for part in parts)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadRequest("near", f"широта от −90 до 90 и долгота от −180 до 180, получено «{text}»")
    return lat, lon


def _flag(name: str, text: str | None) -> bool:
    if text is None:
        return False
    if text.lower() in TRUE_WORDS:
        return True
    if text.lower() in FALSE_WORDS:
        return False
    raise BadRequest(name, f"ожидается 1 или 0, получено «{text}»")


def parse_request(args) -> SearchRequest:
    """Turn query-string arguments (a werkzeug MultiDict) into a SearchRequest, or raise BadRequest."""
    q = _one(args, "q") or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise BadRequest("q", f"запрос длиннее {MAX_QUERY_LENGTH} символов")
    values: dict[str, Any] = {"q": q}
    for name, parse in (("age", _integer("age", 0, 18, "возраст ребёнка")),
                        ("price_max", _integer("price_max", 0, None, "цена в месяц")),
                        ("municipality", _integer("municipality", 1, None, "код муниципалитета")),
                        ("district", _integer("district", 1, None, "код района")),
                        ("page", _integer("page", 1, None, "номер страницы")),
                        ("per_page", _integer("per_page", 1, MAX_PER_PAGE, "число программ на странице"))):
        text = _one(args, name)
        if text is not None:
            values[name] = parse(text)
    values["directions"] = _codes(args, "direction", DIRECTIONS)
    values["enrollments"] = _codes(args, "enrollment", ENROLLMENT_KINDS)
    values["formats"] = _codes(args, "format", FORMATS)
    ovz = _codes(args, "ovz", OVZ_CATEGORIES, extra=(ANY_OVZ,))
    if len(ovz) > 1:
        raise BadRequest("ovz", "укажите одну категорию ОВЗ или any")
    values["ovz"] = ovz[0] if ovz else None
    values["profile"] = _one(args, "profile")
    organization = _one(args, "organization")
    if organization is not None and not PUBLIC_ID.match(organization):
        raise BadRequest("organization", f"неизвестная организация «{organization}»")
    values["organization"] = organization
    values["free_seats"] = _flag("free_seats", _one(args, "free_seats"))
    _near_and_sort(args, values)
    return SearchRequest(**values)


def _near_and_sort(args, values: dict[str, Any]) -> None:
    near, radius = _one(args, "near"), _one(args, "radius_km")
    if near is not None:
        values["near"] = _near(near)
    if radius is not None:
        if near is None:
            raise BadRequest("radius_km", "радиус задаётся вместе с near=широта,долгота")
        values["radius_km"] = _number("radius_km", radius)
        if not 0 < values["radius_km"] <= MAX_RADIUS_KM:
            raise BadRequest("radius_km", f"радиус — от 0 до {MAX_RADIUS_KM:g} км, получено «{radius}»")
    sort = _one(args, "sort")
    if sort is not None:
        if sort not in SORTS:
            raise BadRequest("sort", f"неизвестная сортировка «{sort}»; допустимо: {', '.join(SORTS)}")
        if sort == "distance" and near is None:
            raise BadRequest("sort", "сортировка по расстоянию требует near=широта,долгота")
        values["sort"] = sort
