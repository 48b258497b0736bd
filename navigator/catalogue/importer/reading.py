"""Read a programs file into validated records, collecting every error and warning with its line and column.

Nothing here touches the database. The file is streamed row by row (navigator.catalogue.importer.sources):
each row is renamed and filled by the mapping, normalized (whitespace, free-text ages), validated, and
only its typed record is kept; the rules across rows run on the records at the end (resolving).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from navigator.catalogue.importer.ages import AdultsOnly, parse_age
from navigator.catalogue.importer.issues import Findings, ImportRejected, RowError, warning
from navigator.catalogue.importer.mapping import Mapping, column_key
from navigator.catalogue.importer.resolving import resolve
from navigator.catalogue.importer.sources import Source, SourceOptions, open_source
from navigator.catalogue.spreadsheet import formula_restored
from navigator.catalogue.validation import COLUMNS, REQUIRED, Invalid, ProgramRecord, validate_record

__all__ = ["ImportRejected", "ParsedFile", "ReadOptions", "RowError", "check_file", "check_rows", "read_file"]

# Columns a file may have besides ours: a free-text age instead of age_min/age_max, and the ИНН.
EXTRA_COLUMNS = ("age", "inn")
KNOWN_COLUMNS = frozenset(COLUMNS) | frozenset(EXTRA_COLUMNS)
NUMBER_COLUMNS = ("price_rub", "lat", "lon", "rating")
# Columns whose text repeats from row to row (an organization's, a venue's): each distinct value is kept
# once, shared by every record that has it, instead of once a row.
REPEATED_COLUMNS = ("organization_id", "organization", "organization_type", "municipality", "district", "address",
                    "phone", "email", "website", "teacher", "duration", "schedule", "profile")
MESSY_SPACE = re.compile(r"^\s|\s$|\s\s|[^\S ]")

Item = TypeVar("Item")


class Progress(Protocol):
    """Shows the progress of a long loop: called as tqdm is, with the items and its options (unit, desc, total)."""

    def __call__(self, items: Iterable[Item], /, **options: Any) -> Iterable[Item]: ...


def no_progress(items: Iterable[Item], /, **_options: Any) -> Iterable[Item]:
    return items


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: all optional, detected when not given (see `navigator import --help`)."""

    strict: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    mapping: Mapping | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    # Budgets of a file from outside (a provider's upload): at most this many rows after the header, and
    # reading and checking them within this many seconds; None: no limit (the operator's own import).
    max_rows: int | None = None
    seconds: float | None = None


@dataclass
class ParsedFile:
    name: str
    checksum: str
    records: list[tuple[int, ProgramRecord]]
    # The programs' own contacts when the reader states them (None: leave the programs' own as they are).
    contacts: dict[str, dict[str, str | None]] | None = None
    findings: Findings = field(default_factory=Findings)


def read_file(path: Path, progress: Progress = no_progress, options: ReadOptions | None = None) -> ParsedFile:
    """Read, normalize and validate the whole file; raise ImportRejected listing every error."""
    parsed, errors = check_file(path, progress, options or ReadOptions())
    if errors:
        raise ImportRejected(errors, parsed.findings.warnings, parsed.findings.detected)
    return parsed


def check_file(path: Path, progress: Progress = no_progress, options: ReadOptions | None = None
               ) -> tuple[ParsedFile, list[RowError]]:
    """The file's valid records, its warnings and every error, by line (a provider's upload adds its own checks).

    A file that cannot be read at all raises ImportRejected.
    """
    options = options or ReadOptions()
    started = time.monotonic()
    source = open_source(Path(path), SourceOptions(options.encoding, options.delimiter, options.sheet),
                         options.format)
    findings = Findings(detected=[source.detected])
    errors: list[RowError] = []
    prepare = RowPreparer(source.header, options, findings, errors)
    records: list[tuple[int, ProgramRecord]] = []
    inns: dict[int, str] = {}
    rows = source.rows
    if options.max_rows is not None or options.seconds is not None:
        source.rows = budgeted(rows, options.max_rows, None if options.seconds is None else started + options.seconds)
    try:
        for line, row in progress(prepare.rows(source), unit=" rows", desc="Checking"):
            record, field_errors = validate_record(row)
            if record is None:
                errors.extend(RowError.from_field(line, error) for error in field_errors)
                continue
            records.append((line, record))
            if row.get("inn"):
                inns[line] = row["inn"]
    except ImportRejected as rejected:
        raise ImportRejected(rejected.errors + errors, findings.warnings, findings.detected) from None
    finally:
        getattr(rows, "close", lambda: None)()  # a generator stopped early closes its file now
        source.close()
    if prepare.decimal_commas:
        findings.detected.append(f"десятичная запятая в числах (значений: {prepare.decimal_commas})")
    resolution = resolve(records, inns, strict=options.strict)
    errors.extend(resolution.errors)
    findings.warnings.extend(resolution.warnings)
    errors.sort(key=lambda error: error.line)
    return ParsedFile(source.name, source.checksum, resolution.records, resolution.contacts, findings), errors


def budgeted(rows: Iterable[tuple[int, list[str]]], max_rows: int | None, deadline: float | None
             ) -> Iterator[tuple[int, list[str]]]:
    """The rows until the budget is spent: more rows than max_rows after the header, or the clock past the
    deadline (time.monotonic(); checked before each row, so it counts the checking of the rows before too),
    end the file as an error on the line reached. Empty rows count: a reader spends its time on them as well."""
    for count, (line, fields) in enumerate(rows, start=1):
        if max_rows is not None and count > max_rows:
            limit = f"{max_rows:,}".replace(",", "\u00a0")
            raise ImportRejected([RowError(line, None, f"в файле больше {limit} строк, а за один раз можно "
                                           f"загрузить не больше {limit}; разделите файл на части")])
        if deadline is not None and time.monotonic() > deadline:
            raise ImportRejected([RowError(line, None, "файл читается слишком долго, чтение остановлено на этой "
                                           "строке; разделите файл на части или сохраните его как CSV")])
        yield line, fields


