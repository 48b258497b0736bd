"""The data model: where programs are held, by whom, for whom.

Vocabulary values (directions, enrollment kinds, ОВЗ categories, formats) are stored as their codes
from navigator.catalogue.vocab; multi-valued ones get their own tables so the database can filter on them.
Municipalities and districts are created by the data, never hard-coded.
Other parts keep their own tables (navigator.accounts.models, navigator.geocoding.models,
navigator.enrollment.models) and refer to these; nothing here refers to theirs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
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
