"""Numbers, ages, places, prices and dates written the way a Russian page writes them."""

from __future__ import annotations

import datetime as dt
import re

MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря")
NBSP, NARROW_NBSP = "\u00a0", "\u202f"
MANY_SEATS = 10


def plural(number: int, one: str, few: str, many: str) -> str:
    """The noun form that agrees with number: 1 программа, 2 программы, 5 программ, 21 программа."""
    number = abs(number)
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def count(number: int, one: str, few: str, many: str) -> str:
    """A number with its agreeing noun: «4 места»."""
    return f"{group_digits(number)}{NBSP}{plural(number, one, few, many)}"


def group_digits(number: int) -> str:
    """12 500 with a narrow no-break space between thousands, as Russian typography does."""
    return f"{number:,}".replace(",", NARROW_NBSP)


def found(total: int) -> str:
    """«Найдено 128 программ», «Найдена 1 программа», «Найдены 3 программы»."""
    verb = plural(total, "Найдена", "Найдены", "Найдено")
    return f"{verb} {count(total, 'программа', 'программы', 'программ')}"


def ages(age_min: int, age_max: int) -> str:
    """«6–7 лет», «5 лет», «3–4 года»: the noun agrees with the last number."""
    numbers = str(age_min) if age_min == age_max else f"{age_min}–{age_max}"
    return f"{numbers}{NBSP}{plural(age_max, 'год', 'года', 'лет')}"


def seats(seats_free: int | None) -> str:
    """Free places as the regional navigators show them: «10+ мест», «4 места», «Нет мест»; '' if unknown."""
    if seats_free is None:
        return ""
    if seats_free == 0:
        return "Нет мест"
    if seats_free >= MANY_SEATS:
        return f"{MANY_SEATS}+{NBSP}мест"
    return count(seats_free, "место", "места", "мест")


def rubles(amount: int) -> str:
    return f"{group_digits(amount)}{NBSP}₽"


def decimal(value: float, places: int = 2) -> str:
    """4,75 — a decimal comma, trailing zeros dropped (4,5; 5)."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def distance(kilometres: float) -> str:
    """«850 м», «1,2 км», «14 км»."""
    if kilometres < 1:
        return f"{max(10, round(kilometres * 1000, -1)):.0f}{NBSP}м"
    if kilometres < 10:
        return f"{decimal(kilometres, 1)}{NBSP}км"
    return f"{kilometres:.0f}{NBSP}км"


def date(value: dt.date) -> str:
    """«1 сентября 2026»."""
    return f"{value.day}{NBSP}{MONTHS_GENITIVE[value.month - 1]} {value.year}"


#: Settlement kinds of the gazetteer (data/geo/settlements.csv) as a page writes them before the name.
_SETTLEMENT_KINDS = {"г": "г.", "пгт": "пгт", "рп": "рп", "пос": "пос.", "с": "с.", "д": "д.", "ж/р": "жилой район"}
CITY_DISTRICT = "район города"


def settlement(name: str, kind: str) -> str:
    """A settlement as people write it: «пос. Абагур», «пгт Яя», «Центральный район» (never «Абагур (пос)»)."""
    if kind == CITY_DISTRICT:
        return f"{name} район" if name.endswith(("ий", "ый", "ой")) else f"район {name}"
    written = _SETTLEMENT_KINDS.get(kind, kind)
    return f"{written} {name}".strip()


_STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')


def nested_quotes(text: str, depth: int = 0) -> str:
    """Quotes inside quotes as „лапки“: «Технопарк «Кванториум»» → «Технопарк „Кванториум“» (names in the data
    often nest «ёлочки»; `depth` is how many quotes are already open around the text)."""
    written = []
    for char in str(text):
        if char == "«":
            written.append("«" if depth == 0 else "„")
            depth += 1
        elif char == "»" and depth > 0:
            depth -= 1
            written.append("»" if depth == 0 else "“")
        else:
            written.append(char)
    return "".join(written)


def quoted(text: str) -> str:
    """«Изостудия „Радуга“»: a name in «ёлочки», its own quotes turned into „лапки“ (never «…«…»»)."""
    inner = _STRAIGHT_QUOTES.sub(r"«\1»", str(text))  # "…" as «…», then nested like any other
    return f"«{nested_quotes(inner, depth=1)}»"


_PRECISIONS = {"building": "точно по адресу", "street": "по улице", "settlement": "по населённому пункту",
               "municipality": "по центру муниципалитета"}


def precision(code: str) -> str:
    """How exactly a place was found, as the «near me» box says it: «по улице»."""
    return _PRECISIONS.get(code, "приблизительно")


_WEEKDAYS = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")
_WEEKDAY = re.compile(r"\b(Пн|Вт|Ср|Чт|Пт|Сб|Вс)\b(?:\s*[–-]\s*\b(Пн|Вт|Ср|Чт|Пт|Сб|Вс)\b)?")


def weekdays(schedule: str | None) -> str:
    """The days of a schedule as a card shows them («Пн, Ср, Пт»), or "" when it names none."""
    days: set[str] = set()
    for first, last in _WEEKDAY.findall(schedule or ""):
        start = _WEEKDAYS.index(first)
        end = _WEEKDAYS.index(last) if last else start
        days.update(_WEEKDAYS[start:end + 1])
    return ", ".join(day for day in _WEEKDAYS if day in days)
