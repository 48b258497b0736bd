"""Our vocabularies as Open Referral HSDS 3.0 taxonomies, and the stable ids of HSDS records.

HSDS 3.0 links a service, an organization or an address to a classification through an *attribute*
that points at a *taxonomy term* (and may carry a value). The Navigator publishes six taxonomies of
its own (docs/hsds.md documents them): directions, profiles, ОВЗ adaptation, organization types and
a taxonomy of program properties whose attributes carry a value (free seats, format, district …).
The export writes them and the HSDS reader recognises them again, so a package round-trips.

HSDS ids are UUIDs. Ours are the source system's codes («p100001»), so an HSDS id is a UUID made
from the code (uuid5); a code that already is a UUID (a program imported from HSDS) is kept as it is.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from navigator.catalogue.vocab import DIRECTIONS, ORGANIZATION_TYPES, OVZ_CATEGORIES, Vocabulary

#: The namespace of every id the Navigator makes for HSDS records (a fixed, random UUID: never change it).
NAMESPACE = uuid.UUID("6f1d3c52-5b0e-4b8e-9a51-3f2f8c1d7a40")


def record_id(kind: str, *keys: str) -> str:
    """A stable UUID for the record of `kind` identified by keys (e.g. an address by its location's id)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join((kind, *keys))))


def code_id(kind: str, code: str) -> str:
    """The HSDS id of a service or organization by our code: the code itself when it already is a UUID."""
    return code.lower() if is_uuid(code) else record_id(kind, code)


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


@dataclass(frozen=True)
class Taxonomy:
    key: str
    name: str
    description: str

    @functools.cached_property
    def id(self) -> str:
        return record_id("taxonomy", self.key)

    def term_id(self, code: str) -> str:
        return _term_id(self.key, code)


@functools.lru_cache(maxsize=4096)
def _term_id(taxonomy_key: str, code: str) -> str:
    """Term ids are asked for again and again (every service has several attributes): remember them."""
    return record_id("taxonomy_term", taxonomy_key, code)


DIRECTION = Taxonomy("navigator-direction", "Направленность",
                     "Направленности дополнительных общеразвивающих программ (официальный перечень).")
PROFILE = Taxonomy("navigator-profile", "Профиль", "Узкая тема программы: «Робототехника», «Шахматы» …")
OVZ = Taxonomy("navigator-ovz", "Адаптация для детей с ОВЗ",
               "Категории детей с ограниченными возможностями здоровья, для которых адаптирована программа.")
ORGANIZATION_TYPE = Taxonomy("navigator-organization-type", "Тип организации", "Вид организации.")
PROPERTY = Taxonomy("navigator-property", "Свойства программы",
                    "Свойства, значение которых передаётся в поле value атрибута.")
TAXONOMIES = (DIRECTION, PROFILE, OVZ, ORGANIZATION_TYPE, PROPERTY)
BY_KEY = {taxonomy.key: taxonomy for taxonomy in TAXONOMIES}
BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}

#: Terms of the property taxonomy: code → (name, what the attribute's value holds).
PROPERTIES = {
    "program_id": ("Код программы", "код программы в Навигаторе (program_id), чтобы повторный импорт её узнал"),
    "seats_total": ("Всего мест", "целое число"),
    "seats_free": ("Свободных мест", "целое число"),
    "format": ("Формат", "in_person, online или blended"),
    "duration": ("Продолжительность", "текст, например «9 месяцев, 144 часа»"),
    "rating": ("Рейтинг", "число от 0 до 5"),
    "rating_count": ("Число оценок", "целое число"),
    "district": ("Район или населённый пункт", "название; атрибут адреса"),
}
#: The properties a service's attributes carry, each a column of our rows (and a Program attribute but the first).
SERVICE_PROPERTIES = ("program_id", "seats_total", "seats_free", "format", "duration", "rating", "rating_count")
#: organization_identifiers of an organization: our code under this scheme and type.
IDENTIFIER_SCHEME, IDENTIFIER_TYPE = "navigator", "organization_id"

#: Taxonomies whose terms are a fixed vocabulary (profiles come from the data).
VOCABULARY_TAXONOMIES: tuple[tuple[Taxonomy, Vocabulary], ...] = (
    (DIRECTION, DIRECTIONS), (OVZ, OVZ_CATEGORIES), (ORGANIZATION_TYPE, ORGANIZATION_TYPES))


def fixed_terms() -> list[tuple[Taxonomy, str, str, str]]:
    """(taxonomy, code, name, description) of every term that does not depend on the data."""
    terms = [(taxonomy, term.code, term.label, term.label)
             for taxonomy, vocabulary in VOCABULARY_TAXONOMIES for term in vocabulary]
    terms += [(PROPERTY, code, name, f"{name}: {meaning}") for code, (name, meaning) in PROPERTIES.items()]
    return terms
