"""A program as the text of a CSV row: what forms show, revisions store and the history compares.

Keeping one textual form (the columns of data/programs.csv, vocabulary values as Russian labels)
means a provider's form, an uploaded row and a stored revision all go through validate_record the
same way, and a history entry reads «Свободных мест: 4 → 2» without any decoding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from navigator.catalogue.models import Organization, Program, Venue
from navigator.catalogue.validation import COLUMNS, LIST_SEPARATOR, ProgramRecord
from navigator.catalogue.vocab import (
    DIRECTIONS,
    ENROLLMENT_KINDS,
    FORMATS,
    NO_OVZ_LABEL,
    ORGANIZATION_TYPES,
    OVZ_CATEGORIES,
)

FIELD_LABELS = {
    "program_id": "Код программы", "title": "Название", "description": "Описание", "direction": "Направленность",
    "profile": "Профиль", "age_min": "Возраст от", "age_max": "Возраст до", "enrollment": "Зачисление",
    "price_rub": "Цена, ₽ в месяц", "seats_total": "Всего мест", "seats_free": "Свободных мест",
    "ovz": "Адаптация для детей с ОВЗ", "format": "Формат", "schedule": "Расписание",
    "duration": "Продолжительность", "teacher": "Педагог", "rating": "Рейтинг", "rating_count": "Число оценок",
    "organization_id": "Код организации", "organization": "Организация", "organization_type": "Тип организации",
    "municipality": "Муниципалитет", "district": "Район или населённый пункт", "address": "Адрес",
    "lat": "Широта", "lon": "Долгота", "phone": "Телефон", "email": "Эл. почта", "website": "Сайт",
    "program_url": "Ссылка на программу", "updated": "Дата обновления", "status": "Состояние",
}
ORGANIZATION_COLUMNS = ("organization_id", "organization", "organization_type", "phone", "email", "website")


def _text(value) -> str:
    return "" if value is None else str(value)


def _joined(labels: list[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(labels)


def organization_fields(organization: Organization) -> dict[str, str]:
    """The organization's columns as the database has them (providers do not change them through programs)."""
    return {"organization_id": organization.public_id, "organization": organization.name,
            "organization_type": ORGANIZATION_TYPES.label(organization.type) if organization.type else "",
            "phone": _text(organization.phone), "email": _text(organization.email),
            "website": _text(organization.website)}


def venue_fields(venue: Venue) -> dict[str, str]:
    """The venue's columns; the point only when someone placed it by hand (a geocoded one is kept anyway)."""
    by_hand = venue.point_source == "provider" and venue.lat is not None
    return {"address": venue.address, "municipality": venue.municipality.name,
            "district": venue.district.name if venue.district else "",
            "lat": _text(venue.lat) if by_hand else "", "lon": _text(venue.lon) if by_hand else ""}


def program_row(program: Program) -> dict[str, str]:
    """Every column of the program's CSV row, as text."""
    row = {
        "program_id": program.public_id, "title": program.title, "description": program.description,
        "direction": DIRECTIONS.label(program.direction), "profile": _text(program.profile),
        "age_min": str(program.age_min), "age_max": str(program.age_max),
        "enrollment": _joined([ENROLLMENT_KINDS.label(code) for code in program.enrollment_kinds]),
        "price_rub": _text(program.price_rub), "seats_total": _text(program.seats_total),
        "seats_free": _text(program.seats_free),
        "ovz": _joined([OVZ_CATEGORIES.label(code) for code in program.ovz_categories]) or NO_OVZ_LABEL,
        "format": FORMATS.label(program.format), "schedule": _text(program.schedule),
        "duration": _text(program.duration), "teacher": _text(program.teacher), "rating": _text(program.rating),
        "rating_count": _text(program.rating_count), "program_url": _text(program.program_url),
        "updated": program.source_updated.isoformat() if program.source_updated else "",
    }
    row.update(organization_fields(program.organization))
    row.update(venue_fields(program.venue))
    return {column: row[column] for column in COLUMNS}


def record_row(record: ProgramRecord) -> dict[str, str]:
    """A validated record back as the text of its row (labels for codes), e.g. to keep an uploaded row."""
    vocabularies = {"direction": DIRECTIONS, "format": FORMATS, "organization_type": ORGANIZATION_TYPES}
    row = {}
    for column in COLUMNS:
        value = getattr(record, column)
        if column in vocabularies:
            row[column] = vocabularies[column].label(value) if value else ""
        elif isinstance(value, dt.date):
            row[column] = value.isoformat()
        else:
            row[column] = _text(value)
    row["enrollment"] = _joined([ENROLLMENT_KINDS.label(code) for code in record.enrollment])
    row["ovz"] = _joined([OVZ_CATEGORIES.label(code) for code in record.ovz]) or NO_OVZ_LABEL
    return row


def blank_row(organization: Organization) -> dict[str, str]:
    """The row a new program starts from: its organization's columns, defaults for the rest."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(organization_fields(organization), ovz=NO_OVZ_LABEL, format=FORMATS.label("in_person"))
    return row


def differences(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    """{column: [before, after]} for every column whose text differs."""
    columns = [column for column in (*COLUMNS, "status") if column in before or column in after]
    return {column: [before.get(column, ""), after.get(column, "")] for column in columns
            if before.get(column, "") != after.get(column, "")}