def check_rows(rows: Iterable[tuple[int, dict[str, str]]], progress: Progress = no_progress,
               ) -> tuple[list[tuple[int, ProgramRecord]], list[RowError]]:
    """Validate rows of our columns from another reader (HSDS): the valid records and every error.

    The rules across rows are the strict ones: such a reader builds each program's organization and
    venue from one record of its own, so rows that disagree mean a broken package, not a messy export.
    """
    errors: list[RowError] = []
    records: list[tuple[int, ProgramRecord]] = []
    for line, row in progress(rows, unit=" rows", desc="Checking"):
        record, field_errors = validate_record(row)
        if record is None:
            errors.extend(RowError.from_field(line, error) for error in field_errors)
        else:
            records.append((line, record))
    resolution = resolve(records, {}, strict=True)
    return resolution.records, errors + resolution.errors


def normalize_space(text: str) -> str:
    """Trim and collapse runs of spaces; a multi-line text keeps its (non-empty) lines."""
    if not MESSY_SPACE.search(text):
        return text  # most fields of most files: one C-level scan, no new string
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


class RowPreparer:
    """Their header and rows → rows under our column names, filled and normalized, ready to validate."""

    def __init__(self, header: list[str], options: ReadOptions, findings: Findings, errors: list[RowError]):
        self.mapping = options.mapping or Mapping()
        self.options, self.findings, self.errors = options, findings, errors
        self.defaults = {**self.mapping.defaults, **options.defaults}
        self.decimal_commas = 0
        self.shared: dict[str, str] = {}
        keys = [column_key(name) for name in header]
        split_sources = {split.source for split in self.mapping.splits}
        self.splits = [(keys.index(s.source), s) for s in self.mapping.splits if s.source in keys]
        self.names: list[str | None] = [self.mapping.column(name) for name in header]
        self.names = [name if name in KNOWN_COLUMNS else None for name in self.names]
        self.width = len(header)
        self._check_header(keys, split_sources)

    def _check_header(self, keys: list[str], split_sources: set[str]) -> None:
        if not keys or not any(keys):
            self.errors.append(RowError(1, None, "the file is empty; the first line must name the columns"))
            return
        for key, name in zip(keys, self.names, strict=True):
            if name is None and key not in split_sources:
                if self.options.strict:
                    self.errors.append(RowError(1, key or "(empty)",
                                                "unknown column; see docs/data.md for the columns"))
                else:
                    self.findings.warnings.append(warning(1, key or "(empty)", "неизвестный столбец",
                                                          "столбец не из docs/data.md: пропущен"))
        present = [name for name in self.names if name]
        self.errors += [RowError(1, name, "column appears more than once") for name in sorted(set(present))
                        if present.count(name) > 1]
        provided = set(present) | set(self.mapping.constants) | set(self.defaults)
        provided |= {name for _, split in self.splits for name in split.targets}
        if "age" in provided:
            provided |= {"age_min", "age_max"}
        if "inn" in provided:
            provided.add("organization_id")
        self.errors += [RowError(1, name, "required column is missing") for name in COLUMNS
                        if name in REQUIRED and name not in provided]

    def rows(self, source: Source) -> Iterator[tuple[int, dict[str, str]]]:
        """Rows as dicts of our columns; a row with a wrong number of fields is an error, not a row."""
        if self.errors:
            return
        for line, fields in source.rows:
            if not any(value.strip() for value in fields):
                continue
            if len(fields) != self.width:
                self.errors.append(RowError(line, None, f"{len(fields)} fields, the header has {self.width}"
                                            " (a missing or extra delimiter, or an unclosed quote?)"))
                continue
            row = self.prepared(line, fields)
            if row is not None:
                yield line, row

    def prepared(self, line: int, fields: list[str]) -> dict[str, str] | None:
        """One row renamed, split, filled, value-mapped and normalized; None when it is skipped (adults only)."""
        # formula_restored: a cell our own exports wrote as text ('=…) comes back as it was (round trip)
        row = {name: normalize_space(formula_restored(value))
               for name, value in zip(self.names, fields, strict=True) if name}
        for name in REPEATED_COLUMNS:
            value = row.get(name)
            if value:
                row[name] = self.shared.setdefault(value, value)
        for index, split in self.splits:
            for name, value in split.parts(normalize_space(fields[index])).items():
                row[name] = row.get(name) or value
        row.update(self.mapping.constants)
        for name, value in self.defaults.items():
            if not row.get(name):
                row[name] = value
                self.findings.defaulted[name] += 1
        self.mapping.map_values(row)
        self.decimal_commas += sum(1 for name in NUMBER_COLUMNS if "," in row.get(name, ""))
        if row.get("inn") and not row.get("organization_id"):
            row["organization_id"] = row["inn"]
        if row.get("age") and not (row.get("age_min") or row.get("age_max")):
            return self._with_ages(line, row)
        return row

    def _with_ages(self, line: int, row: dict[str, str]) -> dict[str, str] | None:
        try:
            ages = parse_age(row["age"])
        except Invalid as problem:
            self.errors.append(RowError(line, "age", str(problem), row["age"]))
            return None
        except AdultsOnly as adults:
            self.findings.warnings.append(warning(line, "age", "программа для взрослых", str(adults), row["age"]))
            return None
        if ages.warning:
            self.findings.warnings.append(warning(line, "age", ages.kind, ages.warning, row["age"]))
        row["age_min"], row["age_max"] = str(ages.low), str(ages.high)
        return row
