"""`navigator export --format hsds DIR`: the catalogue as an HSDS 3.0 tabular data package and as JSON.

The fully nested service records (navigator.outward.hsds) are the one source: the JSON file holds
them as they are, and the CSV tables are the same records flattened (the reader's own flatten, so
what is written is what is read back). The datapackage.json keeps the official HSDS 3.0 table
schemas (CC BY-SA 4.0, Open Referral; see hsds_schema/README.md) of the tables written.
"""

from __future__ import annotations

import csv
import json
from contextlib import ExitStack
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


#: The HSDS tables our records fill (the rest of HSDS 3.0's 21 stay unwritten).
TABLES = frozenset({"organization", "organization_identifier", "phone", "service", "service_at_location", "location",
                    "address", "schedule", "cost_option", "attribute", "taxonomy", "taxonomy_term"})
# Tables whose rows many services share: written once each (a service's own rows are unique by construction).
SHARED = frozenset({"organization", "organization_identifier", "phone", "location", "address"})


def write_package(session: Session, folder: Path, place: Place) -> ExportSummary:
    """Write datapackage.json, one CSV per HSDS table we fill, and services.json into folder.

    Services are streamed: one batch of programs at a time is in memory, plus the ids of shared rows.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = official_descriptor()
    resources = [resource for resource in descriptor["resources"] if resource["name"] in TABLES]
    counts = dict.fromkeys((resource["name"] for resource in resources), 0)
    seen: set[tuple[str, str]] = set()
    with ExitStack() as files:
        writers = {resource["name"]: _table_writer(files, folder / resource["path"], resource)
                   for resource in resources}

        def write(table: str, rows) -> None:
            for row in rows:
                shared = table in SHARED or (table == "attribute" and row.get("link_entity") != "service")
                if shared and (table, row["id"]) in seen:
                    continue
                if shared:
                    seen.add((table, row["id"]))
                writers[table].writerow(row)
                counts[table] += 1

        services = files.enter_context(open(folder / JSON_FILE, "w", encoding="utf-8"))
        services.write("[")
        for number, program in enumerate(session.scalars(active_programs().execution_options(yield_per=BATCH))):
            record = service_record(program, place)
            services.write(("," if number else "") + json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            for table, rows in flatten([record], "service").items():
                if table != "taxonomy_term":  # all terms are written below, once
                    write(table, rows.values())
        services.write("]")
        write("taxonomy", taxonomy_records())
        write("taxonomy_term", taxonomy_term_records(profiles_in_use(session)))
    descriptor.update(
        name="navigator-hsds", title="Навигатор дополнительного образования детей — каталог в HSDS 3.0",
        description="Действующие программы (services), организации, места проведения и классификаторы "
                    "Навигатора; описание соответствия полей — docs/hsds.md.",
        resources=resources,
        sources=[{"title": "Open Referral HSDS 3.0 table schemas (CC BY-SA 4.0)",
                  "path": "https://github.com/openreferral/specification/tree/3.0"}])
    descriptor.pop("license", None)  # that licence is the specification's; the data's is the publisher's
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return ExportSummary(counts["service"], counts)


def _table_writer(files: ExitStack, path: Path, resource: dict[str, Any]) -> csv.DictWriter:
    handle = files.enter_context(open(path, "w", encoding="utf-8", newline=""))  # noqa: SIM115 — the stack closes it
    writer = csv.DictWriter(handle, fieldnames=[f["name"] for f in resource["schema"]["fields"]],
                            extrasaction="ignore")
    writer.writeheader()
    return writer
