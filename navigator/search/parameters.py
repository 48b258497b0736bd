"""The search parameters as one table: name, type, allowed values, Russian label and API description.

The request parser (navigator.search.request), the filter form and chips of the search page and the
OpenAPI document (navigator.outward.openapi) are all made from this table, so they cannot drift apart.
Each parameter reads a value in two ways: `strict` for the JSON API (the value must be what the
OpenAPI schema allows, else BadRequest) and `forgiving` for the HTML pages (a value a person can be
given something for is kept, clamped or dropped, with a short Russian notice saying so).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from navigator.catalogue import russian
from navigator.catalogue.errors import BadRequest
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES, Vocabulary

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_RADIUS_KM = 200.0
MAX_INTEGER = 999_999_999  # nine digits: every id and price fits, nothing overflows a database integer
ANY_OVZ = "any"
SORTS = ("relevance", "distance", "title", "age", "price", "rating", "updated")
TRUE_WORDS, FALSE_WORDS = ("1", "true"), ("0", "false")
#: Words a person may type for yes and no; only the HTML pages take them.
LOOSE_TRUE, LOOSE_FALSE = {"1", "true", "yes", "on", "да"}, {"0", "false", "no", "off", "нет"}
_LAT = r"-?(?:90(?:\.0+)?|[1-8]?\d(?:\.\d+)?)"
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d+)?)"
POINT = re.compile(rf"^({_LAT}),({_LON})$")
PUBLIC_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_INTEGER = re.compile(r"^\d{1,9}$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


class Dropped(Exception):
    """A forgiving read found nothing usable; the notice says so in words for a person."""

    def __init__(self, notice: str):
        super().__init__(notice)
        self.notice = notice


@dataclass(frozen=True)
class Parameter:
    """One search parameter. `kind` is text, integer, number, code, flag or point."""

    name: str
    kind: str
    label: str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    max_length: int | None = None
    pattern: str | None = None
    vocabulary: Vocabulary | None = None
    extra_codes: tuple[str, ...] = ()
    many: bool = False
    clamp: bool = False  # the HTML pages bring an out-of-range value into range rather than drop it
    field: str = ""  # the SearchRequest field it sets, when not named like the parameter
    default: Any = None  # the field's value when the parameter is not given (never written in a link)
    #: The chip of a chosen value on the search page: (value, search, names of ids) → label; None: no chip.
    chip: Callable[[Any, Any, Mapping[str, str | None]], str] | None = None
    narrows: bool = False  # a filter: taking it away can only bring programs back (the empty result's advice)
    clears: tuple[tuple[str, str | None], ...] = ()  # (name, value or None: any) removed with it
    on_panel: bool = True  # the filter panel has a control for it; else the form carries it as a hidden field

    @property
    def attribute(self) -> str:
        """The SearchRequest field this parameter sets."""
        return self.field or self.name

    def is_set(self, value: Any) -> bool:
        """Whether a request's value says something (unset, blank and default values are never written)."""
        return value not in (None, "", (), False) and value != self.default

    def written(self, value: Any) -> list[str]:
        """A request's value as query-string text, one text per value (codes, 1 for yes, «lat,lon»)."""
        if self.many:
            return list(value)
        if self.kind == "flag":
            return ["1"]
        if self.kind == "point":
            return [f"{round(value[0], 6)},{round(value[1], 6)}"]
        if self.kind == "number":
            return [f"{value:g}"]
        return [str(value)]

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.vocabulary.codes if self.vocabulary else ()) + self.extra_codes

    def value_schema(self) -> dict[str, Any]:
        """The JSON Schema of one value, as the OpenAPI document declares it."""
        if self.kind == "code":
            return {"type": "string", "enum": list(self.codes)}
        if self.kind == "flag":
            return {"type": "string", "enum": [*TRUE_WORDS, *FALSE_WORDS]}
        if self.kind == "point":
            return {"type": "string", "pattern": POINT.pattern}
        schema: dict[str, Any] = {"type": self.kind if self.kind in ("integer", "number") else "string"}
        if self.minimum is not None:
            schema["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.pattern is not None:
            schema["pattern"] = self.pattern
        return schema

    def openapi(self) -> dict[str, Any]:
        """The parameter as an OpenAPI 3.1 query parameter."""
        schema = self.value_schema()
        declared = {"name": self.name, "in": "query", "required": False, "description": self.description,
                    "schema": {"type": "array", "items": schema} if self.many else schema}
        if self.many:
            declared.update(style="form", explode=True)
        return declared

    # --- reading a value --------------------------------------------------------------------------------

    def _in_range(self, value: float) -> bool:
        low_ok = self.minimum is None or (value > self.minimum if self.exclusive_minimum else value >= self.minimum)
        return low_ok and (self.maximum is None or value <= self.maximum)

    def _range_text(self) -> str:
        low = 0.0 if self.minimum is None else self.minimum  # every numeric parameter has a minimum
        if self.maximum is None:
            return f"не меньше {_written(low)}"
        return f"от {_written(low)} до {_written(self.maximum)}"

    def strict(self, text: str) -> Any:
        """The value the API takes, exactly as the OpenAPI schema allows it; BadRequest otherwise."""
        if self.kind == "text":
            if self.max_length is not None and len(text) > self.max_length:
                raise BadRequest(self.name, f"{self.label}: не длиннее {self.max_length} символов")
            if self.pattern is not None and not re.match(self.pattern, text):
                raise BadRequest(self.name, f"{self.label}: недопустимое значение «{text[:50]}»")
            return text.strip()
        if self.kind in ("integer", "number"):
            syntax = _INTEGER if self.kind == "integer" else _NUMBER
            value = float(text) if syntax.match(text) else math.nan
            if not math.isfinite(value) or not self._in_range(value):
                what = "целое число" if self.kind == "integer" else "число"
                raise BadRequest(self.name, f"{self.label} — {what} {self._range_text()}, получено «{text[:50]}»")
            return int(value) if self.kind == "integer" else value
        if self.kind == "code":
            if text not in self.codes:
                raise BadRequest(self.name, f"{self.label}: неизвестное значение «{text[:50]}»; "
                                            f"допустимо: {', '.join(self.codes)}")
            return text
        if self.kind == "flag":
            if text not in TRUE_WORDS + FALSE_WORDS:
                raise BadRequest(self.name, f"{self.label}: ожидается 1 или 0, получено «{text[:50]}»")
            return text in TRUE_WORDS
        match = POINT.match(text)
        if not match:
            raise BadRequest(self.name, f"{self.label}: ожидается «широта,долгота» в градусах "
                                        f"(широта от −90 до 90, долгота от −180 до 180), получено «{text[:50]}»")
        return float(match[1]), float(match[2])

    def forgiving(self, text: str) -> tuple[Any, str | None]:
        """The value an HTML page uses and a notice when it had to change it; Dropped when nothing fits."""
        text = text.strip()
        if self.kind == "text" and self.max_length is not None and len(text) > self.max_length:
            return text[: self.max_length], f"{self.label}: взяты первые {self.max_length} символов."
        if self.kind == "code":
            term = self.vocabulary.lookup(text) if self.vocabulary else None
            if term is not None:
                return term.code, None
        if self.kind == "flag" and text.lower() in LOOSE_TRUE | LOOSE_FALSE:
            return text.lower() in LOOSE_TRUE, None
        if self.kind == "point":
            text = text.replace(" ", "")
        if self.kind in ("integer", "number") and self.clamp:
            try:
                value = float(text.replace(",", "."))
            except ValueError:
                value = math.nan
            if math.isfinite(value) and not self._in_range(value):
                bound = self.maximum if self.maximum is not None and value > self.maximum else self.minimum
                if bound is None or (self.exclusive_minimum and bound == self.minimum):
                    raise Dropped(f"{self.label}: значение «{text[:30]}» не подходит, оно не учтено.")
                clamped: float = int(bound) if self.kind == "integer" else bound
                return clamped, f"{self.label}: вместо «{text[:30]}» взято {_written(clamped)}."
            text = str(int(value)) if self.kind == "integer" and math.isfinite(value) and value.is_integer() \
                else text.replace(",", ".")
        try:
            return self.strict(text), None
        except BadRequest:
            raise Dropped(f"{self.label}: значение «{text[:30]}» не подходит, оно не учтено.") from None


def _written(number: float) -> str:
    """A bound or a value as Russian text writes it: «2 147 483 647», «0,5» (not «2.14748e+09», «0.5»)."""
    return russian.group_digits(int(number)) if float(number).is_integer() else russian.decimal(number, 3)


def parameter_table(*parameters: Parameter) -> dict[str, Parameter]:
    """Parameters by name, in the order given (the order links write them in)."""
    return {parameter.name: parameter for parameter in parameters}


def _years(age, _search, _names) -> str:
    return f"Возраст: {russian.count(age, 'год', 'года', 'лет')}"


def _ovz(code, _search, _names) -> str:
    return ANY_OVZ_LABEL if code == ANY_OVZ else f"ОВЗ: {OVZ_CATEGORIES.label(code)}"


def _near(_point, search, names) -> str:
    radius = f" в радиусе {russian.decimal(search.radius_km, 1)} км" if search.radius_km else ""
    return (f"Рядом: {names['near']}" if names.get("near") else "Рядом с выбранной точкой") + radius


def _label(vocabulary: Vocabulary):
    return lambda code, _search, _names: vocabulary.label(code)


ANY_OVZ_LABEL = "Любая адаптация для детей с ОВЗ"

PARAMETERS = parameter_table(
    Parameter("q", "text", "Что ищем", "Текст запроса на русском: формы слов, опечатки, неверная раскладка.",
              max_length=MAX_QUERY_LENGTH, default=""),
    Parameter("exact", "flag", "Искать именно набранные слова",
              "Не исправлять опечатки и раскладку клавиатуры в q: искать слова так, как они набраны.",
              on_panel=False),
    Parameter("age", "integer", "Возраст ребёнка", "Возраст ребёнка: age_min ≤ age ≤ age_max.", minimum=0, maximum=18,
              chip=_years, narrows=True),
    Parameter("direction", "code", "Направленность", "Направленность (можно несколько).", vocabulary=DIRECTIONS,
              many=True, field="directions", chip=_label(DIRECTIONS), narrows=True),
    Parameter("profile", "text", "Профиль", "Профиль программы, например «Шахматы».", max_length=MAX_QUERY_LENGTH,
              chip=lambda profile, _search, _names: f"Профиль: {profile}", narrows=True, on_panel=False),
    Parameter("enrollment", "code", "Как можно записаться", "Способ зачисления (можно несколько).",
              vocabulary=ENROLLMENT_KINDS, many=True, field="enrollments", chip=_label(ENROLLMENT_KINDS), narrows=True),
    Parameter("price_max", "integer", "Стоимость в месяц, не больше, ₽",
              "Цена в рублях в месяц не выше; бесплатные и по сертификату проходят всегда.",
              minimum=0, maximum=MAX_INTEGER, narrows=True,
              chip=lambda price, _search, _names: f"Не дороже {russian.rubles(price)} в месяц"),
    Parameter("municipality", "integer", "Муниципалитет", "Код муниципалитета (см. /municipalities).",
              minimum=1, maximum=MAX_INTEGER, narrows=True, clears=(("district", None),),
              chip=lambda _id, _search, names: names.get("municipality") or "Муниципалитет"),
    Parameter("district", "integer", "Район или населённый пункт",
              "Код района или населённого пункта (см. /municipalities).", minimum=1, maximum=MAX_INTEGER,
              narrows=True, chip=lambda _id, _search, names: names.get("district") or "Район"),
    Parameter("organization", "text", "Организация", "Код организации.", max_length=100, pattern=PUBLIC_ID,
              narrows=True, on_panel=False,
              chip=lambda code, _search, names: f"Организация: {names.get('organization') or code}"),
    Parameter("ovz", "code", "Адаптация для детей с ОВЗ", "Категория ОВЗ или any — любая адаптация.",
              vocabulary=OVZ_CATEGORIES, extra_codes=(ANY_OVZ,), chip=_ovz, narrows=True),
    Parameter("format", "code", "Формат занятий", "Формат (можно несколько).", vocabulary=FORMATS, many=True,
              field="formats", chip=_label(FORMATS), narrows=True),
    Parameter("free_seats", "flag", "Только где есть свободные места", "Только со свободными местами.",
              chip=lambda _yes, _search, _names: "Есть свободные места", narrows=True),
    Parameter("near", "point", "Точка на карте",
              "Точка «широта,долгота» в градусах; в ответе появляется distance_km, ближайшие — первыми.",
              chip=_near, clears=(("place", None), ("radius_km", None), ("sort", "distance"))),
    Parameter("place", "text", "Адрес или населённый пункт",
              "Адрес или населённый пункт вместо near (как в /places); ближайшие — первыми. "
              "Ненайденное место — ошибка 404, как в /places.", max_length=MAX_QUERY_LENGTH,
              clears=(("near", None), ("radius_km", None), ("sort", "distance"))),
    Parameter("radius_km", "number", "Радиус поиска, км",
              "Радиус от точки near или place, км; без точки не действует.",
              minimum=0, exclusive_minimum=True, maximum=MAX_RADIUS_KM, clamp=True, narrows=True),
    Parameter("sort", "code", "Сначала показывать",
              "Порядок: distance (по умолчанию с near или place), relevance (по умолчанию с q), title, age, price, "
              "rating, updated; distance без точки — порядок по умолчанию.",
              extra_codes=SORTS),
    Parameter("page", "integer", "Номер страницы", "Номер страницы; за последней — пустая страница.",
              minimum=1, maximum=MAX_INTEGER, clamp=True, default=1),
    Parameter("per_page", "integer", "Программ на странице", "Программ на странице.",
              minimum=1, maximum=MAX_PER_PAGE, clamp=True, default=DEFAULT_PER_PAGE, on_panel=False),
)
#: What a search measures from: a point, a typed place, the radius around either.
POINT_PARAMETERS = ("near", "place", "radius_km")
