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
