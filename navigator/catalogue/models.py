"""The data model: where programs are held, by whom, for whom.

Vocabulary values (directions, enrollment kinds, ОВЗ categories, formats) are stored as their codes
from navigator.catalogue.vocab; multi-valued ones get their own tables so the database can filter on them.
Municipalities and districts are created by the data, never hard-coded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from navigator.catalogue.vocab import ENROLLMENT_KINDS, OVZ_CATEGORIES
from navigator.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    districts: Mapped[list[District]] = relationship(back_populates="municipality", order_by="District.name")


class District(Base):
    """A city district or a settlement within a municipality."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    municipality: Mapped[Municipality] = relationship(back_populates="districts")


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    venues: Mapped[list[Venue]] = relationship(back_populates="organization")
    programs: Mapped[list[Program]] = relationship(back_populates="organization")


class Venue(Base):
    """A place where programs are held; its point carries how exact it is and where it came from."""

    __tablename__ = "venue"
    __table_args__ = (
        UniqueConstraint("organization_id", "address"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="point_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    address: Mapped[str] = mapped_column(String(500))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    precision: Mapped[str] = mapped_column(String(16), default="none")
    point_source: Mapped[str | None] = mapped_column(String(16))

    organization: Mapped[Organization] = relationship(back_populates="venues")
    municipality: Mapped[Municipality] = relationship()
    district: Mapped[District | None] = relationship()
    programs: Mapped[list[Program]] = relationship(back_populates="venue")


class Program(Base):
    """One program at one venue (a program held at several venues is one row per venue)."""

    __tablename__ = "program"
    __table_args__ = (
        CheckConstraint("age_min >= 0 AND age_max <= 18 AND age_min <= age_max", name="ages"),
        CheckConstraint("seats_free IS NULL OR (seats_free >= 0 AND seats_free <= seats_total)", name="seats"),
        Index("ix_program_status_direction", "status", "direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str | None] = mapped_column(String(200))
    age_min: Mapped[int]
    age_max: Mapped[int]
    price_rub: Mapped[int | None]
    seats_total: Mapped[int | None]
    seats_free: Mapped[int | None]
    format: Mapped[str] = mapped_column(String(16), default="in_person")
    schedule: Mapped[str | None] = mapped_column(String(500))
    duration: Mapped[str | None] = mapped_column(String(200))
    teacher: Mapped[str | None] = mapped_column(String(300))
    rating: Mapped[float | None]
    rating_count: Mapped[int | None]
    program_url: Mapped[str | None] = mapped_column(String(500))
    # The program's own contacts, only where the source gives it other ones than its organization's
    # (a section with its own phone); empty means «ask the organization».
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    source_updated: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Applications through this site (navigator.enrollment); off when the provider enrolls elsewhere.
    takes_applications: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="programs")
    venue: Mapped[Venue] = relationship(back_populates="programs")
    enrollments: Mapped[list[ProgramEnrollment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    ovz_adaptations: Mapped[list[ProgramOvz]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def contact(self) -> dict[str, str | None]:
        """Phone, e-mail and website: the program's own where it has one, else its organization's."""
        organization = self.organization
        return {"phone": self.phone or organization.phone, "email": self.email or organization.email,
                "website": self.website or organization.website}

    @property
    def enrollment_kinds(self) -> list[str]:
        """Codes in the vocabulary's order (free, paid, certificate)."""
        kinds = {row.kind for row in self.enrollments}
        return [code for code in ENROLLMENT_KINDS.codes if code in kinds]

    @property
    def ovz_categories(self) -> list[str]:
        categories = {row.category for row in self.ovz_adaptations}
        return [code for code in OVZ_CATEGORIES.codes if code in categories]


class ProgramEnrollment(Base):
    """One way a child can be enrolled (free, paid, certificate)."""

    __tablename__ = "program_enrollment"

    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class ProgramOvz(Base):
    """One category of children with disabilities the program is adapted for."""

    __tablename__ = "program_ovz"

    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ImportRun(Base):
    """A record of each applied import: which file, its checksum, and what it changed."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    archived: Mapped[int] = mapped_column(Integer)


class GeocodeCache(Base):
    """An address already asked of the online geocoder: the answer, or the failure and when to retry.

    `key` is the normalized address and the municipality it must lie in (navigator.geocoding.cache_key);
    `status` is found, not_found (no candidate in the region and municipality) or error (no answer).
    """

    __tablename__ = "geocode_cache"
    __table_args__ = (CheckConstraint("status IN ('found', 'not_found', 'error')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(800), unique=True)
    query: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    precision: Mapped[str] = mapped_column(String(16), default="none")
    source: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


account_organization = Table(
    "account_organization", Base.metadata,
    Column("account_id", ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, index=True),
)

account_municipality = Table(
    "account_municipality", Base.metadata,
    Column("account_id", ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True),
)

ROLES = ("provider", "municipal", "admin")


class Account(Base):
    """A person who signs in: a provider (of organizations), municipal staff (of municipalities) or an admin.

    It has the attributes Flask-Login expects, so the session layer needs no wrapper around it.
    """

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("role IN ('provider', 'municipal', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session's user id: a new password changes it, which ends every other session.
    session_key: Mapped[str] = mapped_column(String(32))
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organizations: Mapped[list[Organization]] = relationship(secondary=account_organization,
                                                             order_by="Organization.name")
    municipalities: Mapped[list[Municipality]] = relationship(secondary=account_municipality,
                                                              order_by="Municipality.name")

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}-{self.session_key}"


class ProgramRevision(Base):
    """A provider's version of a program, new or changed, kept apart until it is approved and applied.

    `record` holds the fields as the text a CSV row would have (validated when saved, validated
    again when applied), so the published program keeps its last approved version meanwhile.
    """

    __tablename__ = "program_revision"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'pending', 'returned', 'approved', 'withdrawn')", name="state"),
        Index("ix_program_revision_state_municipality", "state", "municipality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"), index=True)
    public_id: Mapped[str] = mapped_column(String(64), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    record: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    comment: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    program: Mapped[Program | None] = relationship()
    organization: Mapped[Organization] = relationship()
    municipality: Mapped[Municipality] = relationship()
    author: Mapped[Account] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[Account | None] = relationship(foreign_keys=[reviewer_id])


class ProgramChange(Base):
    """One entry of a program's history: who did what and when, and which fields went from what to what."""

    __tablename__ = "program_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("program_revision.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    event: Mapped[str] = mapped_column(String(16))
    # {column: [before, after]} in the CSV's text form; None for events that change no field.
    changes: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    account: Mapped[Account | None] = relationship()
    revision: Mapped[ProgramRevision | None] = relationship()


class OutboxEntry(Base):
    """Programs changed by one committed transaction, in commit order: what every index replica follows.

    Written in the same transaction as the change (navigator.catalogue.changes), so a rolled-back change
    leaves no entry and a committed one cannot lose its entry. `sequence` grows in commit order: writers take
    turns for the moment between writing the entry and committing (see changes.py), so a follower that has
    seen entry N has seen every entry below it that will ever exist.
    """

    __tablename__ = "change_outbox"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Space-separated program ids (a large import writes tens of thousands: text is compact on both backends).
    program_ids: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class SignInAttempt(Base):
    """One log-in attempt, for the admin's sign-in log (ASVS 7.1: who tried, from where, with what outcome).

    The e-mail is kept as typed (an unknown one too: repeated guesses are what the log is for); never a password.
    """

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
