"""Accounts' tables: who signs in and what they may act for, providers' revisions under moderation, each
program's history of changes, and the sign-in log.

They refer to the catalogue's tables (programs, organizations, municipalities); the catalogue knows nothing
of them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from navigator.catalogue.models import Municipality, Organization, Program, utcnow
from navigator.db import Base

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
