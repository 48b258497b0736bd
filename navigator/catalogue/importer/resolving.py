"""Rules across rows: one program per id, one organization and one venue described one way.

A file is one row per program with its organization's and venue's fields repeated, so real exports
disagree with themselves. Strict mode (`--strict`) refuses every disagreement, as the importer always
did. Otherwise each is resolved by a rule and reported as a warning with its line, column and both
values (docs/data.md):

- contacts (phone, e-mail, website): the organization keeps its most common value; a program whose
  row gives another keeps that one as its own contact;
- the organization's name and type, a venue's municipality, district and point: the most common
  value for that organization or address wins, ties going to the earliest line;
- an organization written two ways under two ids is one when the rows give the same ИНН, and is
  reported as a probable duplicate when its name, folded, matches another id's in the same municipality.

A program id given twice stays an error: which of the two rows is meant cannot be guessed.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from navigator.catalogue.importer.issues import RowError, warning
from navigator.catalogue.validation import ProgramRecord
from navigator.catalogue.vocab import fold

ORGANIZATION_FIELDS = ("organization", "organization_type")
CONTACT_FIELDS = ("phone", "email", "website")
VENUE_FIELDS = ("municipality", "district", "point")
Numbered = list[tuple[int, ProgramRecord]]
# Words of organization names written in full or as the usual abbreviation.
ABBREVIATIONS = {
    "муниципальное": "м", "бюджетное": "б", "автономное": "а", "казенное": "к", "государственное": "г",
    "общеобразовательное": "о", "образовательное": "о", "учреждение": "у", "дополнительного": "до",
    "образования": "", "дошкольное": "д",
}
QUOTES = re.compile(r"[«»\"'“”„`]")


@dataclass
class Resolution:
    records: Numbered
    contacts: dict[str, dict[str, str | None]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def resolve(records: Numbered, inns: dict[int, str], *, strict: bool) -> Resolution:
    """The records made consistent (or, strict, every disagreement as an error)."""
    records, errors = _unique_programs(records)
    if strict:
        return Resolution(records, errors=errors + strict_disagreements(records))
    result = Resolution(records, errors=errors)
    result.records = _merge_by_inn(result.records, inns, result.warnings)
    if not inns:
        result.warnings += _probable_duplicates(result.records)
    result.records = _resolve_organizations(result.records, result)
    result.records = _resolve_venues(result.records, result.warnings)
    return result


def _unique_programs(records: Numbered) -> tuple[Numbered, list[RowError]]:
    first: dict[str, int] = {}
    kept, errors = [], []
    for line, record in records:
        if record.program_id in first:
            errors.append(RowError(line, "program_id", f"the same id as line {first[record.program_id]}",
                                   record.program_id))
        else:
            first[record.program_id] = line
            kept.append((line, record))
    return kept, errors


def strict_disagreements(records: Numbered) -> list[RowError]:
    """Today's strict rule: every row of an organization or venue must repeat the first one exactly."""
    errors: list[RowError] = []
    seen_organization: dict[object, tuple[int, ProgramRecord]] = {}  # by organization_id
    seen_venue: dict[object, tuple[int, ProgramRecord]] = {}  # by (organization_id, address)
    for line, record in records:
        for seen, key, names, what in (
                (seen_organization, record.organization_id, (*ORGANIZATION_FIELDS, *CONTACT_FIELDS),
                 f"organization {record.organization_id}"),
                (seen_venue, (record.organization_id, record.address), ("municipality", "district", "lat", "lon"),
                 f"the address '{record.address}'")):
            first_line, first = seen.setdefault(key, (line, record))
            errors += [RowError(line, name, f"differs from line {first_line} for {what}",
                                str(getattr(record, name) or ""))
                       for name in names if getattr(record, name) != getattr(first, name)]
    return errors


def _merge_by_inn(records: Numbered, inns: dict[int, str], warnings: list[RowError]) -> Numbered:
    """Rows with one ИНН are one organization: the id of its first row."""
    first: dict[str, tuple[str, int]] = {}
    merged = []
    for line, record in records:
        inn = inns.get(line)
        if inn:
            organization_id, first_line = first.setdefault(inn, (record.organization_id, line))
            if organization_id != record.organization_id:
                warnings.append(warning(line, "organization_id", "одна организация по ИНН",
                                        f"тот же ИНН {inn}, что в строке {first_line}: объединена с "
                                        f"организацией {organization_id}", record.organization_id))
                record = dataclasses.replace(record, organization_id=organization_id)
        merged.append((line, record))
    return merged


