"""What the importer found in a file: errors (nothing is applied) and warnings (resolved and applied).

Every issue has its line, column, the value and a message in words the data owner understands; a
warning also has a kind, so that a report of 3,000 warnings reads as a handful of groups.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from navigator.catalogue.spreadsheet import formula_safe
from navigator.catalogue.validation import FieldError

REPORT_COLUMNS = ("line", "column", "value", "message", "level")


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where it is and what is wrong (level "error" or "warning")."""

    line: int
    column: str | None
    message: str
    value: str = ""
    level: str = "error"
    kind: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        got = f" (got '{self.value}')" if self.value else ""
        return f"{where}: {self.message}{got}"

    @classmethod
    def from_field(cls, line: int, error: FieldError) -> RowError:
        return cls(line, error.column, error.message, error.value)


def warning(line: int, column: str | None, kind: str, message: str, value: str = "") -> RowError:
    return RowError(line, column, message, value, level="warning", kind=kind)


class ImportRejected(Exception):
    """The file has errors; nothing was applied (the warnings found on the way are kept for the report)."""

    def __init__(self, errors: list[RowError], warnings: list[RowError] | None = None,
                 detected: list[str] | None = None):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
        self.warnings = warnings or []
        self.detected = detected or []


@dataclass(frozen=True)
class WarningGroup:
    kind: str
    count: int
    examples: list[RowError]


@dataclass
class Findings:
    """How the file was read, what was filled in, and every warning: what the report shows."""

    detected: list[str] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    defaulted: Counter = field(default_factory=Counter)

    def groups(self, examples: int = 3) -> list[WarningGroup]:
        """Warnings by kind, the largest group first, with the first few of each."""
        by_kind: dict[str, list[RowError]] = {}
        for item in sorted(self.warnings, key=lambda w: w.line):
            by_kind.setdefault(item.kind or item.message, []).append(item)
        ordered = sorted(by_kind.items(), key=lambda pair: -len(pair[1]))
        return [WarningGroup(kind, len(items), items[:examples]) for kind, items in ordered]


def write_report(path: Path, issues: Iterable[RowError]) -> int:
    """Every error and warning as CSV (line, column, value, message, level) for the data owner; the count.

    The report is opened in a spreadsheet and quotes the file's own text, so it follows the rule of every
    export (navigator.catalogue.spreadsheet.formula_safe): a text that would run as a formula
    (`=HYPERLINK(…)`) gets a leading apostrophe and stays text.
    """
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for issue in sorted(issues, key=lambda i: (i.line, i.level)):
            writer.writerow((issue.line, formula_safe(issue.column or ""), formula_safe(issue.value),
                             formula_safe(issue.message), issue.level))
            count += 1
    return count


def report_lines(findings: Findings, examples: int = 3) -> list[str]:
    """The report as text: what was filled in by default, then warnings by kind with the first few and a total."""
    lines = []
    if findings.defaulted:
        lines.append("Filled in by --default or the mapping: " + ", ".join(
            f"{name} in {count} row(s)" for name, count in sorted(findings.defaulted.items())) + ".")
    groups = findings.groups(examples)
    for group in groups:
        lines.append(f"Warnings «{group.kind}»: {group.count}")
        lines += [f"  {item}" for item in group.examples]
        if group.count > len(group.examples):
            lines.append(f"  … and {group.count - len(group.examples)} more")
    if groups:
        lines.append(f"{len(findings.warnings)} warning(s) in all; nothing of them stopped the import.")
    return lines
