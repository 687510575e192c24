"""The one path every fact takes into the analytics store, and the rebuild from scratch.

Idempotent by event id: a fact is inserted into `analytics_events` with ON CONFLICT DO NOTHING
and only the facts actually inserted add their increments, in the same transaction. An outbox
message delivered twice, a tracker batch retried, or an event seen by both a rebuild and a late
delivery is counted once. (The outbox consumer is also guarded by `processed_messages`.)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Insert, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite

from analytics import metrics
from analytics.aggregate import TABLES, Batch, add_fact
from analytics.facts import DOMAIN_KINDS, Fact, Lookups, from_domain_event, from_tracked
from store.tables import outbox
from store.tables_analytics import analytics_events

log = logging.getLogger(__name__)

CHUNK = 500


@functools.cache
def _insert_if_new(dialect_name: str) -> Insert:
    # Built once per dialect: one compiled statement serves every batch (many parameter sets
    # go out as SQLAlchemy's batched multi-row insert, RETURNING included).
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(analytics_events)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(analytics_events.c.event_id)
    )


def _insert_new(conn: Connection, facts: Sequence[Fact]) -> set[str]:
    """Insert the facts; the ids of those that were not there yet."""
    stmt = _insert_if_new(conn.dialect.name)
    inserted: set[str] = set()
    for start in range(0, len(facts), CHUNK):
        rows = [f.row() for f in facts[start : start + CHUNK]]
        inserted.update(conn.execute(stmt, rows).scalars())
    return inserted


def ingest(conn: Connection, facts: Iterable[Fact]) -> int:
    """Record new facts and add their increments, inside the caller's transaction. Returns how
    many were new."""
    unique: dict[str, Fact] = {}
    for fact in facts:
        unique.setdefault(fact.event_id, fact)
    if not unique:
        return 0
    new_ids = _insert_new(conn, list(unique.values()))
    batch = Batch()
    fresh = [f for f in unique.values() if f.event_id in new_ids]
    for fact in fresh:
        add_fact(batch, fact)
    batch.apply(conn)
    metrics.observe(fresh)
    return len(fresh)


def ingest_domain_event(conn: Connection, topic: str, event_id: str, payload: dict) -> bool:
    """The outbox consumer's effect for one message; False when it was already counted (or is
    not a topic analytics counts)."""
    try:
        fact = from_domain_event(topic, event_id, payload, Lookups(conn))
    except ValueError as bad:
        # A payload analytics cannot read must not hold up the consumers after it (the POS
        # commit, the e-ticket): it is logged and left uncounted.
        log.warning("analytics skipped %s %s: %s", topic, event_id, bad)
        return False
    return fact is not None and ingest(conn, [fact]) == 1


def ingest_domain_events(conn: Connection, events: Sequence[tuple[str, str, dict]]) -> int:
    """`ingest_domain_event` for a batch of (topic, event id, payload): one set of upserts and
    one cache of lookups for all of them. Returns how many were new."""
    lookups = Lookups(conn)
    facts = []
    for topic, event_id, payload in events:
        try:
            fact = from_domain_event(topic, event_id, payload, lookups)
        except ValueError as bad:
            log.warning("analytics skipped %s %s: %s", topic, event_id, bad)
            continue
        if fact is not None:
            facts.append(fact)
    return ingest(conn, facts)


def ingest_tracked(conn: Connection, items: Sequence[tuple[str, dict[str, Any]]]) -> int:
    """Tracked activity from the API: (event id, payload) pairs."""
    lookups = Lookups(conn)
    facts = [f for event_id, payload in items if (f := from_tracked(event_id, payload, lookups))]
    return ingest(conn, facts)


# --- rebuild ---------------------------------------------------------------------------------
@dataclass
class RebuildReport:
    domain_events: int = 0
    tracked_events: int = 0
    rows_written: int = 0


def rebuild(engine: Engine, chunk: int = 2000) -> RebuildReport:
    """Empty every aggregate and recount from the sources: the outbox (domain events, kept for
    good) and the tracked facts (which have no other source). One transaction; on PostgreSQL
    the fact table is locked against the live consumer meanwhile, which then finds its events
    already counted and skips them."""
    report = RebuildReport()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE analytics_events IN SHARE ROW EXCLUSIVE MODE"))
        for table in TABLES.values():
            conn.execute(delete(table))
        conn.execute(delete(analytics_events).where(analytics_events.c.source == "outbox"))
        last_id = 0
        while True:
            rows = conn.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.topic, outbox.c.payload)
                .where(outbox.c.id > last_id, outbox.c.topic.in_(sorted(DOMAIN_KINDS)))
                .order_by(outbox.c.id)
                .limit(chunk)
            ).all()
            if not rows:
                break
            last_id = rows[-1].id
            lookups = Lookups(conn)
            facts = [
                f
                for r in rows
                if (f := from_domain_event(r.topic, r.event_id, dict(r.payload), lookups))
            ]
            _insert_new(conn, facts)
            batch = Batch()
            for fact in facts:
                add_fact(batch, fact)
            report.rows_written += batch.apply(conn)
            report.domain_events += len(facts)
        last_event = ""
        while True:
            rows = conn.execute(
                select(analytics_events.c.event_id, analytics_events.c.payload)
                .where(
                    analytics_events.c.source == "tracked",
                    analytics_events.c.event_id > last_event,
                )
                .order_by(analytics_events.c.event_id)
                .limit(chunk)
            ).all()
            if not rows:
                break
            last_event = rows[-1].event_id
            lookups = Lookups(conn)
            batch = Batch()
            for r in rows:
                fact = from_tracked(r.event_id, dict(r.payload), lookups)
                if fact is not None:
                    add_fact(batch, fact)
                    report.tracked_events += 1
            report.rows_written += batch.apply(conn)
    log.info("analytics rebuilt: %s", report)
    return report