def name_key(name: str) -> str:
    """An organization's name folded: no quotes, no «№», full words as their abbreviation letters."""
    words = QUOTES.sub(" ", fold(name).replace("№", " ")).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words).replace(" ", "")


def _probable_duplicates(records: Numbered) -> list[RowError]:
    by_key: dict[tuple[str, str], tuple[str, int]] = {}
    reported, warnings = set(), []
    for line, record in records:
        key = (name_key(record.organization), record.municipality)  # «СОШ № 3» is in many towns
        organization_id, first_line = by_key.setdefault(key, (record.organization_id, line))
        if organization_id != record.organization_id and record.organization_id not in reported:
            reported.add(record.organization_id)
            warnings.append(warning(line, "organization", "возможный дубликат организации",
                                    f"похоже на организацию {organization_id} (строка {first_line}); "
                                    "добавьте столбец inn (ИНН), чтобы объединить", record.organization))
    return warnings


def _most_common(values: list[tuple[int, Any]]) -> tuple[Any, int, int]:
    """The most frequent non-empty value, its count and first line; ties go to the earliest line.

    A value is a field's (a text, a number) or a venue's point, a (lat, lon) pair: Any, as the callers know which.
    """
    counts = Counter(value for _, value in values if value not in (None, ""))
    if not counts:
        return None, 0, values[0][0]
    value, count = counts.most_common(1)[0]
    return value, count, next(line for line, v in values if v == value)


def _groups(records: Numbered, key) -> dict:
    groups: dict = {}
    for index, (_, record) in enumerate(records):
        groups.setdefault(key(record), []).append(index)
    return groups


def _resolve_organizations(records: Numbered, result: Resolution) -> Numbered:
    records = list(records)
    for indices in _groups(records, lambda r: r.organization_id).values():
        if len(indices) == 1:
            continue
        chosen = {}
        for name in (*ORGANIZATION_FIELDS, *CONTACT_FIELDS):
            values = [(records[i][0], getattr(records[i][1], name)) for i in indices]
            if len({value for _, value in values}) > 1:  # the usual case, all alike, needs no count
                chosen[name] = _most_common(values)
        if not chosen:
            continue
        for i in indices:
            line, record = records[i]
            changes = {}
            for name, (value, count, first_line) in chosen.items():
                own = getattr(record, name)
                if own == value:
                    continue
                changes[name] = value
                if not own:
                    continue
                if name in CONTACT_FIELDS:
                    result.contacts.setdefault(record.program_id, dict.fromkeys(CONTACT_FIELDS))[name] = own
                    result.warnings.append(warning(line, name, "контакт программы", (
                        f"у организации {record.organization_id} чаще указан «{value}»: "
                        "этот контакт сохранён как контакт программы"), str(own)))
                else:
                    result.warnings.append(warning(line, name, "разные сведения об организации", (
                        f"для организации {record.organization_id} принято «{value}» (строк: {count}, "
                        f"впервые в строке {first_line})"), str(own)))
            if changes:
                records[i] = (line, dataclasses.replace(record, **changes))
    return records


def _venue_value(record: ProgramRecord, name: str) -> Any:
    return (record.lat, record.lon) if name == "point" else getattr(record, name)


def _resolve_venues(records: Numbered, warnings: list[RowError]) -> Numbered:
    records = list(records)
    for (_, address), indices in _groups(records, lambda r: (r.organization_id, r.address)).items():
        if len(indices) == 1:
            continue
        for name in VENUE_FIELDS:
            values = [(records[i][0], _venue_value(records[i][1], name)) for i in indices]
            if len({value for _, value in values}) == 1:
                continue
            value, count, first_line = _most_common(values)
            if name == "point" and value is None:
                continue
            for i, (line, own) in zip(indices, values, strict=True):
                if own == value:
                    continue
                record = records[i][1]
                changes = dict(lat=value[0], lon=value[1]) if name == "point" else {name: value}
                records[i] = (line, dataclasses.replace(record, **changes))
                if own not in (None, "", (None, None)):
                    column = "lat" if name == "point" else name
                    shown = f"{own[0]}, {own[1]}" if name == "point" else str(own)
                    chosen = f"{value[0]}, {value[1]}" if name == "point" else value
                    warnings.append(warning(line, column, "адрес с разными сведениями", (
                        f"«{shown}» заменено на «{chosen}»: для адреса «{address}» принято самое частое "
                        f"значение (строк: {count}; при равенстве — из более ранней строки, {first_line})"), shown))
    return records
