"""Tables as files — CSV (UTF-8 with a byte-order mark, so that Excel reads the Cyrillic) and XLSX
(openpyxl) — in which no text ever becomes a formula; used by the coverage exports and the program lists.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (and, after a tab or a
carriage return, whatever follows) as a formula: `=HYPERLINK("https://evil.example", "Район")` in a
district's name would become a live link in a municipal officer's export. OWASP's advice, followed
here: such text is written with a leading apostrophe in CSV (a spreadsheet shows the text as typed) and
as a string cell in XLSX; the importer strips that apostrophe again, so export → import changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """The text with an apostrophe in front when a spreadsheet would read it as a formula (or when the
    text itself starts with such an apostrophe, so that formula_restored gives it back unchanged)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def formula_restored(text: str) -> str:
    """Undo formula_safe: the apostrophe it added goes, any other apostrophe stays."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


#: CSV is written for Russian Excel by default: it splits columns at `;` and reads `1,5` as a number (the
#: decimal comma of the ru-RU locale). The `standard` dialect (`,` and `1.5`) is for programs.
CSV_DIALECTS = ("excel-ru", "standard")
#: Content-Type of each format, whole: give it as a response's content_type (as mimetype werkzeug adds a charset).
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


def _csv_cell(value) -> object:
    value = _cell(value)
    return formula_safe(value) if isinstance(value, str) else ("" if value is None else value)


def _russian_number(value):
    """A float with a decimal comma, as Russian Excel reads numbers; everything else as it is."""
    return str(value).replace(".", ",") if isinstance(value, float) else value


def to_csv(table: Table, dialect: str = "excel-ru") -> bytes:
    buffer = io.StringIO()
    russian = dialect != "standard"
    writer = csv.writer(buffer, delimiter=";" if russian else ",", lineterminator="\r\n")
    writer.writerow(map(_csv_cell, table.labels.values()))
    for row in table.rows:
        cells = [_csv_cell(row.get(key)) for key in table.labels]
        writer.writerow([_russian_number(cell) for cell in cells] if russian else cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]  # Excel's limit for sheet names
    _append(sheet, list(table.labels.values()))
    for row in table.rows:
        _append(sheet, [_cell(row.get(key)) for key in table.labels])
    sheet.freeze_panes = "B2"
    for column, label in enumerate(table.labels.values(), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(10, len(label) + 2), 40)
    if table.notes:
        sheet.append([])
        for note in table.notes:
            _append(sheet, [note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append(sheet, values: list) -> None:
    """Append a row, every text as a string cell: never a formula, whatever it starts with.

    The cells are made before they are appended: looking the row up again afterwards (`sheet[sheet.max_row]`)
    scans every cell of the sheet, which made a 3,400-row list take a minute under load.
    """
    cells = [Cell(sheet, value=value) for value in values]
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING
    sheet.append(cells)


def render(table: Table, file_format: str, dialect: str = "excel-ru") -> bytes:
    return to_xlsx(table) if file_format == "xlsx" else to_csv(table, dialect)
