"""One parser from query-string parameters to a search request, for the HTML pages and the API alike.

The parameters are declared once in navigator.search.parameters. The API reads them strictly: a value
the OpenAPI document does not allow raises BadRequest naming the parameter. The HTML pages read them
forgivingly: a blank value means the filter is not set, and a bad one is clamped or dropped with a
notice the page shows, so a person never lands on an error page because of a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from navigator.search.parameters import (
    ANY_OVZ,
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MAX_RADIUS_KM,
    PARAMETERS,
    SORTS,
    BadRequest,
    Dropped,
)

__all__ = ["ANY_OVZ", "DEFAULT_PER_PAGE", "MAX_PER_PAGE", "MAX_QUERY_LENGTH", "MAX_RADIUS_KM", "SORTS",
           "BadRequest", "ParsedRequest", "SearchRequest", "parse_forgiving", "parse_request"]

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
    exact: bool = False  # the words as typed: no typo or keyboard-layout correction
    near: tuple[float, float] | None = None
    place: str | None = None  # a typed place; the search answer turns it into `near` through the geocoding
    radius_km: float | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def effective_sort(self) -> str:
        """The chosen sort, or the natural one: nearest first around a point, relevance for text, else title."""
        if self.sort and (self.sort != "distance" or self.near):
            return self.sort
        if self.near:
            return "distance"
        return "relevance" if self.q.strip() else "title"

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=page)

    def pairs(self) -> list[tuple[str, str]]:
        """The request as query-string pairs in the table's order, with codes, the page left out.

        A point found from a typed place is written as that place, so links stay readable and shareable.
        """
        pairs: list[tuple[str, str]] = []
        for name, parameter in PARAMETERS.items():
            value = getattr(self, parameter.attribute)
            if name == "page" or not parameter.is_set(value) or (name == "near" and self.place):
                continue
            pairs += [(name, text) for text in parameter.written(value)]
        return pairs

    def without(self, name: str) -> SearchRequest:
        """This request without the parameter and those it takes with it (a municipality takes its district)."""
        cleared = [name] + [other for other, value in PARAMETERS[name].clears if value is None]
        return replace(self, page=1, **{PARAMETERS[other].attribute: _UNSET[PARAMETERS[other].attribute]
                                        for other in cleared})


@dataclass(frozen=True)
class ParsedRequest:
    """A forgiving read: the request and what was changed or left out, in words for the page."""

    search: SearchRequest
    notices: list[str] = field(default_factory=list)


_UNSET: dict[str, Any] = {field.name: field.default for field in fields(SearchRequest)}


def _texts(args, name: str, many: bool, strict: bool) -> list[str]:
    values = args.getlist(name)
    if not strict:  # a blank form field is an unset filter, and a person may write «a, b»
        values = [part for value in values for part in (value.split(",") if many else [value]) if part.strip()]
    elif not many and len(values) > 1:  # the API's document gives it one value (a page takes the last)
        raise BadRequest(name, f"{PARAMETERS[name].label}: одно значение, а не {len(values)}")
    return values if many else values[-1:]


def _read(args, strict: bool) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    notices: list[str] = []
    for name, parameter in PARAMETERS.items():
        read = []
        for text in _texts(args, name, parameter.many, strict):
            if strict:
                read.append(parameter.strict(text))
                continue
            try:
                value, notice = parameter.forgiving(text)
            except Dropped as dropped:
                notices.append(dropped.notice)
                continue
            read.append(value)
            if notice:
                notices.append(notice)
        if parameter.many:
            values[parameter.attribute] = tuple(dict.fromkeys(read))
        elif read and read[-1] not in ("", None):
            values[parameter.attribute] = read[-1]
    return values, notices


def parse_request(args) -> SearchRequest:
    """The API's reading of query-string arguments (a werkzeug MultiDict): exactly the OpenAPI contract."""
    values, _ = _read(args, strict=True)
    return SearchRequest(**values)


def parse_forgiving(args) -> ParsedRequest:
    """The HTML pages' reading: bad values clamped or dropped, each with a short notice."""
    values, notices = _read(args, strict=False)
    return ParsedRequest(SearchRequest(**values), notices)
