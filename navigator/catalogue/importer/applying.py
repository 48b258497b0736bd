"""Apply validated records to the database: upsert by program_id and organization_id.

All writes go through set-based statements (bulk insert / update by primary key) so that a
100,000-row file applies in seconds; the caller owns the transaction and commits it whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from navigator.catalogue.importer.issues import Findings
from navigator.catalogue.models import (
    District,
    Municipality,
    Organization,
    Program,
    ProgramEnrollment,
    ProgramOvz,
    Venue,
    utcnow,
)
from navigator.catalogue.validation import ProgramRecord
from navigator.catalogue.vocab import ENROLLMENT_KINDS, OVZ_CATEGORIES

# Program columns compared to decide whether a row changed (the two lists are compared separately).
PROGRAM_COLUMNS = ("title", "description", "direction", "profile", "age_min", "age_max", "price_rub",
                   "seats_total", "seats_free", "format", "schedule", "duration", "teacher", "rating",
                   "rating_count", "program_url", "source_updated", "status", "organization_id", "venue_id")
ORGANIZATION_COLUMNS = ("name", "type", "phone", "email", "website")
CONTACT_COLUMNS = ("phone", "email", "website")
VENUE_COLUMNS = ("municipality_id", "district_id", "lat", "lon", "point_source", "precision")
CHUNK = 2000  # ids per IN (...) list, well below SQLite's variable limit
# Rows per executemany: the driver's copy of the parameters lives only as long as one chunk.
INSERT_CHUNK = 10_000


@dataclass
class ApplySummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    changed_program_ids: set[int] = field(default_factory=set)
    findings: Findings = field(default_factory=Findings)

    def __str__(self) -> str:
        return (f"{self.rows} rows: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.archived} archived")


def apply_records(session: Session, records: list[ProgramRecord], *, archive_missing: bool = False,
                  contacts: dict[str, dict[str, str | None]] | None = None) -> ApplySummary:
    """Upsert records (already validated and consistent) in the session's transaction.

    contacts: the programs' own contacts by program_id when the source states them (an import: a
    program not in it has none of its own); None leaves the programs' own contacts as they are.
    """
    summary = ApplySummary(rows=len(records))
    municipality_ids = _ensure_municipalities(session, {r.municipality for r in records})
    district_ids = _ensure_districts(session, {(municipality_ids[r.municipality], r.district)
                                               for r in records if r.district})
    organization_ids, changed_orgs = _upsert_organizations(session, records)
    venue_ids, changed_venues = _upsert_venues(session, records, organization_ids, municipality_ids, district_ids)
    _upsert_programs(session, records, organization_ids, venue_ids, summary, contacts)
    if archive_missing:
        _archive_missing(session, records, organization_ids, summary)
    summary.changed_program_ids |= _program_ids_of(session, changed_orgs, changed_venues)
    return summary


def _ensure_municipalities(session: Session, names: set[str]) -> dict[str, int]:
    known = dict(session.execute(select(Municipality.name, Municipality.id)).all())
    for name in sorted(names - known.keys()):
        known[name] = session.execute(insert(Municipality).values(name=name).returning(Municipality.id)).scalar_one()
    return known


def _ensure_districts(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    known = {(m, n): i for i, m, n in session.execute(select(District.id, District.municipality_id, District.name))}
    for municipality_id, name in sorted(keys - known.keys()):
        known[(municipality_id, name)] = session.execute(
            insert(District).values(municipality_id=municipality_id, name=name).returning(District.id)).scalar_one()
    return known


def _upsert_organizations(session: Session, records: list[ProgramRecord]) -> tuple[dict[str, int], set[int]]:
    wanted: dict[str, dict[str, str | None]] = {}  # the organization's columns by its public id
    for r in records:
        wanted.setdefault(r.organization_id, dict(public_id=r.organization_id, name=r.organization,
                                                  type=r.organization_type, phone=r.phone, email=r.email,
                                                  website=r.website))
    existing = {row.public_id: row for row in _rows_in(
        session, _compared(Organization, ORGANIZATION_COLUMNS, "public_id"), "public_id", wanted)}
    ids, changed = {}, set()
    updates = []
    for public_id, values in wanted.items():
        row = existing.get(public_id)
        if row is None:
            continue
        ids[public_id] = row.id
        if _differs(row, values, ORGANIZATION_COLUMNS):
            updates.append(dict(values, id=row.id, updated_at=utcnow()))
            changed.add(row.id)
    new = [values for public_id, values in wanted.items() if public_id not in existing]
    ids.update(_insert_returning(session, Organization, new, "public_id"))
    _bulk_update(session, Organization, updates)
    return ids, changed


def _upsert_venues(session: Session, records: list[ProgramRecord], organization_ids: dict[str, int],
                   municipality_ids: dict[str, int], district_ids: dict) -> tuple[dict, set[int]]:
    existing = {(row.organization_id, row.address): row for row in _rows_in(
        session, _compared(Venue, VENUE_COLUMNS, "organization_id", "address"), "organization_id",
        set(organization_ids.values()))}
    ids, changed, updates, new = {}, set(), [], {}
    for r in records:
        key = (organization_ids[r.organization_id], r.address)
        if key in ids or key in new:
            continue
        municipality_id = municipality_ids[r.municipality]
        values = dict(organization_id=key[0], address=r.address, municipality_id=municipality_id,
                      district_id=district_ids.get((municipality_id, r.district)) if r.district else None,
                      **_venue_point(r, existing.get(key)))
        row = existing.get(key)
        if row is None:
            new[key] = values
            continue
        ids[key] = row.id
        if _differs(row, values, VENUE_COLUMNS):
            updates.append(dict(values, id=row.id))
            changed.add(row.id)
    ids.update(_insert_returning(session, Venue, list(new.values()), "organization_id", "address"))
    _bulk_update(session, Venue, updates)
    return ids, changed


def _venue_point(record: ProgramRecord, row) -> dict:
    """The provider's point wins; without one, keep a point the geocoder found earlier."""
    if record.lat is not None:
        return dict(lat=record.lat, lon=record.lon, point_source="provider", precision="building")
    if row is not None and row.lat is not None and row.point_source != "provider":
        return dict(lat=row.lat, lon=row.lon, point_source=row.point_source, precision=row.precision)
    return dict(lat=None, lon=None, point_source=None, precision="none")


