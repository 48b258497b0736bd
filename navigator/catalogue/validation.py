"""Validate one program record — the rules shared by the importer, the provider forms and the API.

`validate_record` takes raw text fields (a CSV row, a form, a JSON body) and returns a typed
ProgramRecord or the list of every problem found, each naming its column, so that the caller can
report them all at once. Messages are in Russian because providers read them on the site too.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from navigator.catalogue.vocab import (
    DEFAULT_FORMAT,
    DIRECTIONS,
    ENROLLMENT_KINDS,
    FORMATS,
    NO_OVZ_LABEL,
    ORGANIZATION_TYPES,
    OVZ_CATEGORIES,
    Vocabulary,
    fold,
)

LIST_SEPARATOR = ";"
MAX_AGE = 18


@dataclass(frozen=True)
class FieldError:
    column: str
    message: str
    value: str = ""

    def describe(self) -> str:
        """«column NAME: message (got 'VALUE')», the tail of every importer error line."""
        got = f" (got '{self.value}')" if self.value else ""
        return f"column {self.column}: {self.message}{got}"


@dataclass(frozen=True, slots=True)
class ProgramRecord:
    """A validated program row: codes instead of labels, numbers instead of text.

    Slots, not a __dict__: an import holds every record of the file until it is applied (about 1.3 KB
    less a record, 130 MB less for 100,000 rows).
    """

    program_id: str
    title: str
    description: str
    direction: str
    profile: str | None
    age_min: int
    age_max: int
    enrollment: tuple[str, ...]
    price_rub: int | None
    seats_total: int | None
    seats_free: int | None
    ovz: tuple[str, ...]
    format: str
    schedule: str | None
    duration: str | None
    teacher: str | None
    rating: float | None
    rating_count: int | None
    organization_id: str
    organization: str
    organization_type: str | None
    municipality: str
    district: str | None
    address: str
    lat: float | None
    lon: float | None
    phone: str | None
    email: str | None
    website: str | None
    program_url: str | None
    updated: dt.date | None


#: The columns of data/programs.csv, in order (see docs/data.md).
COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ProgramRecord))
REQUIRED: frozenset[str] = frozenset({
    "program_id", "title", "description", "direction", "age_min", "age_max", "enrollment",
    "organization_id", "organization", "municipality", "address",
})
MAX_LENGTH = {"description": 10_000,
              "program_id": 64, "organization_id": 64, "title": 200, "profile": 200, "organization": 500,
              "municipality": 200, "district": 200, "address": 500, "schedule": 500, "duration": 200,
              "teacher": 300, "phone": 100, "email": 200, "website": 500, "program_url": 500}
INTEGER_PATTERN = re.compile(r"[+-]?\d{1,12}")  # longer is out of range anyway
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
#: A bare e-mail address, the only form a recipient header may be given: a local part of letters, digits and
#: . ! # $ % & ' * + / = ? ^ _ ` { | } ~ - (no quotes, angle brackets, commas or spaces), an @, and a domain of
#: two or more labels (Cyrillic ones too: школа.рф). A display name («"x"<victim@evil.example>», which the
#: mail library would send to the address inside) or a list of addresses does not match.
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
EMAIL_PATTERN = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+\Z")
URL_PATTERN = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: Upper bounds of the counts: far above any real program, far below what the database's integers hold.
MAX_PRICE_RUB, MAX_SEATS, MAX_RATING_COUNT = 1_000_000, 100_000, 10_000_000
#: Control characters (tab and line breaks aside) and the bidirectional controls that can make text read
#: differently from what it is (e.g. a right-to-left override disguising a change in the moderation diff).
HIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Invalid(ValueError):
    """A field's value is wrong; the message says why in words a provider understands."""


def _integer(low: int, high: int) -> Callable[[str], int]:
    bounds = f"от {low} до {high}"

    def parse(text: str) -> int:
        if not INTEGER_PATTERN.fullmatch(text):
            raise Invalid(f"должно быть целым числом {bounds}")
        value = int(text)
        if not low <= value <= high:
            raise Invalid(f"должно быть целым числом {bounds}")
        return value

    return parse


