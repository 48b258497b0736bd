"""Read an Open Referral HSDS 3.0 package (CSV tables or JSON) as rows of our import columns.

The rows then take the CSV's road: the same validation (validate_record, consistency rules) and the
same all-or-nothing apply. A package is first flattened into HSDS tables (nested JSON and CSV end up
alike), then each active service at each of its locations becomes one row (a program at one venue).

What HSDS does not carry in our terms is read back from our own taxonomies when the package is ours
(navigator.catalogue.hsds_terms), recognised by name when it is not (a term named «Техническая» is
the direction), and otherwise taken from `defaults` (column → value), each use counted. The
municipality is the address's region, else its city. docs/hsds.md describes the rules.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from navigator.catalogue.hsds_terms import (
    BY_ID,
    BY_KEY,
    DIRECTION,
    IDENTIFIER_SCHEME,
    IDENTIFIER_TYPE,
    ORGANIZATION_TYPE,
    OVZ,
    PROFILE,
    PROPERTY,
    record_id,
)
from navigator.catalogue.importer import ApplySummary, apply_parsed
from navigator.catalogue.importer.reading import (
    ImportRejected,
    ParsedFile,
    Progress,
    RowError,
    check_rows,
    no_progress,
)
from navigator.catalogue.models import utcnow
from navigator.catalogue.validation import COLUMNS, ID_PATTERN, MAX_AGE
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, OVZ_CATEGORIES

#: Where a nested record's key leads: the HSDS table (resource) of the records under it.
KEY_RESOURCES = {
    "organization": "organization", "program": "program", "programs": "program", "services": "service",
    "service_at_locations": "service_at_location", "location": "location", "locations": "location",
    "addresses": "address", "attributes": "attribute", "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy", "cost_options": "cost_option", "schedules": "schedule", "phones": "phone",
    "contacts": "contact", "languages": "language", "funding": "funding", "service_areas": "service_area",
    "required_documents": "required_document", "accessibility": "accessibility", "metadata": "metadata",
    "organization_identifiers": "organization_identifier",
}
#: CSV file of each table in an HSDS package without a datapackage.json (the names HSDS 3.0 gives them).
DEFAULT_PATHS = {"organization": "organizations.csv", "service": "services.csv", "location": "locations.csv",
                 "address": "addresses.csv", "service_at_location": "service_at_location.csv",
                 "attribute": "attributes.csv", "taxonomy_term": "taxonomy_terms.csv", "taxonomy": "taxonomies.csv",
                 "cost_option": "cost_options.csv", "schedule": "schedules.csv", "phone": "phones.csv",
                 "organization_identifier": "organization_identifiers.csv"}
Tables = dict[str, dict[str, dict[str, Any]]]


def flatten(records: Iterable[Mapping[str, Any]], resource: str, tables: Tables | None = None) -> Tables:
    """Nested HSDS records → {table: {id: row of scalar fields}}; links implied by nesting are filled in."""
    tables = {} if tables is None else tables
    for record in records:
        _flatten_one(dict(record), resource, tables)
    return tables


def _flatten_one(record: dict[str, Any], resource: str, tables: Tables) -> str:
    row = {key: value for key, value in record.items() if not isinstance(value, list | dict)}
    row["id"] = str(row.get("id") or f"{resource}-without-id-{len(tables.get(resource, {})) + 1}")
    for key, value in record.items():
        child_resource = KEY_RESOURCES.get(key)
        if child_resource is None or not value:
            continue
        if isinstance(value, dict):
            row.setdefault(f"{child_resource}_id", _flatten_one(dict(value), child_resource, tables))
            continue
        for child in value:
            child = dict(child)
            if child_resource == "attribute":
                child.setdefault("link_id", row.get("id"))
                child.setdefault("link_entity", resource)
            else:
                child.setdefault(f"{resource}_id", row.get("id"))
            _flatten_one(child, child_resource, tables)
    tables.setdefault(resource, {}).setdefault(row["id"], row)
    return row["id"]


def read_package(path: Path) -> tuple[Tables, dict[str, int], bytes]:
    """The package's tables, the line (CSV) or position (JSON) of each service, and the bytes read."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".json" and path.name != "datapackage.json":
        data = path.read_bytes()
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as problem:
            raise ImportRejected([RowError(1, None, f"{path.name} is not UTF-8 JSON: {problem}")]) from None
        services = document.get("contents", [document]) if isinstance(document, dict) else document
        return flatten(services, "service"), {str(s.get("id")): n for n, s in enumerate(services, 1)}, data
    folder = path if path.is_dir() else path.parent
    paths = dict(DEFAULT_PATHS)
    if (folder / "datapackage.json").is_file():
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig"))
        paths.update({resource["name"]: resource["path"] for resource in descriptor.get("resources", [])})
    elif not (folder / paths["service"]).is_file() and len(list(folder.glob("*.json"))) == 1:
        return read_package(next(folder.glob("*.json")))
    tables: Tables = {}
    lines: dict[str, int] = {}
    digest = hashlib.sha256()
    for resource, name in paths.items():
        if (folder / name).is_file():
            data = (folder / name).read_bytes()
            digest.update(data)
            try:
                tables[resource] = _csv_table(data, lines if resource == "service" else None)
            except UnicodeDecodeError:
                raise ImportRejected([RowError(1, None, f"{name} is not UTF-8 text")]) from None
    if "service" not in tables:
        raise ImportRejected([RowError(1, None, f"no services in {path}: expected {paths['service']} or a JSON "
                                                "file of services")])
    return tables, lines, digest.digest()


