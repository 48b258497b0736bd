"""The coverage tables as records: for the JSON API, and with Russian column labels for CSV and XLSX.

Each record carries what it is computed from: the filter, the population figure's source and method,
and how gaps are measured, so a table read away from the pages still says what it means.
"""

from __future__ import annotations

from navigator.catalogue.errors import BadRequest
from navigator.catalogue.spreadsheet import Table
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS
from navigator.coverage.figures import CoverageFilter, Figures, row_labels
from navigator.coverage.gaps import NEAR_KM, WALK_KM, gap_labels
from navigator.coverage.service import Snapshot

TABLES = {"municipalities": "Муниципалитеты", "districts": "Районы и населённые пункты",
          "gaps": "Где нет программ рядом"}


def child_source(figures: Figures) -> dict | None:
    child = figures.children
    if child is None:
        return None
    return {"children_5_18": child.children, "year": child.year, "estimate": child.estimate, "method": child.method,
            "source": child.source}


def region_document(snapshot: Snapshot, chosen: CoverageFilter) -> dict:
    """The region and every municipality as JSON records (per-municipality rows first: the data clients want)."""
    report = snapshot.region(chosen)
    return {"municipalities": [figures.as_row("municipality") for figures in report.municipalities],
            "region": dict(report.region.as_row("name"), population=child_source(report.region)),
            "filter": {"direction": chosen.direction, "enrollment": chosen.enrollment},
            "population": {figures.name: child_source(figures) for figures in report.municipalities},
            "gap_method": gap_method()}


def municipality_document(snapshot: Snapshot, row: int, chosen: CoverageFilter) -> dict:
    report = snapshot.municipality(row, chosen)
    return {"municipality": dict(report.figures.as_row("municipality"), population=child_source(report.figures)),
            "districts": [figures.as_row("district") for figures in report.districts],
            "gaps": [gap.as_row() for gap in report.gaps],
            "filter": {"direction": chosen.direction, "enrollment": chosen.enrollment},
            "gap_method": gap_method()}


def gap_method() -> str:
    return (f"Расстояние по прямой от точки населённого пункта до ближайшего адреса, где "
            f"идёт действующая очная или смешанная программа направленности: до {WALK_KM:g} км (около 20 минут "
            f"пешком), до {NEAR_KM:g} км или дальше. Адреса, нанесённые на карту лишь центром муниципалитета, "
            f"не учитываются.")


def filter_note(chosen: CoverageFilter) -> str:
    parts = [f"направленность: {DIRECTIONS.label(chosen.direction)}" if chosen.direction else "все направленности",
             f"зачисление: {ENROLLMENT_KINDS.label(chosen.enrollment)}" if chosen.enrollment else "любое зачисление"]
    return "Только действующие программы; " + "; ".join(parts) + "."


def export_table(snapshot: Snapshot, table: str, chosen: CoverageFilter, municipality_name: str | None) -> Table:
    """One table of the pages as rows with Russian column labels and notes on sources and methods."""
    notes = [filter_note(chosen)]
    row = snapshot.catalogue.municipality_row(municipality_name) if municipality_name else None
    if municipality_name and row is None:
        raise LookupError(municipality_name)
    if table == "municipalities":
        report = snapshot.region(chosen)
        rows = [figures.as_row("municipality") for figures in report.municipalities]
        rows.append(report.region.as_row("municipality"))
        notes += [f"{figures.name}: {figures.children.method} Источник: {figures.children.source}"
                  for figures in [*report.municipalities, report.region] if figures.children]
        return Table(TABLES[table], row_labels("municipality", "Муниципалитет"), rows, notes)
    if table == "districts":
        if row is None:
            raise BadRequest("municipality", "для таблицы районов нужен муниципалитет")
        report = snapshot.municipality(row, chosen)
        rows = [figures.as_row("district") for figures in report.districts]
        notes += [f"{figures.name}: {figures.children.method}" for figures in report.districts if figures.children]
        return Table(TABLES[table], row_labels("district", "Район или населённый пункт"), rows, notes)
    gaps = snapshot.municipality(row, chosen).gaps if row is not None else snapshot.gaps(chosen.enrollment)
    return Table(TABLES["gaps"], gap_labels(), [gap.as_row() for gap in gaps], [*notes, gap_method()])
