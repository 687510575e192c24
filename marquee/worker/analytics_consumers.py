"""The analytics consumer of the outbox: a local consumer (its effect is a write to our own
database), so the dispatcher records (consumer, event id) in `processed_messages` in the same
transaction as the increments: a redelivery does nothing, a crash rolls both back. The fact
table's own event-id key guards a second time (a rebuild may have counted the event first).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from analytics.facts import DOMAIN_KINDS
from analytics.ingest import ingest_domain_event, ingest_domain_events
from marquee.worker.consumers import Consumer, local
from store.outbox import OutboxMessage

CONSUMER_NAME = "analytics.ingest"


def _ingest(message: OutboxMessage, conn: Connection) -> None:
    ingest_domain_event(conn, message.topic, message.event_id, message.payload)


def _ingest_batch(messages: Sequence[OutboxMessage], conn: Connection) -> None:
    ingest_domain_events(conn, [(m.topic, m.event_id, m.payload) for m in messages])


def analytics_consumers() -> list[Consumer]:
    return [local(CONSUMER_NAME, DOMAIN_KINDS, _ingest, batch=_ingest_batch)]
