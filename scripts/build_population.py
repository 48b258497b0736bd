"""Estimate the children aged 5–18 of every municipality and write data/population.csv.

No open table gives children per municipality (see data/README.md, «Численность детей»). What is
known: the region's children aged 5–18 (its report: 366 thousand attended additional education in
2023, 84.4 % of the age group, so ≈ 433.6 thousand) and the populations of the gazetteer's
settlements (HFLabs and GeoNames, data/geo/settlements.csv). So the region's children are shared out
in proportion to the population of each municipality's settlements in the gazetteer. Every
municipal figure is therefore an estimate, and its row says how it was made.

    python scripts/build_population.py

Deterministic: a rebuild without changes gives identical bytes. Another region changes the
figures below and its gazetteer, not the site's code.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "data" / "geo" / "settlements.csv"
OUTPUT = ROOT / "data" / "population.csv"

REGION = "Кемеровская область — Кузбасс"
IN_ADDITIONAL_EDUCATION = 366_000
SHARE_IN_ADDITIONAL_EDUCATION = 0.844
REGION_CHILDREN = round(IN_ADDITIONAL_EDUCATION / SHARE_IN_ADDITIONAL_EDUCATION)
REGION_POPULATION = 2_547_684
REPORT_SOURCE = ("Отчёт области о дополнительном образовании детей за 2023 год: 366 тыс. детей 5–18 лет "
                 "в дополнительном образовании, 84,4 % возрастной группы")
POPULATION_SOURCE = "Кемеровостат (по сообщениям прессы): 2 547 684 жителя на 1 января 2024 года"
GAZETTEER_SOURCE = "data/geo/settlements.csv (HFLabs, GeoNames; население на разные даты)"

COLUMNS = ("level", "name", "children_5_18", "population", "year", "estimate", "method", "source")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def settlements_by_municipality() -> dict[str, list[tuple[str, int]]]:
    """Each municipality's settlements that have a population figure, largest first."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with open(GAZETTEER, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["municipality"]]  # a municipality whose settlements have no figure still gets a row
            if row["population"] and int(row["population"]) > 0:
                found[row["municipality"]].append((row["name"], int(row["population"])))
    return {name: sorted(places, key=lambda place: (-place[1], place[0])) for name, places in found.items()}


def municipality_rows() -> list[dict[str, str]]:
    places = settlements_by_municipality()
    known_total = sum(population for listed in places.values() for _, population in listed)
    rows = []
    for municipality in sorted(places):
        listed = places[municipality]
        known = sum(population for _, population in listed)
        if not known:  # no figure to share by: say so rather than write a zero
            rows.append({"level": "municipality", "name": municipality, "children_5_18": "", "population": "",
                         "year": "", "estimate": "yes", "method": "Нет оценки: у населённых пунктов муниципалитета "
                         "в справочнике нет численности населения.", "source": GAZETTEER_SOURCE})
            continue
        children = round(REGION_CHILDREN * known / known_total)
        names = ", ".join(f"{name} ({_thousands(population)})" for name, population in listed)
        method = (f"Оценка: {_thousands(REGION_CHILDREN)} детей 5–18 лет области распределены пропорционально "
                  f"населению населённых пунктов справочника ({_thousands(known)} из {_thousands(known_total)} чел.). "
                  f"Учтены: {names}. Сёла, которых нет в справочнике, не учтены, поэтому для сельских округов "
                  f"оценка занижена.")
        rows.append({"level": "municipality", "name": municipality, "children_5_18": str(children),
                     "population": str(known), "year": "2023", "estimate": "yes", "method": method,
                     "source": f"{REPORT_SOURCE}; {GAZETTEER_SOURCE}"})
    return rows


def region_row() -> dict[str, str]:
    method = (f"Оценка: {_thousands(IN_ADDITIONAL_EDUCATION)} детей в дополнительном образовании ÷ 84,4 % "
              f"= {_thousands(REGION_CHILDREN)} детей 5–18 лет.")
    return {"level": "region", "name": REGION, "children_5_18": str(REGION_CHILDREN),
            "population": str(REGION_POPULATION), "year": "2023", "estimate": "yes", "method": method,
            "source": f"{REPORT_SOURCE}; {POPULATION_SOURCE}"}


def main() -> None:
    rows = [region_row(), *municipality_rows()]
    with open(OUTPUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
