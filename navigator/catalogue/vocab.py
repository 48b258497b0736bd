"""Controlled vocabularies: the codes stored in the database and the Russian labels shown and imported.

Every vocabulary accepts its codes and its labels, case- and ё/е-insensitively, so a CSV written
by hand («физкультурно-спортивная») and one exported by a machine («sport») mean the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def fold(text: str) -> str:
    """Fold text for comparison: trim, collapse spaces, lower case, ё → е."""
    return re.sub(r"\s+", " ", text.strip()).casefold().replace("ё", "е")


@dataclass(frozen=True)
class Term:
    code: str
    label: str


class Vocabulary:
    """A closed list of terms, looked up by code or by label."""

    def __init__(self, name: str, terms: list[Term]):
        self.name = name
        self.terms = tuple(terms)
        self._by_key = {}
        for term in self.terms:
            self._by_key[fold(term.code)] = term
            self._by_key[fold(term.label)] = term

    def __iter__(self):
        return iter(self.terms)

    def __contains__(self, code: str) -> bool:
        return any(term.code == code for term in self.terms)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(term.code for term in self.terms)

    def lookup(self, text: str) -> Term | None:
        """The term whose code or label matches text, or None."""
        return self._by_key.get(fold(text))

    def label(self, code: str) -> str:
        """The Russian label of a code (the code itself if unknown, so a page never breaks)."""
        for term in self.terms:
            if term.code == code:
                return term.label
        return code


DIRECTIONS = Vocabulary("direction", [
    Term("technical", "Техническая"),
    Term("science", "Естественнонаучная"),
    Term("sport", "Физкультурно-спортивная"),
    Term("art", "Художественная"),
    Term("tourism", "Туристско-краеведческая"),
    Term("social", "Социально-гуманитарная"),
])

ENROLLMENT_KINDS = Vocabulary("enrollment", [
    Term("free", "Бесплатно"),
    Term("paid", "Платно"),
    Term("certificate", "Сертификат"),
])

OVZ_CATEGORIES = Vocabulary("ovz", [
    Term("hearing", "Нарушения слуха"),
    Term("vision", "Нарушения зрения"),
    Term("musculoskeletal", "Нарушения опорно-двигательного аппарата"),
    Term("speech", "Тяжёлые нарушения речи"),
    Term("mental_delay", "Задержка психического развития"),
    Term("autism", "Расстройства аутистического спектра"),
    Term("intellectual", "Интеллектуальные нарушения"),
])

#: The value of the ovz column that means «no adaptation»; it is not a category.
NO_OVZ_LABEL = "Без ОВЗ"

FORMATS = Vocabulary("format", [
    Term("in_person", "Очно"),
    Term("online", "Дистанционно"),
    Term("blended", "Смешанно"),
])

DEFAULT_FORMAT = "in_person"

ORGANIZATION_TYPES = Vocabulary("organization_type", [
    Term("school", "Школа"),
    Term("kindergarten", "Детский сад"),
    Term("supplementary", "Организация дополнительного образования"),
    Term("sport_school", "Спортивная школа"),
    Term("culture", "Учреждение культуры"),
    Term("college", "Колледж или вуз"),
    Term("ngo", "НКО"),
    Term("private", "Частная организация или ИП"),
])

PROGRAM_STATUSES = Vocabulary("status", [
    Term("active", "Действует"),
    Term("archived", "В архиве"),
])

#: Where a venue's point came from, and how exact it is (the geocoding chain fills these in).
POINT_SOURCES = Vocabulary("point_source", [
    Term("provider", "Указано организацией"),
    Term("nominatim", "Геокодер Nominatim"),
    Term("gazetteer", "Справочник населённых пунктов"),
    Term("manual", "Уточнено вручную"),
])

POINT_PRECISIONS = Vocabulary("point_precision", [
    Term("building", "Здание"),
    Term("street", "Улица"),
    Term("settlement", "Населённый пункт"),
    Term("municipality", "Муниципалитет"),
    Term("none", "Не определено"),
])

ALL = (DIRECTIONS, ENROLLMENT_KINDS, OVZ_CATEGORIES, FORMATS, ORGANIZATION_TYPES,
       PROGRAM_STATUSES, POINT_SOURCES, POINT_PRECISIONS)