def _csv_table(data: bytes, lines: dict[str, int] | None) -> dict[str, dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    table: dict[str, dict[str, Any]] = {}
    for row in reader:
        cleaned = {key: value for key, value in row.items() if key and value not in (None, "")}
        table.setdefault(cleaned.get("id", ""), cleaned)
        if lines is not None:
            lines.setdefault(cleaned.get("id", ""), reader.line_num)
    return table


@dataclass
class PackageRows:
    """What the reader made of a package: our rows by line, warnings, and how often each default was used."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    defaulted: Counter = field(default_factory=Counter)


class _Package:
    """Indexes over the tables: each service's attributes, locations, costs and schedules."""

    def __init__(self, tables: Tables):
        self.tables = tables
        self.by_link: dict[str, list[dict]] = defaultdict(list)
        for attribute in tables.get("attribute", {}).values():
            self.by_link[str(attribute.get("link_id"))].append(attribute)
        self.children: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for resource, key in (("service_at_location", "service_id"), ("cost_option", "service_id"),
                              ("schedule", "service_id"), ("address", "location_id"), ("phone", "organization_id"),
                              ("location", "organization_id"), ("organization_identifier", "organization_id")):
            for row in tables.get(resource, {}).values():
                self.children[(resource, str(row.get(key)))].append(row)

    def get(self, resource: str, key: Any) -> dict[str, Any]:
        return self.tables.get(resource, {}).get(str(key), {})

    def terms(self, link_id: str) -> list[tuple[str, dict, dict]]:
        """(our taxonomy key or "", term, attribute) of each attribute of the record."""
        found = []
        for attribute in self.by_link.get(link_id, []):
            term = self.get("taxonomy_term", attribute.get("taxonomy_term_id"))
            ours = BY_ID.get(term.get("taxonomy_id", "")) or BY_KEY.get(term.get("taxonomy", ""))
            found.append((ours.key if ours else "", term, attribute))
        return found


def package_rows(tables: Tables, lines: Mapping[str, int], defaults: Mapping[str, str] | None = None) -> PackageRows:
    """Our rows for every active service at each of its locations, with warnings and defaults used."""
    package, result = _Package(tables), PackageRows()
    defaults = dict(defaults or {})
    for position, service in enumerate(tables.get("service", {}).values(), 1):
        line = lines.get(str(service.get("id")), position)
        if service.get("status", "active") != "active":
            result.warnings.append(RowError(line, "status", "the service is not active; skipped",
                                            str(service.get("status"))))
            continue
        base = _service_columns(package, service, line, result)
        if base is None:
            continue
        places = package.children[("service_at_location", str(service.get("id")))]
        locations = [package.get("location", place.get("location_id")) for place in places] or \
            package.children[("location", str(service.get("organization_id")))][:1] or [{}]
        for number, location in enumerate(locations):
            row = dict(base, **_location_columns(package, location))
            if len(locations) > 1:
                row["program_id"] = _our_id("service_at_location", str(places[number].get("id")))
            for column, value in defaults.items():
                if not row.get(column):
                    row[column] = value
                    result.defaulted[column] += 1
            result.rows.append((line, {column: row.get(column) or "" for column in COLUMNS}))
    return result


def _our_id(kind: str, hsds_id: str) -> str:
    """The HSDS id as our code when it is one we accept (a UUID is), else a UUID made from it."""
    return hsds_id if ID_PATTERN.match(hsds_id) and len(hsds_id) <= 64 else record_id(kind, hsds_id)


def _service_columns(package: _Package, service: dict, line: int,
                     result: PackageRows) -> dict[str, str | None] | None:
    """Our columns of a service, None for a missing value (package_rows makes it empty); None when not for children."""
    sid = str(service.get("id"))
    ages = _ages(service.get("minimum_age"), service.get("maximum_age"))
    if ages is None:
        result.warnings.append(RowError(line, "minimum_age", "the service is not for children (0–18); skipped",
                                        str(service.get("minimum_age"))))
        return None
    if ages[2]:
        result.warnings.append(RowError(line, "maximum_age", f"ages above {MAX_AGE} are cut to {MAX_AGE}",
                                        str(service.get("maximum_age"))))
    organization = package.get("organization", service.get("organization_id"))
    row = {"program_id": _our_id("service", sid), "title": service.get("name"),
           "description": service.get("description"), "age_min": str(ages[0]), "age_max": str(ages[1]),
           "program_url": service.get("url"), "updated": str(service.get("assured_date") or "")[:10],
           "schedule": "; ".join(s["description"] for s in package.children[("schedule", sid)]
                                 if s.get("description"))}
    row.update(_classification(package, sid))
    options = package.children[("cost_option", sid)]
    row.update(_costs(options))
    for currency in sorted({str(o["currency"]) for o in options if o.get("currency") not in (None, "", "RUB")}):
        result.warnings.append(RowError(line, "price_rub", "the amount is taken as is, as rubles per month",
                                        currency))
    row.update(_organization_columns(package, organization, str(service.get("organization_id") or "")))
    return row


def _float(value: Any) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _ages(low: Any, high: Any) -> tuple[int, int, bool] | None:
    """(min, max, whether max was cut) in whole years within 0–18; None when nothing is left for children."""
    low = math.floor(_float(low) or 0)
    top = _float(high)
    high = MAX_AGE if top is None else math.ceil(top)
    if low > MAX_AGE:
        return None
    return max(low, 0), min(high, MAX_AGE), high > MAX_AGE


def _classification(package: _Package, sid: str) -> dict[str, str]:
    """Direction, profile, ОВЗ and the properties from the service's attributes."""
    row: dict[str, str] = {}
    ovz = []
    for key, term, attribute in package.terms(sid):
        code, name = str(term.get("code") or ""), str(term.get("name") or "")
        if key == DIRECTION.key or (not key and (DIRECTIONS.lookup(code) or DIRECTIONS.lookup(name))
                                    and "direction" not in row):
            found = DIRECTIONS.lookup(code) or DIRECTIONS.lookup(name)
            row["direction"] = found.label if found else name
        elif key == PROFILE.key:
            row["profile"] = name
        elif key == OVZ.key:
            found = OVZ_CATEGORIES.lookup(code) or OVZ_CATEGORIES.lookup(name)
            ovz.append(found.label if found else name)
        elif key == PROPERTY.key and code != "district":
            row[code] = str(attribute.get("value") or "")
    if ovz:
        row["ovz"] = "; ".join(ovz)
    return row


def _costs(options: list[dict]) -> dict[str, str]:
    """Enrollment kinds and the monthly price from cost options (ours by label; others by amount)."""
    kinds, price = [], None
    for option in options:
        term = ENROLLMENT_KINDS.lookup(str(option.get("option") or ""))
        amount = _float(option.get("amount"))
        kind = term.code if term else ("paid" if amount else "free")
        kinds.append(kind)
        if kind == "paid" and amount is not None:
            price = str(round(amount))
    labels = [ENROLLMENT_KINDS.label(code) for code in ENROLLMENT_KINDS.codes if code in kinds]
    return {"enrollment": "; ".join(labels), "price_rub": price or ""}


def _organization_columns(package: _Package, organization: dict, oid: str) -> dict[str, str | None]:
    phones = package.children[("phone", oid)]
    kind = next((term.get("code") for key, term, _ in package.terms(oid) if key == ORGANIZATION_TYPE.key), "")
    code = next((i.get("identifier") for i in package.children[("organization_identifier", oid)]
                 if (i.get("identifier_scheme"), i.get("identifier_type")) == (IDENTIFIER_SCHEME, IDENTIFIER_TYPE)),
                None) or (_our_id("organization", oid) if oid else "")
    return {"organization_id": code, "organization": organization.get("name"),
            "organization_type": kind, "phone": phones[0].get("number") if phones else "",
            "email": organization.get("email"), "website": organization.get("website")}


def _location_columns(package: _Package, location: dict) -> dict[str, str]:
    lid = str(location.get("id"))
    addresses = sorted(package.children[("address", lid)], key=lambda a: a.get("address_type") != "physical")
    if not addresses:
        return {"address": location.get("name") or "", "lat": str(location.get("latitude") or ""),
                "lon": str(location.get("longitude") or "")}
    address = addresses[0]
    district = next((str(attribute.get("value") or "") for key, term, attribute in package.terms(str(address["id"]))
                     if key == PROPERTY.key and term.get("code") == "district"), "")
    street = ", ".join(str(address[part]) for part in ("address_1", "address_2") if address.get(part))
    return {"address": street, "municipality": address.get("region") or address.get("city") or "",
            "district": district, "lat": _number(location.get("latitude")), "lon": _number(location.get("longitude"))}


def _number(value: Any) -> str:
    return "" if value in (None, "") else str(value)


@dataclass
class PackageImport:
    summary: ApplySummary
    warnings: list[RowError]
    defaulted: Counter


def import_package(session: Session, path: Path, *, defaults: Mapping[str, str] | None = None,
                   dry_run: bool = False, archive_missing: bool = False, progress: Progress = no_progress,
                   inside_region: Callable[[float, float], bool] | None = None) -> PackageImport:
    """Read, validate and apply an HSDS package all or nothing; points outside the region only warn."""
    started = utcnow()
    tables, lines, data = read_package(Path(path))
    read = package_rows(tables, lines, defaults)
    records, errors = check_rows(read.rows, progress)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))
    warnings = read.warnings + [
        RowError(line, "lat", "the point lies outside the region's boundaries", f"{record.lat}, {record.lon}")
        for line, record in records
        if inside_region is not None and record.lat is not None and record.lon is not None
        and not inside_region(record.lat, record.lon)]
    parsed = ParsedFile(Path(path).name, hashlib.sha256(data).hexdigest(), records)
    summary = apply_parsed(session, parsed, started, dry_run=dry_run, archive_missing=archive_missing)
    return PackageImport(summary, sorted(warnings, key=lambda warning: warning.line), read.defaulted)


__all__ = ["PackageImport", "flatten", "import_package", "package_rows", "read_package"]
