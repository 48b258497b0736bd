"""Tables as files: CSV (UTF-8 with a byte-order mark, so that Excel reads the Cyrillic) and XLSX (openpyxl).

The CSV is written for Russian Excel by default: it splits columns at `;` and reads `1,5` as a number
(the decimal comma of the ru-RU locale). The `standard` dialect (`,` and `1.5`) is for programs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

CSV_DIALECTS = ("excel-ru", "standard")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Table:
    """Rows of one table with the Russian label of each column; notes go under the rows in XLSX."""

    title: str
    labels: dict[str, str]  # key → column label, in column order
    rows: Sequence[dict]
    notes: Sequence[str] = ()


def _cell(value):
    if value is True:
        return "да"
    if value is False:
        return "нет"
    return value


def _russian_number(value):
    """A float with a decimal comma, as Russian Excel reads numbers; everything else as it is."""
    return str(value).replace(".", ",") if isinstance(value, float) else value


def to_csv(table: Table, dialect: str = "excel-ru") -> bytes:
    buffer = io.StringIO()
    russian = dialect != "standard"
    writer = csv.writer(buffer, delimiter=";" if russian else ",", lineterminator="\r\n")
    writer.writerow(table.labels.values())
    for row in table.rows:
        cells = ["" if row.get(key) is None else _cell(row.get(key)) for key in table.labels]
        writer.writerow([_russian_number(cell) for cell in cells] if russian else cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]  # Excel's limit for sheet names
    sheet.append(list(table.labels.values()))
    for row in table.rows:
        sheet.append([_cell(row.get(key)) for key in table.labels])
    sheet.freeze_panes = "B2"
    for column, label in enumerate(table.labels.values(), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(10, len(label) + 2), 40)
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, file_format: str, dialect: str = "excel-ru") -> bytes:
    return to_xlsx(table) if file_format == "xlsx" else to_csv(table, dialect)
