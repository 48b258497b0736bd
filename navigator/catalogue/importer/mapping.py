"""A region's column mapping (`--mapping FILE`): their columns and vocabularies to ours.

A TOML file (read with the standard library's tomllib; YAML too when PyYAML is installed) with up
to five tables, all optional — docs/data.md has an example:

    [columns]   their column name = our column            «Наименование программы» = "title"
    [values.direction]   their value = our code or label  «Техническая направленность» = "technical"
    [constants] our column = value for every row          municipality = "Юргинский городской округ"
    [defaults]  our column = value where a row has none   format = "Очно"
    [[split]]   one of their columns into several of ours, by a regular expression with named groups
                (pattern) or by a separator (separator + into)

Column names are compared without case and surrounding spaces; values of value maps the same way
(and ё as е). In list columns (enrollment, ovz) each item is mapped on its own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from navigator.catalogue.validation import LIST_SEPARATOR
from navigator.catalogue.vocab import fold

LIST_COLUMNS = ("enrollment", "ovz")


class MappingError(ValueError):
    """The mapping file itself is wrong; the message says where."""


def column_key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class Split:
    source: str
    pattern: re.Pattern | None = None
    separator: str | None = None
    into: tuple[str, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        """Our columns that the split fills: the pattern's named groups, or `into`."""
        return tuple(self.pattern.groupindex) if self.pattern is not None else self.into

    def parts(self, text: str) -> dict[str, str]:
        """Our columns from the combined text (nothing when the pattern does not match)."""
        if self.pattern is not None:
            match = self.pattern.search(text)
            return {k: v.strip() for k, v in match.groupdict().items() if v} if match else {}
        pieces = text.split(self.separator, len(self.into) - 1)
        return {name: piece.strip() for name, piece in zip(self.into, pieces, strict=False)}


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    splits: tuple[Split, ...] = ()

    def column(self, name: str) -> str:
        """Our name for one of their columns (a column not in the mapping keeps its own name)."""
        key = column_key(name)
        return self.columns.get(key, key)

    def map_values(self, row: dict[str, str]) -> None:
        """Replace their vocabulary values by ours, in place."""
        for column, table in self.values.items():
            text = row.get(column)
            if not text:
                continue
            if column in LIST_COLUMNS:
                parts = (part.strip() for part in text.split(LIST_SEPARATOR))
                row[column] = LIST_SEPARATOR.join(table.get(fold(part), part) for part in parts if part)
            else:
                row[column] = table.get(fold(text), text)


def load_mapping(path: Path, known_columns: set[str]) -> Mapping:
    """Read and check a mapping file; MappingError names what is wrong."""
    data = _parse(Path(path))
    unknown_tables = set(data) - {"columns", "values", "constants", "defaults", "split"}
    if unknown_tables:
        raise MappingError(f"{path.name}: unknown table(s) {', '.join(sorted(unknown_tables))}")
    columns = {column_key(theirs): str(ours).strip() for theirs, ours in _table(data, "columns").items()}
    values = {ours: {fold(str(k)): str(v) for k, v in _table({ours: table}, ours).items()}
              for ours, table in _table(data, "values").items()}
    constants = {k: str(v) for k, v in _table(data, "constants").items()}
    defaults = {k: str(v) for k, v in _table(data, "defaults").items()}
    splits = tuple(_split(item, path) for item in data.get("split", []))
    targets = [*columns.values(), *values, *constants, *defaults, *(n for s in splits for n in s.targets)]
    wrong = sorted({name for name in targets if name not in known_columns})
    if wrong:
        raise MappingError(f"{path.name}: not our column(s): {', '.join(wrong)} (see docs/data.md)")
    return Mapping(columns, values, constants, defaults, splits)


def _parse(path: Path) -> dict:
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:
                raise MappingError("a YAML mapping needs PyYAML (pip install pyyaml); or write it in TOML") from None
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        else:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as problem:
        raise MappingError(f"{path.name}: {problem}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path.name}: expected tables (columns, values, constants, defaults, split)")
    return data


def _table(data: dict, name: str) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise MappingError(f"{name} must be a table of name = value")
    return table


def _split(item: dict, path: Path) -> Split:
    source = column_key(str(item.get("column", "")))
    if not source:
        raise MappingError(f"{path.name}: each [[split]] needs column = their column's name")
    if "pattern" in item:
        try:
            return Split(source, pattern=re.compile(item["pattern"]))
        except re.error as problem:
            raise MappingError(f"{path.name}: split of «{source}»: {problem}") from None
    into = tuple(item.get("into", ()))
    if not item.get("separator") or len(into) < 2:
        raise MappingError(f"{path.name}: split of «{source}» needs pattern, or separator and into (two or more)")
    return Split(source, separator=item["separator"], into=into)
