"""Feature flags per city or country (regional releases), on the shared metadata (migration
0008 creates the table). A flag's value for a place is its city row, else its country row, else
its global row, else off."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, String, Table, Text

from store.tables import metadata
from store.types import UtcDateTime

feature_flags = Table(
    "feature_flags",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("scope", String(10), primary_key=True),
    Column("scope_value", String(100), primary_key=True),  # '' for the global row
    Column("enabled", Boolean, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    CheckConstraint("scope in ('global', 'country', 'city')", name="scope"),
)
