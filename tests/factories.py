"""Small factories for test data: program rows as the CSV has them, and CSV or XLSX files of them."""

from __future__ import annotations

import csv
from pathlib import Path

from navigator.catalogue.validation import COLUMNS

_BASE_ROW = {
    "title": "Шахматы",
    "description": "Учимся играть в шахматы: правила, дебюты, турниры.",
    "direction": "Физкультурно-спортивная",
    "profile": "Шахматы",
    "age_min": "7",
    "age_max": "12",
    "enrollment": "Бесплатно",
    "seats_total": "15",
    "seats_free": "4",
    "ovz": "Без ОВЗ",
    "format": "Очно",
    "schedule": "Пн, Ср 15:00–16:30",
    "duration": "9 месяцев, 144 часа",
    "teacher": "Иванова Мария Петровна",
    "rating": "4.75",
    "rating_count": "12",
    "organization_id": "o1",
    "organization": "МБОУ «СОШ № 1»",
    "organization_type": "школа",
    "municipality": "Кемеровский городской округ",
    "district": "Центральный",
    "address": "г. Кемерово, ул. Весенняя, 5",
    "lat": "55.354900",
    "lon": "86.086800",
    "phone": "+7 3842 00-00-01",
    "email": "school1@example.org",
    "website": "https://school1.example.org",
    "program_url": "https://school1.example.org/programs/chess.pdf",
    "updated": "2026-09-01",
}


def make_row(number: int = 1, **overrides: str) -> dict[str, str]:
    """A valid CSV row; the program id follows number unless given."""
    row = dict(_BASE_ROW, program_id=f"p{number}")
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",", newline: str = "\n",
              bom: bool = False, columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write rows as a programs CSV with the given dialect."""
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=delimiter, lineterminator=newline,
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], *, columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write rows as a programs workbook (one sheet, every cell a text cell: «=…» stays text, as typed in Excel)."""
    import xlsxwriter  # writes shared strings as Excel does, and never turns «=…» text into a formula

    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False}) as book:
        sheet = book.add_worksheet("Программы")
        for line, values in enumerate([list(columns)] + [[row.get(c, "") for c in columns] for row in rows]):
            for column, value in enumerate(values):
                sheet.write_string(line, column, value)
    return path


def load_programs(app, rows: list[dict[str, str]], tmp_path: Path, *, format: str = "csv") -> None:
    """Import rows (from a CSV or an XLSX file) into the app's database and build its search index, as `make run`."""
    from navigator.catalogue.importer import import_file
    from navigator.extensions import database, index_follower

    write = write_xlsx if format == "xlsx" else write_csv
    path = write(tmp_path / f"programs-{len(rows)}.{format}", rows)
    with database(app).session_factory() as session:
        import_file(session, path)
    index_follower(app).follow_once()


def venue(number: int, lat: float | None, lon: float | None, **overrides: str) -> dict[str, str]:
    """Fields of a distinct venue (its own address and point) for make_row."""
    return dict(address=f"г. Кемерово, ул. Тестовая, {number}", lat="" if lat is None else f"{lat:.6f}",
                lon="" if lon is None else f"{lon:.6f}", **overrides)


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def raw_xlsx(rows: list[list[str]], *, sheet_path: str = "xl/worksheets/sheet1.xml", dimension: str | None = None,
             tail: str = "", encoding: str = "utf-8", prolog: str = "", sheet_xml: str | None = None) -> bytes:
    """A workbook written part by part with zipfile, as a hostile tool would write it (no binary fixtures).

    rows: the sheet's first rows, every value a shared string; `tail`: raw XML after them inside <sheetData>
    (rows with any number, cells with any reference or index); `dimension`: the <dimension ref>; the sheet is
    stored at `sheet_path` (wherever the relationships say), encoded in `encoding` with `prolog` (a DOCTYPE,
    say) before its root element; `sheet_xml` replaces the sheet's XML altogether (malformed, say).
    """
    import io
    import posixpath
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    body = []
    for number, values in enumerate(rows, start=1):
        cells = "".join(f'<c r="{_column_letters(column)}{number}" t="s"><v>{strings.setdefault(value, len(strings))}'
                        f"</v></c>" for column, value in enumerate(values, start=1))
        body.append(f'<row r="{number}">{cells}</row>')
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>\n'
    sheet = sheet_xml if sheet_xml is not None else (
        f'{declaration}{prolog}<worksheet xmlns="{MAIN_NS}">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f'<sheetData>{"".join(body)}{tail}</sheetData></worksheet>')
    shared = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{len(strings)}"'
              f' uniqueCount="{len(strings)}">' + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
              + "</sst>")
    target = posixpath.relpath(sheet_path, "xl")
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CONTENT}.sheet.main+xml"/>'
            f'<Override PartName="/{sheet_path}" ContentType="{_CONTENT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CONTENT}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{_RELATIONSHIPS}"><sheets><sheet name="Программы" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="{target}"/>'
            f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/sharedStrings.xml": shared,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
        archive.writestr(sheet_path, sheet.encode(encoding))
    return out.getvalue()


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
