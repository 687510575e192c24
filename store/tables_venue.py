"""Tables of the theatre's own side of a show (migration 0006 creates them).

- `admissions`: one row per booking seat let in at the door. The primary key is what makes a
  seat enter once, even when two doors scan the same ticket at the same moment.
- `seat_category_names`: what customers read for a seat category code at a theatre, where
  the category sorts on the seat map and its colour there. Set by the theatre's partner or an
  admin (the colour with the seat layout); a category without a name reads as its layout
  area's name (what the POS calls it).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from store.tables import metadata
from store.types import UtcDateTime

admissions = Table(
    "admissions",
    metadata,
    Column("booking_id", String(64), ForeignKey("bookings.id"), primary_key=True),
    Column("seat_id", String(64), primary_key=True),
    Column("show_id", String(64), ForeignKey("shows.id"), nullable=False),
    Column("theatre_id", String(64), nullable=False),
    Column("admitted_at", UtcDateTime, nullable=False),
    Column("admitted_by", String(64)),
    Column("forwarded", Boolean, nullable=False, server_default="0"),
)
Index("ix_admissions_show", admissions.c.show_id)

seat_category_names = Table(
    "seat_category_names",
    metadata,
    Column("theatre_id", String(64), ForeignKey("theatres.id"), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("name", Text),
    Column("sort_order", Integer, nullable=False, server_default="0"),
    Column("colour", String(7)),  # "#rrggbb", checked by the API
    Column("updated_at", UtcDateTime, nullable=False),
)