def _decimal_number(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise Invalid("должно быть числом") from None
    if not value.is_finite():
        raise Invalid("должно быть числом")
    return value


def _rubles(text: str) -> int:
    """Whole rubles; «1 200», «350,00» and «350.50» (spreadsheets' money cells) are read too, kopecks rounded."""
    value = _decimal_number(text.replace(" ", "").replace("\u00a0", ""))
    if not 0 <= value <= MAX_PRICE_RUB:
        raise Invalid(f"цена — число рублей от 0 до {MAX_PRICE_RUB}")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _coordinate(limit: int, name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = _decimal_number(text)
        if not -limit <= value <= limit:
            raise Invalid(f"{name} — число от −{limit} до {limit} в градусах WGS 84")
        return float(value)

    return parse


def _rating(text: str) -> float:
    value = _decimal_number(text)
    exponent = value.as_tuple().exponent  # an int: only finite numbers get here («n», «N», «F» are NaN and infinity)
    if not 0 <= value <= 5 or (isinstance(exponent, int) and exponent < -2):
        raise Invalid("рейтинг — число от 0 до 5, не больше двух знаков после запятой")
    return float(value)


Parsed = TypeVar("Parsed")


def _remembered(parse: Callable[[str], Parsed]) -> Callable[[str], Parsed]:
    """Remember the answers of a parser of vocabulary values: a large file repeats a handful of them."""
    return functools.lru_cache(maxsize=1024)(parse)


def _choice(vocabulary: Vocabulary) -> Callable[[str], str]:
    allowed = ", ".join(term.label for term in vocabulary)

    @_remembered
    def parse(text: str) -> str:
        term = vocabulary.lookup(text)
        if term is None:
            raise Invalid(f"неизвестное значение; допустимо: {allowed}")
        return term.code

    return parse


def _split_list(text: str) -> list[str]:
    return [part for part in (piece.strip() for piece in text.split(LIST_SEPARATOR)) if part]


@_remembered
def _enrollment(text: str) -> tuple[str, ...]:
    codes = set()
    for part in _split_list(text):
        term = ENROLLMENT_KINDS.lookup(part)
        if term is None:
            raise Invalid(f"неизвестный способ зачисления «{part}»; допустимо: Бесплатно; Платно; Сертификат")
        codes.add(term.code)
    if not codes:
        raise Invalid("укажите хотя бы один способ зачисления: Бесплатно; Платно; Сертификат")
    return tuple(code for code in ENROLLMENT_KINDS.codes if code in codes)


@_remembered
def _ovz(text: str) -> tuple[str, ...]:
    parts = _split_list(text)
    if [fold(part) for part in parts] == [fold(NO_OVZ_LABEL)]:
        return ()
    codes = set()
    for part in parts:
        if fold(part) == fold(NO_OVZ_LABEL):
            raise Invalid(f"«{NO_OVZ_LABEL}» нельзя сочетать с категориями ОВЗ")
        term = OVZ_CATEGORIES.lookup(part)
        if term is None:
            raise Invalid(f"неизвестная категория ОВЗ «{part}»")
        codes.add(term.code)
    return tuple(code for code in OVZ_CATEGORIES.codes if code in codes)


def _public_id(text: str) -> str:
    if not ID_PATTERN.match(text):
        raise Invalid("допустимы латинские буквы, цифры, точка, дефис и подчёркивание")
    return text


def _email(text: str) -> str:
    if not EMAIL_PATTERN.match(text):
        raise Invalid("не похоже на адрес электронной почты")
    return text


def _url(text: str) -> str:
    if not URL_PATTERN.match(text):
        raise Invalid("ссылка должна начинаться с http:// или https://")
    return text


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("дата в формате ГГГГ-ММ-ДД") from None


# How each non-text column is parsed; a missing entry means plain text.
PARSERS: dict[str, Callable[[str], object]] = {
    "program_id": _public_id,
    "organization_id": _public_id,
    "direction": _choice(DIRECTIONS),
    "age_min": _integer(0, MAX_AGE),
    "age_max": _integer(0, MAX_AGE),
    "enrollment": _enrollment,
    "price_rub": _rubles,
    "seats_total": _integer(0, MAX_SEATS),
    "seats_free": _integer(0, MAX_SEATS),
    "ovz": _ovz,
    "format": _choice(FORMATS),
    "rating": _rating,
    "rating_count": _integer(0, MAX_RATING_COUNT),
    "organization_type": _choice(ORGANIZATION_TYPES),
    "lat": _coordinate(90, "широта"),
    "lon": _coordinate(180, "долгота"),
    "email": _email,
    "website": _url,
    "program_url": _url,
    "updated": _date,
}
DEFAULTS: dict[str, object] = {"ovz": (), "format": DEFAULT_FORMAT, "enrollment": ()}


def validate_record(raw: Mapping[str, str | None]) -> tuple[ProgramRecord | None, list[FieldError]]:
    """Check every field of raw; return the record, or None and every error found."""
    values: dict[str, Any] = {}  # the parsers' values, of each column's own type
    errors: list[FieldError] = []
    for column in COLUMNS:
        text = (raw.get(column) or "").strip()
        if not text:
            if column in REQUIRED:
                errors.append(FieldError(column, "обязательное поле не заполнено"))
            values[column] = DEFAULTS.get(column)
            continue
        limit = MAX_LENGTH.get(column)
        if HIDDEN_CHARACTERS.search(text):
            errors.append(FieldError(column, "содержит невидимые управляющие символы (например, смену направления "
                                             "текста); удалите их", HIDDEN_CHARACTERS.sub("�", text[:40])))
            continue
        if limit and len(text) > limit:
            errors.append(FieldError(column, f"длиннее {limit} символов", text[:40] + "…"))
            continue
        parser = PARSERS.get(column)
        try:
            values[column] = parser(text) if parser else text
        except Invalid as problem:
            errors.append(FieldError(column, str(problem), text))
    errors.extend(_cross_field_errors(values))
    if errors:
        return None, errors
    return ProgramRecord(**values), []


def _cross_field_errors(values: dict[str, Any]) -> list[FieldError]:
    """Rules that tie fields together; each is checked only when its fields parsed."""
    errors = []

    def given(column: str) -> bool:
        return values.get(column) is not None

    if given("age_min") and given("age_max") and values["age_min"] > values["age_max"]:
        errors.append(FieldError("age_max", "меньше age_min", str(values["age_max"])))
    if "paid" in (values.get("enrollment") or ()) and not given("price_rub") and "price_rub" in values:
        errors.append(FieldError("price_rub", "для «Платно» укажите цену в рублях в месяц"))
    if given("seats_free") and not given("seats_total") and "seats_total" in values:
        errors.append(FieldError("seats_total", "указаны свободные места, но не указано, сколько всего"))
    if given("seats_free") and given("seats_total") and values["seats_free"] > values["seats_total"]:
        errors.append(FieldError("seats_free", "свободных мест больше, чем всего", str(values["seats_free"])))
    if given("lat") != given("lon") and "lat" in values and "lon" in values:
        missing = "lon" if given("lat") else "lat"
        errors.append(FieldError(missing, "координаты указываются парой: широта и долгота"))
    if given("rating_count") and not given("rating") and "rating" in values:
        errors.append(FieldError("rating", "указано число оценок, но не указан рейтинг"))
    return errors
