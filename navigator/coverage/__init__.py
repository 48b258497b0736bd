"""Municipal coverage: where children have programs, seats and free places, in which directions — and where not.

    catalogue.py   the active programs as numpy columns (one load per change of the data)
    figures.py     figures of the region, each municipality, each district; the filter and indicators
    population.py  children aged 5–18 per municipality from a data file, with source and estimate method
    gaps.py        straight-line distance from each settlement to the nearest program of each direction
    service.py     the snapshot of one application, kept until the data changes, and its reports
    tables.py      the tables as records (JSON API) and with Russian labels and notes (exports; written as
                   CSV and XLSX by navigator.catalogue.spreadsheet)
    maps.py        the choropleth and the coloured point maps (folium, drawn by static/js/coverage-map.js)

Plain Python, numpy and SQLAlchemy: no Flask here; the views (navigator/views/staff/coverage.py) pass the session.
"""

from __future__ import annotations

from navigator.coverage.figures import (
    COVERAGE_PARAMETERS,
    DEFAULT_INDICATOR,
    INDICATORS,
    CoverageFilter,
    Figures,
    parse_filter,
    parse_indicator,
    row_labels,
)
from navigator.coverage.gaps import NEAR_KM, STATUS_LABELS, WALK_KM, Gap, gap_labels, gap_points
from navigator.coverage.population import ChildFigure, Population, load_population
from navigator.coverage.service import CoverageService, MunicipalityReport, RegionReport, Snapshot

__all__ = ["COVERAGE_PARAMETERS", "DEFAULT_INDICATOR", "INDICATORS", "NEAR_KM", "STATUS_LABELS", "WALK_KM",
           "ChildFigure", "CoverageFilter", "CoverageService", "Figures", "Gap", "MunicipalityReport", "Population",
           "RegionReport", "Snapshot", "gap_labels", "gap_points", "load_population", "parse_filter", "parse_indicator",
           "row_labels"]