def _program_values(record: ProgramRecord, organization_ids: dict[str, int], venue_ids: dict) -> dict:
    organization_id = organization_ids[record.organization_id]
    return dict(
        title=record.title, description=_own_copy(record.description), direction=record.direction,
        profile=record.profile,
        age_min=record.age_min, age_max=record.age_max, price_rub=record.price_rub,
        seats_total=record.seats_total, seats_free=record.seats_free, format=record.format,
        schedule=record.schedule, duration=record.duration, teacher=record.teacher, rating=record.rating,
        rating_count=record.rating_count, program_url=record.program_url, source_updated=record.updated,
        status="active", organization_id=organization_id, venue_id=venue_ids[(organization_id, record.address)])


def _own_copy(text: str) -> str:
    """A new string equal to text, for the driver.

    Binding a non-ASCII str, sqlite3 and psycopg ask for its UTF-8 form, which CPython then keeps
    inside the str object for as long as it lives. The records live until the whole file is applied,
    so their descriptions would each carry a second, UTF-8 copy: 85 MB for 100,000 programs. A copy
    made for the statement takes that with it when the chunk is done.
    """
    return text.encode().decode() if not text.isascii() else text


def _upsert_programs(session: Session, records: list[ProgramRecord], organization_ids: dict[str, int],
                     venue_ids: dict, summary: ApplySummary, contacts: dict | None) -> None:
    columns = PROGRAM_COLUMNS if contacts is None else PROGRAM_COLUMNS + CONTACT_COLUMNS
    no_contact = dict.fromkeys(CONTACT_COLUMNS)

    def values_of(r: ProgramRecord) -> dict:
        values = _program_values(r, organization_ids, venue_ids)
        if contacts is not None:
            values.update(contacts.get(r.program_id, no_contact))
        return values

    existing = {row.public_id: row for row in _rows_in(
        session, _compared(Program, columns, "public_id"), "public_id",
        {r.program_id for r in records})}
    existing_ids = {row.id for row in existing.values()}
    enrollments = _lists_by_program(session, ProgramEnrollment.kind, ENROLLMENT_KINDS.codes, existing_ids)
    ovz = _lists_by_program(session, ProgramOvz.category, OVZ_CATEGORIES.codes, existing_ids)
    new, updates, relisted = [], [], {}
    now = utcnow()
    for r in records:
        row = existing.get(r.program_id)
        if row is None:
            new.append(r)
            continue
        values = values_of(r)
        lists_changed = enrollments.get(row.id, ()) != r.enrollment or ovz.get(row.id, ()) != r.ovz
        if lists_changed or _differs(row, values, columns):
            updates.append(dict(values, id=row.id, updated_at=now))
            if lists_changed:
                relisted[row.id] = r
        else:
            summary.unchanged += 1
    _bulk_update(session, Program, updates)
    for ids in _chunks(list(relisted)):
        session.execute(delete(ProgramEnrollment).where(ProgramEnrollment.program_id.in_(ids)))
        session.execute(delete(ProgramOvz).where(ProgramOvz.program_id.in_(ids)))
    created = {}
    for chunk in _chunks(new, INSERT_CHUNK):  # a chunk's dicts at a time, not the whole file's
        created.update(_insert_returning(session, Program, [
            dict(values_of(r), public_id=r.program_id, created_at=now, updated_at=now) for r in chunk], "public_id"))
    relisted.update({created[r.program_id]: r for r in new})
    _insert_lists(session, relisted)
    summary.created, summary.updated = len(new), len(updates)
    summary.changed_program_ids |= set(created.values()) | {values["id"] for values in updates}


