"""The seat store's tables (SQLAlchemy Core). Alembic migrations in store/migrations mirror them.

The rule that matters most: one row per seat per show (`show_seats`). A seat can carry at most
one hold and at most one booking because it has exactly one row; `booking_seats` adds a partial
unique index so the database itself refuses a second live booking of a seat even if a bug
bypassed `show_seats`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from store.types import Json, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

SEAT_STATUSES = ("available", "held", "sold", "blocked")

partners = Table(
    "partners",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

connectors = Table(
    "connectors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("adapter", String(40), nullable=False),
    Column("mapping", String(200), nullable=False),
    Column("endpoint", Json, nullable=False),
    # Names of secrets (resolved from the environment or the secrets file), never their values.
    Column("secret_refs", Json, nullable=False, default=dict),
    Column("settings", Json, nullable=False, default=dict),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("health", Json, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("status in ('active', 'paused')", name="status"),
)

theatres = Table(
    "theatres",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("default_language", String(35), nullable=False),
    Column("business_day_cutover_hour", Integer, nullable=False),
    Column("address", Text),
    Column("partner_id", String(64), ForeignKey("partners.id")),
    Column("connector_id", String(64), ForeignKey("connectors.id")),
    Column("rules", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_theatres_city", "city"),
)

screens = Table(
    "screens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("theatre_id", String(64), ForeignKey("theatres.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("formats", Json, nullable=False),
    Column("layout_id", String(64)),
    Column("licensed_capacity", Integer),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_screens_theatre", "theatre_id"),
)

seat_layouts = Table(
    "seat_layouts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("screen_id", String(64), ForeignKey("screens.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("seat_count", Integer, nullable=False),
    Column("body", Json, nullable=False),  # the canonical SeatLayout, as JSON
    Column("updated_at", UtcDateTime, nullable=False),
)

movies = Table(
    "movies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("original_language", String(35), nullable=False),
    Column("runtime_minutes", Integer, nullable=False),
    Column("genres", Json, nullable=False),
    Column("rating", String(20)),
    Column("release_date", Date),
    Column("updated_at", UtcDateTime, nullable=False),
)

movie_translations = Table(
    "movie_translations",
    metadata,
    Column("movie_id", String(64), ForeignKey("movies.id"), primary_key=True),
    Column("language", String(35), primary_key=True),
    Column("title", Text),
    Column("synopsis", Text),
)

shows = Table(
    "shows",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("movie_id", String(64), ForeignKey("movies.id"), nullable=False),
    Column("theatre_id", String(64), ForeignKey("theatres.id"), nullable=False),
    Column("screen_id", String(64), ForeignKey("screens.id"), nullable=False),
    Column("layout_id", String(64), ForeignKey("seat_layouts.id"), nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("language", String(35), nullable=False),
    Column("format", String(20), nullable=False),
    Column("ticket_types", Json, nullable=False),
    Column("sales_channels", Json, nullable=False),
    Column("sales_cutoff_minutes", Integer, nullable=False),
    Column("sales_after_start_minutes", Integer, nullable=False, server_default="0"),
    Column("sales_open_minutes_before", Integer),
    Column("subtitle_language", String(35)),
    Column("experiences", Json),
    Column("booking_fee", Json),
    # The show's state as the theatre reports it (canonical Show.status); `status` below is
    # Marquee's own lifecycle (a show the schedule sweep cancelled).
    Column("reported_status", String(20)),
    Column("status", String(20), nullable=False, server_default="scheduled"),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("end_at > start_at", name="ends_after_start"),
    CheckConstraint("status in ('scheduled', 'cancelled')", name="status"),
    Index("ix_shows_theatre_day", "theatre_id", "business_date"),
    Index("ix_shows_movie_day", "movie_id", "business_date"),
    Index("ix_shows_screen_start", "screen_id", "start_at"),
)

show_seats = Table(
    "show_seats",
    metadata,
    Column("show_id", String(64), ForeignKey("shows.id"), primary_key=True),
    Column("seat_id", String(64), primary_key=True),
    Column("category", String(40), nullable=False),
    Column("status", String(10), nullable=False),
    Column("hold_id", String(64)),
    Column("hold_expires_at", UtcDateTime),
    Column("booking_id", String(64)),
    Column("version", Integer, nullable=False, server_default="0"),
    # What the theatre's POS last said about the seat (its own hold, sale, block or release):
    # local state that drifted from it is repaired from the POS's word.
    Column("pos_status", String(10)),
    CheckConstraint("status in ('available', 'held', 'sold', 'blocked')", name="status"),
    # A held seat names its hold and expiry; any other seat names none. A POS hold (`pos:`)
    # has no expiry of Marquee's: it lasts until the POS says otherwise.
    CheckConstraint(
        "(status = 'held') = (hold_id IS NOT NULL AND "
        "(hold_expires_at IS NOT NULL OR hold_id LIKE 'pos:%'))",
        name="held_has_hold",
    ),
    CheckConstraint("booking_id IS NULL OR status = 'sold'", name="booked_is_sold"),
    Index("ix_show_seats_hold", "hold_id"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("show_id", String(64), ForeignKey("shows.id"), nullable=False),
    Column("customer_id", String(64)),
    Column("seat_ids", Json, nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("extended", Boolean, nullable=False, server_default="0"),
    Column("remote_ref", String(100)),
    CheckConstraint("status in ('active', 'released', 'expired', 'converted')", name="status"),
    Index("ix_holds_status_expiry", "status", "expires_at"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("show_id", String(64), ForeignKey("shows.id"), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("hold_id", String(64)),
    Column("status", String(12), nullable=False),
    Column("total_amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tickets", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("confirmed_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Column("remote_ref", String(100)),
    CheckConstraint("status in ('pending', 'confirmed', 'cancelled', 'failed')", name="status"),
    Index("ix_bookings_customer", "customer_id"),
    Index("ix_bookings_show", "show_id"),
)

booking_seats = Table(
    "booking_seats",
    metadata,
    Column("booking_id", String(64), ForeignKey("bookings.id"), primary_key=True),
    Column("show_id", String(64), nullable=False),
    Column("seat_id", String(64), primary_key=True),
    Column("active", Boolean, nullable=False),
    # The database refuses a seat in two live bookings, whatever the code above does.
    Index(
        "uq_booking_seats_live",
        "show_id",
        "seat_id",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    ),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("booking_id", String(64), ForeignKey("bookings.id"), nullable=False),
    Column("gateway", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("refunded_amount", BigInteger, nullable=False, server_default="0"),
    Column("status", String(20), nullable=False),
    Column("method", String(20), nullable=False),
    Column("gateway_ref", String(200)),
    Column("idempotency_key", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status in ('initiated', 'in_progress', 'succeeded', 'failed', 'refunded', "
        "'partially_refunded')",
        name="status",
    ),
    CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_bounds"),
    Index("ix_payments_booking", "booking_id"),
    Index("ix_payments_gateway_ref", "gateway", "gateway_ref"),
)

payment_transitions = Table(
    "payment_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payment_id", String(64), ForeignKey("payments.id"), nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("cause", Text, nullable=False),
    # A payment enters each state at most once (partial refunds may repeat): a replayed or
    # out-of-order event cannot repeat a step, whatever the code above does.
    Index(
        "uq_payment_transitions_once",
        "payment_id",
        "to_status",
        unique=True,
        sqlite_where=text("to_status <> 'partially_refunded'"),
        postgresql_where=text("to_status <> 'partially_refunded'"),
    ),
)

gateway_events = Table(
    "gateway_events",
    metadata,
    Column("gateway", String(40), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("type", String(100), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("payload", Json, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    # Email is stored encrypted; a keyed hash of the normalised address finds the account.
    Column("email_hash", String(128), nullable=False, unique=True),
    Column("email_enc", Text, nullable=False),
    Column("phone_enc", Text),
    Column("name", String(200)),
    Column("language", String(35), nullable=False, server_default="en"),
    Column("password_hash", Text),
    Column("role", String(20), nullable=False),
    Column("partner_id", String(64), ForeignKey("partners.id")),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("role in ('admin', 'partner', 'customer')", name="role"),
)

external_ids = Table(
    "external_ids",
    metadata,
    Column("connector_id", String(64), ForeignKey("connectors.id"), primary_key=True),
    Column("entity", String(20), primary_key=True),
    Column("scope", String(100), primary_key=True),
    Column("external_id", String(200), primary_key=True),
    Column("canonical_id", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_external_ids_canonical", "canonical_id"),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("connector_id", String(64), ForeignKey("connectors.id"), primary_key=True),
    Column("stream", String(40), primary_key=True),
    Column("cursor", Text),
    Column("updated_at", UtcDateTime, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("connector_id", String(64)),
    Column("mapping_system", String(100), nullable=False),
    Column("mapping_version", String(20), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("field", String(200)),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),
    # The call variables the record was read with (file-name groups, the theatre called for):
    # a replay maps the payload with them. Null for letters stored before they were kept.
    Column("vars", Json),
    Column("status", String(12), nullable=False, server_default="open"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("replayed_at", UtcDateTime),
    CheckConstraint("status in ('open', 'replayed', 'discarded')", name="status"),
)

# One row per import run (catalog, localization, inventory) of a connector: when, with which
# mapping (system and language version, as dead letters record them; the file and the
# fingerprint of its revision), how it ended and what it counted. No foreign key, like
# dead_letters: a run's record outlives nothing it names.
IMPORT_RUN_KINDS = ("catalog", "localization", "inventory")

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("connector_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("mapping_system", String(100)),
    Column("mapping_version", String(20)),
    Column("mapping_path", String(200)),
    Column("mapping_fingerprint", String(64)),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("counts", Json, nullable=False, default=dict),
    Column("error", Text),
    CheckConstraint("kind in ('catalog', 'localization', 'inventory')", name="kind"),
    CheckConstraint("status in ('ok', 'failed')", name="status"),
    Index("ix_import_runs_connector_started", "connector_id", "started_at"),
)

sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("connector_id", String(64)),
    Column("show_id", String(64)),
    Column("seat_id", String(64)),
    Column("kind", String(40), nullable=False),
    Column("detail", Json, nullable=False),
    Column("action_taken", Text, nullable=False),
    Column("status", String(12), nullable=False, server_default="open"),
    Column("resolution", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    CheckConstraint("status in ('open', 'resolved')", name="status"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("topic", String(100), nullable=False),
    Column("payload", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    Column("failed_at", UtcDateTime),
    Column("last_error", Text),
    Index("ix_outbox_pending", "delivered_at", "available_at"),
)

processed_messages = Table(
    "processed_messages",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target", String(200)),
    Column("detail", Json, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# Tables defined in other modules on this metadata; imported here so that anything holding
# `metadata` (Alembic's env, the schema comparison test) sees every table.
import store.tables_analytics  # noqa: E402, F401
import store.tables_auth  # noqa: E402, F401
import store.tables_flags  # noqa: E402, F401
import store.tables_integrity  # noqa: E402, F401
import store.tables_movies  # noqa: E402, F401
import store.tables_venue  # noqa: E402, F401
