"""Every validation rule has a passing and a failing case."""

from __future__ import annotations

import pytest

from navigator.catalogue.validation import COLUMNS, validate_record
from tests.factories import make_row


def errors_of(**overrides) -> list[tuple[str, str]]:
    record, errors = validate_record(make_row(1, **overrides))
    assert (record is None) == bool(errors)
    return [(error.column, error.message) for error in errors]


def test_a_complete_row_is_valid():
    record, errors = validate_record(make_row(1))
    assert errors == [] and record.age_min == 7 and record.rating == 4.75 and record.lat == 55.3549


def test_columns_follow_the_data_description():
    assert COLUMNS[:3] == ("program_id", "title", "description") and len(COLUMNS) == 31


@pytest.mark.parametrize("column", ["program_id", "title", "description", "direction", "age_min", "age_max",
                                    "enrollment", "organization_id", "organization", "municipality", "address"])
def test_required_columns(column):
    assert (column, "обязательное поле не заполнено") in errors_of(**{column: "  "})


@pytest.mark.parametrize("overrides, column, fragment", [
    (dict(program_id="p 1"), "program_id", "латинские буквы"),
    (dict(title="Ш" * 201), "title", "длиннее 200"),
    (dict(direction="Кулинарная"), "direction", "неизвестное значение"),
    (dict(age_min="-1"), "age_min", "от 0 до 18"),
    (dict(age_max="19"), "age_max", "от 0 до 18"),
    (dict(age_min="7.5"), "age_min", "целым числом"),
    (dict(age_min="12", age_max="7"), "age_max", "меньше age_min"),
    (dict(enrollment="Бесплатно; Льготно"), "enrollment", "неизвестный способ зачисления «Льготно»"),
    (dict(enrollment=";"), "enrollment", "хотя бы один"),
    (dict(enrollment="Платно", price_rub=""), "price_rub", "укажите цену"),
    (dict(price_rub="-5"), "price_rub", "от 0 до 1000000"),
    (dict(price_rub="1" + "0" * 25), "price_rub", "от 0 до 1000000"),  # the probe's 10^25: no overflow later
    (dict(seats_total="1" + "0" * 25), "seats_total", "от 0 до 100000"),
    (dict(rating_count="9" * 5000), "rating_count", "целым числом"),  # not int()'s 4,300-digit ValueError
    (dict(title="Шахматы \u202eдрайв"), "title", "смену направления"),  # right-to-left override
    (dict(teacher="Иванов\u2066"), "teacher", "управляющие символы"),
    (dict(schedule="пн\x00"), "schedule", "управляющие символы"),  # NUL: PostgreSQL text refuses it
    (dict(description="д" * 10_001), "description", "длиннее 10000"),
    (dict(seats_total="5", seats_free="6"), "seats_free", "больше, чем всего"),
    (dict(seats_total="", seats_free="6"), "seats_total", "не указано, сколько всего"),
    (dict(ovz="Без ОВЗ; Нарушения слуха"), "ovz", "нельзя сочетать"),
    (dict(ovz="Нарушения вкуса"), "ovz", "неизвестная категория ОВЗ"),
    (dict(format="Заочно"), "format", "неизвестное значение"),
    (dict(rating="5.5"), "rating", "от 0 до 5"),
    (dict(rating="4.755"), "rating", "двух знаков"),
    (dict(rating="", rating_count="3"), "rating", "не указан рейтинг"),
    (dict(rating="отлично"), "rating", "числом"),
    (dict(organization_type="Завод"), "organization_type", "неизвестное значение"),
    (dict(lat="91"), "lat", "широта"),
    (dict(lon="181"), "lon", "долгота"),
    (dict(lon=""), "lon", "парой"),
    (dict(email="school.example.org"), "email", "электронной почты"),
    (dict(website="school1.example.org"), "website", "http"),
    (dict(program_url="ftp://x"), "program_url", "http"),
    (dict(updated="01.09.2026"), "updated", "ГГГГ-ММ-ДД"),
])
def test_each_rule_rejects_a_bad_value(overrides, column, fragment):
    problems = errors_of(**overrides)
    assert any(name == column and fragment in message for name, message in problems), problems


@pytest.mark.parametrize("overrides", [
    dict(enrollment="Бесплатно;Сертификат", price_rub=""),
    dict(enrollment="ПЛАТНО", price_rub="0"),
    dict(seats_total="", seats_free=""),
    dict(rating="", rating_count=""),
    dict(lat="", lon=""),
    dict(lat="55,35", lon="86,08"),
    dict(ovz="", format="", profile="", district=""),
    dict(ovz="нарушения зрения;Тяжелые нарушения речи"),
])
def test_acceptable_variants(overrides):
    assert errors_of(**overrides) == []


def test_defaults_for_optional_lists():
    record, _ = validate_record(make_row(1, ovz="", format=""))
    assert record.ovz == () and record.format == "in_person"


def test_the_error_line_shows_the_value():
    _, errors = validate_record(make_row(1, age_min="abc"))
    assert errors[0].describe() == "column age_min: должно быть целым числом от 0 до 18 (got 'abc')"
