"""The official HSDS 3.0 schemas (the project's copy) as jsonschema validators, for records and CSV rows."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "navigator" / "outward" / "hsds_schema"


@functools.cache
def _compiled() -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / "schema" / "compiled" / "service_with_definitions.json").read_text("utf-8"))


@functools.cache
def validator(entity: str) -> jsonschema.protocols.Validator:
    """A validator of one HSDS entity (service, organization, taxonomy_term …), checking formats too."""
    compiled = _compiled()
    schema = compiled if entity == "service" else {"$ref": f"#/definitions/{entity}",
                                                   "definitions": compiled["definitions"]}
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(entity: str, record: dict[str, Any]) -> list[str]:
    return [f"{entity} {record.get('id')}: {error.message}" for error in validator(entity).iter_errors(record)]


def table_problems(folder: Path) -> tuple[int, list[str]]:
    """Validate every row of every CSV table the package's datapackage.json lists; (rows checked, problems)."""
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    checked, found = 0, []
    for resource in descriptor["resources"]:
        types = {field["name"]: field["type"] for field in resource["schema"]["fields"]}
        schema = json.loads((SCHEMA_DIR / "schema" / f"{resource['name']}.json").read_text("utf-8"))
        required = set(schema.get("tabular_required", []))
        # CSV cannot tell an empty string from a missing value: a required field may be written empty.
        may_be_empty = set(schema.get("required", []))
        with open(folder / resource["path"], encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert set(reader.fieldnames) == set(types), resource["path"]
            for row in reader:
                record = {key: float(value) if types[key] == "number" else value
                          for key, value in row.items() if value != "" or key in may_be_empty}
                found += problems(resource["name"], record)
                found += [f"{resource['name']} {row['id']}: {name} is empty" for name in required if not row[name]]
                checked += 1
    return checked, found