def _insert_lists(session: Session, records_by_program_id: dict[int, ProgramRecord]) -> None:
    items = list(records_by_program_id.items())
    for model, column, attribute in ((ProgramEnrollment, "kind", "enrollment"), (ProgramOvz, "category", "ovz")):
        inserted = 0
        for chunk in _chunks(items, INSERT_CHUNK):
            rows = [{"program_id": pid, column: code} for pid, r in chunk for code in getattr(r, attribute)]
            if rows:
                session.execute(insert(model.__table__), rows)
                inserted += len(rows)
        _analyze(session, model.__table__, inserted)


def _archive_missing(session: Session, records: list[ProgramRecord], organization_ids: dict[str, int],
                     summary: ApplySummary) -> None:
    """Archive active programs of the file's organizations that the file no longer lists."""
    listed = {r.program_id for r in records}
    candidates = session.execute(select(Program.id, Program.public_id).where(
        Program.organization_id.in_(set(organization_ids.values())), Program.status == "active")).all()
    gone = [row.id for row in candidates if row.public_id not in listed]
    _bulk_update(session, Program, [dict(id=pid, status="archived", updated_at=utcnow()) for pid in gone])
    summary.archived = len(gone)
    summary.changed_program_ids |= set(gone)


def _program_ids_of(session: Session, organization_ids: set[int], venue_ids: set[int]) -> set[int]:
    """Programs whose indexed organization or venue details changed."""
    found: set[int] = set()
    for column, ids in ((Program.organization_id, organization_ids), (Program.venue_id, venue_ids)):
        for chunk in _chunks(list(ids)):
            found.update(session.scalars(select(Program.id).where(column.in_(chunk))))
    return found


def _lists_by_program(session: Session, column, order: tuple[str, ...],
                      program_ids: set[int]) -> dict[int, tuple[str, ...]]:
    position = {code: index for index, code in enumerate(order)}
    lists: defaultdict[int, list[str]] = defaultdict(list)
    table = column.class_.__table__
    for program_id, code in _rows_in(session, select(table.c.program_id, table.c[column.key]), "program_id",
                                     program_ids):
        lists[program_id].append(code)
    return {pid: tuple(sorted(codes, key=lambda code: position.get(code, len(order)))) for pid, codes in lists.items()}


def _rows_in(session: Session, statement, column: str, values: Iterable) -> list:
    """The statement's rows whose column is one of values: only what the records touch, not whole tables.

    A reviewer's approval applies one record to a catalogue of 100,000 programs; reading only its own
    rows keeps that at milliseconds, while a whole-file import reads about as much as before.
    """
    rows: list = []
    where = statement.selected_columns[column]
    for chunk in _chunks(sorted(values)):
        rows.extend(session.execute(statement.where(where.in_(chunk))).all())
    return rows


def _insert_returning(session: Session, model, rows: list[dict], *key: str) -> dict:
    """Insert rows; the ids of the table's rows by key (one column, or a tuple of several).

    A plain executemany, then the ids read back by key. Not the ORM's bulk insert (it groups rows by
    which values are None and splices every group's RETURNING rows onto all the earlier ones: a
    100,000-row import was quadratic), nor INSERT … RETURNING in batches (psycopg re-parses each
    batch's 20,000 placeholders: three quarters of a PostgreSQL import).
    """
    if not rows:
        return {}
    table = model.__table__
    for chunk in _chunks(rows, INSERT_CHUNK):
        session.execute(insert(table), chunk)
    _analyze(session, table, len(rows))
    found = _rows_in(session, select(table.c.id, *(table.c[name] for name in key)), key[0],
                     {row[key[0]] for row in rows})
    if len(key) == 1:
        return {value: row_id for row_id, value in found}
    return {tuple(values): row_id for row_id, *values in found}


def _analyze(session: Session, table, inserted: int) -> None:
    """Give PostgreSQL's planner statistics of a table that has just grown a lot.

    Without them it plans the IN (...) lists that read rows back as sequential scans that compare every
    row with every value — seconds a list once psycopg prepares the repeated statement — and so would
    the next import until autovacuum came by. ANALYZE sees this transaction's own rows.
    """
    if inserted >= CHUNK and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {table.name}"))


def _bulk_update(session: Session, model, rows: list[dict]) -> None:
    for chunk in _chunks(rows, INSERT_CHUNK):
        session.execute(update(model), chunk)


def _compared(model, names: tuple[str, ...], *keys: str):
    """Select the compared columns first (see _differs), then the id and the key columns.

    Table columns, not ORM attributes: Core rows come back several times faster than ORM ones.
    """
    table = model.__table__
    return select(*(table.c[name] for name in (*names, "id", *keys)))


def _differs(row, values: dict, names: tuple[str, ...]) -> bool:
    """Whether a row read by _compared holds other values than these: one tuple comparison per row."""
    return row[:len(names)] != itemgetter(*names)(values)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]
