"""Applications to programs, their history and the log of who looked at their personal data.

The personal fields of an application (parent's name, phone, e-mail, child's first name and year of
birth, comment, and the status token so that later e-mails can carry the status link) are kept as one
Fernet token in `personal` (navigator.enrollment.sealing); erasing them sets it to NULL, so the row, its
state and its dates survive for statistics. `phone_key` / `email_key` are keyed hashes that find a
duplicate (same contact, same child, same program) without decrypting anything; they are erased too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from navigator.accounts.models import Account
from navigator.catalogue.models import Program, utcnow
from navigator.db import Base

#: State codes and how the parent and the provider read them.
STATE_LABELS = {"submitted": "подана", "reviewing": "рассматривается", "accepted": "принята",
                "declined": "отказ", "waitlisted": "лист ожидания", "withdrawn": "отозвана"}
#: Still in the queue: counted as waiting in the public counts.
WAITING_STATES = ("submitted", "reviewing", "waitlisted")
#: The provider still owes an answer by the deadline.
UNANSWERED_STATES = ("submitted", "reviewing")
#: After these the retention period starts.
FINAL_STATES = ("accepted", "declined", "withdrawn")


class Application(Base):
    """One parent's application for one child to one program."""

    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint("state IN ('submitted', 'reviewing', 'accepted', 'declined', 'waitlisted', 'withdrawn')",
                        name="state"),
        Index("ix_application_program_state", "program_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    # SHA-256 of the status link's token: a copy of the database does not open anyone's status page.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    personal: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_key: Mapped[str | None] = mapped_column(String(64), index=True)
    email_key: Mapped[str | None] = mapped_column(String(64), index=True)
    answer_by: Mapped[dt.date] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # The place it got when put on the waiting list, so the parent sees how the queue moved.
    first_position: Mapped[int | None] = mapped_column(Integer)
    # Sent beyond the program's usual pace (a flood, or a rush): stored and in its place like any other, but
    # counted in the public queue only once the provider has opened it (navigator.enrollment.queue.public_queue).
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    final_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    program: Mapped[Program] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(order_by="ApplicationEvent.id",
                                                          cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


class ApplicationEvent(Base):
    """A change of an application's state: to what, by whom (None: the parent or the site) and when."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    account: Mapped[Account | None] = relationship()

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


class ApplicationAccess(Base):
    """One view of an application's personal data by a signed-in account (the admin reads this log)."""

    __tablename__ = "application_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    account: Mapped[Account] = relationship()
    application: Mapped[Application] = relationship()
