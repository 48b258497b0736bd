"""`navigator export --format hsds DIR`: the catalogue as an HSDS 3.0 tabular data package and as JSON.

The fully nested service records (navigator.outward.hsds) are the one source: the JSON file holds
them as they are, and the CSV tables are the same records flattened (the reader's own flatten, so
what is written is what is read back). The datapackage.json keeps the official HSDS 3.0 table
schemas (CC BY-SA 4.0, Open Referral; see hsds_schema/README.md) of the tables written.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from navigator.catalogue.importer.hsds import flatten
from navigator.outward.hsds import Place, service_record, taxonomy_records, taxonomy_term_records
from navigator.outward.hsds_queries import active_programs, profiles_in_use

SCHEMA_DIR = Path(__file__).parent / "hsds_schema"
JSON_FILE = "services.json"
BATCH = 1000


def official_descriptor() -> dict[str, Any]:
    """The HSDS 3.0 datapackage.json as Open Referral publishes it."""
    return json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))


@dataclass
class ExportSummary:
    services: int
    tables: dict[str, int]

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.tables.items())
        return f"{self.services} services; tables: {counts}"


def write_package(session: Session, folder: Path, place: Place) -> ExportSummary:
    """Write datapackage.json, one CSV per HSDS table used, and services.json into folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    services = [service_record(program, place)
                for program in session.scalars(active_programs().execution_options(yield_per=BATCH))]
    tables = flatten(services, "service")
    tables["taxonomy"] = {record["id"]: record for record in taxonomy_records()}
    tables["taxonomy_term"] = {record["id"]: record for record in taxonomy_term_records(profiles_in_use(session))}
    descriptor = official_descriptor()
    resources = [resource for resource in descriptor["resources"] if resource["name"] in tables]
    for resource in resources:
        _write_table(folder / resource["path"], [f["name"] for f in resource["schema"]["fields"]],
                     tables[resource["name"]].values())
    descriptor.update(
        name="navigator-hsds", title="Навигатор дополнительного образования детей — каталог в HSDS 3.0",
        description="Действующие программы (services), организации, места проведения и классификаторы "
                    "Навигатора; описание соответствия полей — docs/hsds.md.",
        resources=resources,
        sources=[{"title": "Open Referral HSDS 3.0 table schemas (CC BY-SA 4.0)",
                  "path": "https://github.com/openreferral/specification/tree/3.0"}])
    descriptor.pop("license", None)  # that licence is the specification's; the data's is the publisher's
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / JSON_FILE).write_text(json.dumps(services, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return ExportSummary(len(services), {resource["name"]: len(tables[resource["name"]]) for resource in resources})


def _write_table(path: Path, columns: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)

