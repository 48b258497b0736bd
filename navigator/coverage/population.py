"""Children aged 5–18 per municipality, from a data file that says for every figure where it comes from.

The file (setting POPULATION_FILE, data/population.csv) has one `region` row and one row per
municipality: `level,name,children_5_18,population,year,estimate,method,source`. `estimate` is yes
when the figure was derived rather than counted, and `method` says how; the pages show both.
A settlement or city district inside a municipality gets an estimate made here: its gazetteer
population times the region's share of children in its population.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from navigator.catalogue import russian
from navigator.catalogue.vocab import fold


@dataclass(frozen=True)
class ChildFigure:
    """How many children aged 5–18 live somewhere, and how we know."""

    children: int
    year: str
    source: str
    estimate: bool
    method: str


@dataclass(frozen=True)
class Population:
    region_name: str | None
    region: ChildFigure | None
    region_population: int | None
    municipalities: dict[str, ChildFigure]
    names: tuple[str, ...]  # municipalities as the file spells them

    def municipality(self, name: str) -> ChildFigure | None:
        return self.municipalities.get(fold(name))

    @property
    def child_share(self) -> float | None:
        """Children aged 5–18 per inhabitant of the region (for settlements' estimates)."""
        if self.region is None or not self.region_population:
            return None
        return self.region.children / self.region_population

    def settlement(self, name: str, population: int | None) -> ChildFigure | None:
        """An estimate for a settlement from its gazetteer population and the region's share of children."""
        share = self.child_share
        if share is None or not population or self.region is None:
            return None
        method = (f"Оценка: население по справочнику ({russian.group_digits(population)} чел.) × доля детей "
                  f"5–18 лет в населении области ({russian.decimal(share * 100, 1)} %).")
        return ChildFigure(round(population * share), self.region.year, "справочник населённых пунктов; "
                           + self.region.source, True, method)


EMPTY = Population(None, None, None, {}, ())


#: A file path of the project (data/geo/settlements.csv): pages name what it is, not where it lies.
_PROJECT_PATH = re.compile(r"\b(?:[\w.-]+/)+[\w.-]+\.(?:csv|geojson|json|xlsx)\b")


def _public(source: str) -> str:
    return _PROJECT_PATH.sub("справочник населённых пунктов сайта", source.strip())


def load_population(path: str | Path | None) -> Population:
    """Read the population file; no file (or no setting) gives no figures, and per-child figures are left out."""
    if not path or not Path(path).is_file():
        return EMPTY
    region_name = region = region_population = None
    municipalities: dict[str, ChildFigure] = {}
    names: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["children_5_18"].strip():  # a municipality without a figure: listed, never guessed
                names.append(row["name"].strip())
                continue
            figure = ChildFigure(int(row["children_5_18"]), row["year"].strip(), _public(row["source"]),
                                 row["estimate"].strip().lower() in {"yes", "1", "true", "да"}, row["method"].strip())
            if row["level"].strip() == "region":
                region_name, region = row["name"].strip(), figure
                region_population = int(row["population"]) if row.get("population") else None
            else:
                municipalities[fold(row["name"])] = figure
                names.append(row["name"].strip())
    return Population(region_name, region, region_population, municipalities, tuple(names))
