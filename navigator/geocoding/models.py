"""Geocoding's table: the online geocoder's answers and failures, so that an address is asked once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from navigator.catalogue.models import utcnow
from navigator.db import Base


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
