"""Read a programs CSV into validated records, collecting every error with its line and column.

Nothing here touches the database: a file is read and checked whole before anything is applied.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from navigator.catalogue.spreadsheet import formula_restored
from navigator.catalogue.validation import COLUMNS, REQUIRED, FieldError, ProgramRecord, validate_record

# Organization fields that must agree between all rows of one organization_id.
ORGANIZATION_FIELDS = ("organization", "organization_type", "phone", "email", "website")
# Venue fields that must agree between all rows with the same organization and address.
VENUE_FIELDS = ("municipality", "district", "lat", "lon")

Progress = Callable[[Iterable], Iterable]


def no_progress(items: Iterable, **_options) -> Iterable:
    return items


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where it is and what is wrong."""

    line: int
    column: str | None
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        got = f" (got '{self.value}')" if self.value else ""
        return f"{where}: {self.message}{got}"

    @classmethod
    def from_field(cls, line: int, error: FieldError) -> RowError:
        return cls(line, error.column, error.message, error.value)


class ImportRejected(Exception):
    """The file has errors; nothing was applied."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ParsedFile:
    name: str
    checksum: str
    records: list[tuple[int, ProgramRecord]]


def read_file(path: Path, progress: Progress = no_progress) -> ParsedFile:
    """Decode, parse and validate the whole file; raise ImportRejected listing every error."""
    parsed, errors = check_file(path, progress)
    if errors:
        raise ImportRejected(errors)
    return parsed


def check_file(path: Path, progress: Progress = no_progress) -> tuple[ParsedFile, list[RowError]]:
    """The file's valid records and every error, by line (a provider's upload adds its own checks to them).

    A file that cannot be decoded at all still raises ImportRejected.
    """
    data = Path(path).read_bytes()
    text = _decode(data)
    errors: list[RowError] = []
    records, row_errors = check_rows(_rows(text, errors), progress)
    errors = sorted(errors + row_errors, key=lambda error: error.line)
    return ParsedFile(Path(path).name, hashlib.sha256(data).hexdigest(), records), errors


def check_rows(rows: Iterable[tuple[int, dict[str, str]]], progress: Progress = no_progress,
               ) -> tuple[list[tuple[int, ProgramRecord]], list[RowError]]:
    """Validate rows of our columns from any reader (CSV, HSDS): the valid records and every error."""
    errors: list[RowError] = []
    records: list[tuple[int, ProgramRecord]] = []
    for line, row in progress(rows, unit=" rows", desc="Checking"):
        record, field_errors = validate_record(row)
        if record is None:
            errors.extend(RowError.from_field(line, error) for error in field_errors)
        else:
            records.append((line, record))
    errors.extend(consistency_errors(records))
    return records, errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise ImportRejected([RowError(line, None, "the file is not UTF-8 text; save it as UTF-8")]) from None


def _rows(text: str, errors: list[RowError]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first line number, row as a dict); header problems are added to errors."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    errors.extend(_header_errors(header))
    if errors:
        return
    line = reader.line_num + 1
    for fields in _guarded(reader, errors):
        start, line = line, reader.line_num + 1
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            errors.append(RowError(start, None, f"{len(fields)} fields, the header has {len(header)}"
                                   " (a missing or extra delimiter, or an unclosed quote?)"))
            continue
        yield start, dict(zip(header, map(formula_restored, fields), strict=True))


def _guarded(reader, errors: list[RowError]) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read (a field over its 128 KiB limit) ends the file
    with an error on that line instead of an exception."""
    try:
        yield from reader
    except csv.Error as problem:
        errors.append(RowError(reader.line_num, None, f"the row cannot be read as CSV ({problem})"))


def _header_errors(header: list[str]) -> list[RowError]:
    if not header:
        return [RowError(1, None, "the file is empty; the first line must name the columns")]
    errors = [RowError(1, name or "(empty)", "unknown column; see docs/data.md for the columns")
              for name in header if name not in COLUMNS]
    errors += [RowError(1, name, "column appears more than once") for name in set(header)
               if header.count(name) > 1]
    errors += [RowError(1, name, "required column is missing") for name in COLUMNS
               if name in REQUIRED and name not in header]
    return errors


def consistency_errors(records: list[tuple[int, ProgramRecord]]) -> list[RowError]:
    """Rules across rows: unique program ids; one organization, one venue described the same way."""
    errors = []
    first_program: dict[str, int] = {}
    first_organization: dict[str, tuple[int, ProgramRecord]] = {}
    first_venue: dict[tuple[str, str], tuple[int, ProgramRecord]] = {}
    for line, record in records:
        if record.program_id in first_program:
            errors.append(RowError(line, "program_id", f"the same id as line {first_program[record.program_id]}",
                                   record.program_id))
            continue
        first_program[record.program_id] = line
        errors += _disagreements(first_organization, record.organization_id, line, record,
                                 ORGANIZATION_FIELDS, f"organization {record.organization_id}")
        errors += _disagreements(first_venue, (record.organization_id, record.address), line, record,
                                 VENUE_FIELDS, f"the address '{record.address}'")
    return errors


def _disagreements(seen: dict, key, line: int, record: ProgramRecord, names: tuple[str, ...],
                   what: str) -> list[RowError]:
    if key not in seen:
        seen[key] = (line, record)
        return []
    first_line, first = seen[key]
    return [RowError(line, name, f"differs from line {first_line} for {what}", str(getattr(record, name) or ""))
            for name in names if getattr(record, name) != getattr(first, name)]
