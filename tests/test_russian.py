"""Russian numbers, ages, places, prices and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from navigator.catalogue import russian

NBSP = "\u00a0"


@pytest.mark.parametrize(("number", "expected"), [
    (0, "программ"), (1, "программа"), (2, "программы"), (4, "программы"), (5, "программ"), (11, "программ"),
    (12, "программ"), (14, "программ"), (21, "программа"), (22, "программы"), (111, "программ"), (128, "программ"),
])
def test_plural_agrees_with_the_number(number, expected):
    assert russian.plural(number, "программа", "программы", "программ") == expected


def test_found_agrees_in_verb_and_noun():
    assert russian.found(128) == f"Найдено 128{NBSP}программ"
    assert russian.found(1) == f"Найдена 1{NBSP}программа"
    assert russian.found(3) == f"Найдены 3{NBSP}программы"
    assert russian.found(12500) == f"Найдено 12\u202f500{NBSP}программ"


@pytest.mark.parametrize(("ages", "expected"), [
    ((6, 7), f"6–7{NBSP}лет"), ((5, 5), f"5{NBSP}лет"), ((3, 4), f"3–4{NBSP}года"), ((0, 1), f"0–1{NBSP}год"),
])
def test_ages(ages, expected):
    assert russian.ages(*ages) == expected


@pytest.mark.parametrize(("free", "expected"), [
    (None, ""), (0, "Нет мест"), (1, f"1{NBSP}место"), (4, f"4{NBSP}места"), (9, f"9{NBSP}мест"),
    (10, f"10+{NBSP}мест"), (250, f"10+{NBSP}мест"),
])
def test_free_places_as_the_regional_navigators_show_them(free, expected):
    assert russian.seats(free) == expected


def test_prices_decimals_distances_and_dates():
    assert russian.rubles(2500) == f"2\u202f500{NBSP}₽"
    assert (russian.decimal(4.75), russian.decimal(4.5), russian.decimal(5.0)) == ("4,75", "4,5", "5")
    assert russian.distance(0.004) == f"10{NBSP}м"
    assert russian.distance(0.846) == f"850{NBSP}м"
    assert russian.distance(1.24) == f"1,2{NBSP}км"
    assert russian.distance(14.4) == f"14{NBSP}км"
    assert russian.date(dt.date(2026, 9, 1)) == f"1{NBSP}сентября 2026"


@pytest.mark.parametrize("schedule, days", [("Пн, Ср, Пт 17:00–18:30", "Пн, Ср, Пт"), ("Сб 10:00–10:30", "Сб"),
                                            ("Пн–Чт 9:00", "Пн, Вт, Ср, Чт"), ("по договорённости", ""), (None, "")])
def test_weekdays_of_a_schedule(schedule, days):
    assert russian.weekdays(schedule) == days


@pytest.mark.parametrize("name, kind, written", [
    ("Абагур", "пос", "пос. Абагур"), ("Кемерово", "г", "г. Кемерово"), ("Яя", "пгт", "пгт Яя"),
    ("Лесная Поляна", "ж/р", "жилой район Лесная Поляна"), ("Центральный", russian.CITY_DISTRICT, "Центральный район"),
    ("Пионер", russian.CITY_DISTRICT, "район Пионер"),
])
def test_settlements_are_written_with_their_kind_first(name, kind, written):
    assert russian.settlement(name, kind) == written


@pytest.mark.parametrize("text, written", [
    ("Шахматы", "«Шахматы»"), ("Изостудия «Радуга»", "«Изостудия „Радуга“»"),
    ('Ансамбль "Ёлочка"', "«Ансамбль „Ёлочка“»"), ("«Радуга»", "«„Радуга“»"),
])
def test_quotes_inside_quotes_are_lapki(text, written):
    assert russian.quoted(text) == written


@pytest.mark.parametrize("name, written", [
    ("ГАУ ДО «Детский технопарк «Кванториум-42»»", "ГАУ ДО «Детский технопарк „Кванториум-42“»"),
    ("МБУ ДО «Дом творчества»", "МБУ ДО «Дом творчества»"), ("«А» и «Б»", "«А» и «Б»"), ("без кавычек", "без кавычек"),
    ("«незакрытая", "«незакрытая"),
])
def test_names_that_nest_quotes_are_written_with_lapki_inside(name, written):
    assert russian.nested_quotes(name) == written
