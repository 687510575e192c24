"""Idempotent consumers: each outbox message reaches each consumer of its topic at most once
with effect, however often the relay delivers it.

A consumer has a stable name; `processed_messages` holds one row per (consumer, event id).

- A *local* consumer's effect is a write to our own database: it gets the connection of a
  transaction that first inserts the (consumer, event id) row. A duplicate finds the row and does
  nothing; a crash rolls back effect and record together. Exactly once.
- A *remote* consumer's effect is somewhere else (the POS, the gateway, the customer's inbox).
  It runs, then the record is written. A crash in between repeats the call on redelivery, so the
  call itself must be idempotent: POS and gateway calls carry an idempotency key derived from
  the booking/payment (stable across redeliveries), so the remote side does it once. Mail and
  SMS are at-least-once: a crash in that window may send a duplicate (the Message-ID is the
  event id, so mail clients fold it).

Consumers of one message run in order and the first failure stops the round; on redelivery the
consumers already done are skipped: a failing notification never re-commits a sale, and the
e-ticket waits for the POS commit.

A local consumer may also take a whole claimed batch (`handle_batch`): one transaction records
every (consumer, event id) and applies the effect of all of them, so a flash sale's hundreds of
events cost one round trip, not hundreds. It runs before the per-message round, where those
messages then skip it; if the batch fails, nothing of it is kept and each message takes the
per-message path as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from booking import events as ev
from booking.handlers import HANDLERS, Handler, HandlerContext
from marquee.worker.relay import Undeliverable, utcnow
from store import outbox as sql
from store.outbox import OutboxMessage

log = logging.getLogger(__name__)

RemoteEffect = Callable[[OutboxMessage], None]
Applies = Callable[[OutboxMessage, Connection], bool]
LocalEffect = Callable[[OutboxMessage, Connection], None]
BatchEffect = Callable[[Sequence[OutboxMessage], Connection], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    topics: frozenset[str]
    handle: RemoteEffect | None = None
    handle_local: LocalEffect | None = None
    handle_batch: BatchEffect | None = None
    # A remote consumer's cheap read of whether a message concerns it at all (a sale at a
    # theatre that sends no sales report): a message it does not concern costs one read, not a
    # processed-message record. Answering False again on a redelivery is as good as a record.
    applies: Applies | None = None

    def __post_init__(self) -> None:
        if (self.handle is None) == (self.handle_local is None):
            raise ValueError(f"consumer {self.name}: give exactly one of handle, handle_local")
        if self.handle_batch is not None and self.handle_local is None:
            raise ValueError(f"consumer {self.name}: only a local consumer takes batches")
        if self.applies is not None and self.handle is None:
            raise ValueError(f"consumer {self.name}: only a remote consumer has `applies`")


def remote(
    name: str, topics: Iterable[str], fn: RemoteEffect, applies: Applies | None = None
) -> Consumer:
    return Consumer(name=name, topics=frozenset(topics), handle=fn, applies=applies)


def local(
    name: str, topics: Iterable[str], fn: LocalEffect, batch: BatchEffect | None = None
) -> Consumer:
    return Consumer(name=name, topics=frozenset(topics), handle_local=fn, handle_batch=batch)


class Dispatcher:
    """Delivers a message to every consumer of its topic in order, skipping those already done.
    A failure propagates, so the relay retries the message from that consumer on."""

    def __init__(
        self,
        engine: Engine,
        consumers: Sequence[Consumer],
        clock: Callable[[], datetime] = utcnow,
        known_topics: Iterable[str] | None = None,
    ) -> None:
        self.engine = engine
        self.consumers = list(consumers)
        self.clock = clock
        names = [c.name for c in self.consumers]
        if len(names) != len(set(names)):
            raise ValueError("consumer names must be unique: they key processed_messages")
        # Topics that may legitimately have no consumer (facts kept for the record only).
        self.known_topics = set(known_topics or ()) | {t for c in self.consumers for t in c.topics}
        # (consumer, event id) handled by `prepare` for the batch this thread is delivering.
        self._batch = threading.local()

    def consumers_of(self, topic: str) -> list[Consumer]:
        return [c for c in self.consumers if topic in c.topics]

    def __call__(self, message: OutboxMessage) -> None:
        if message.topic not in self.known_topics:
            raise Undeliverable(f"no consumer knows topic {message.topic!r}")
        # In order, stopping at the first failure: for a BookingConfirmed the POS commit comes
        # before the e-ticket, so a customer never gets a ticket for a sale the theatre has not
        # taken. Consumers already done are skipped on the retry.
        for consumer in self.consumers_of(message.topic):
            self.run(consumer, message)

    def prepare(self, messages: Sequence[OutboxMessage]) -> None:
        """Run the batch-taking consumers over a claimed batch, ahead of the per-message round
        (they come first in each message's order too). A batch that fails is logged and left
        whole to the per-message round."""
        done: set[tuple[str, str]] = set()
        self._batch.done = done
        for consumer in self.consumers:
            if consumer.handle_batch is None:
                continue
            mine = [m for m in messages if m.topic in consumer.topics]
            if not mine:
                continue
            try:
                with self.engine.begin() as conn:
                    new = sql.record_processed_many(
                        conn, consumer.name, [m.event_id for m in mine], now=self.clock()
                    )
                    consumer.handle_batch([m for m in mine if m.event_id in new], conn)
            except Exception:  # noqa: BLE001 - the per-message round retries each on its own
                log.warning(
                    "consumer %s could not take a batch of %d; delivering one by one",
                    consumer.name,
                    len(mine),
                    exc_info=True,
                )
                continue
            done.update((consumer.name, m.event_id) for m in mine)

    def run(self, consumer: Consumer, message: OutboxMessage) -> bool:
        """Run one consumer on one message; False if it had already been done."""
        if (consumer.name, message.event_id) in getattr(self._batch, "done", ()):
            return False
        if consumer.handle_local is not None:
            with self.engine.begin() as conn:
                if not sql.record_processed(
                    conn, consumer.name, message.event_id, now=self.clock()
                ):
                    return False
                consumer.handle_local(message, conn)
            return True
        assert consumer.handle is not None
        with self.engine.connect() as conn:
            if consumer.applies is not None and not consumer.applies(message, conn):
                return False
            if sql.was_processed(conn, consumer.name, message.event_id):
                return False
        consumer.handle(message)
        with self.engine.begin() as conn:
            sql.record_processed(conn, consumer.name, message.event_id, now=self.clock())
        return True


# --- booking's handlers as consumers -------------------------------------------------------
def handler_name(fn: Handler) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def booking_consumers(
    context: HandlerContext, handlers: Mapping[type[ev.Event], list[Handler]] | None = None
) -> list[Consumer]:
    """One consumer per handler registered with `booking.handlers.handles`, named after the
    handler, for all the event types it handles. Booking's handlers are idempotent by design
    (POS and gateway calls carry stable keys, state changes are compare-and-set); they run as
    remote consumers."""
    registry = HANDLERS if handlers is None else handlers
    # Registration order is kept: booking registers commit_sale before notify_confirmed.
    topics: dict[str, set[str]] = {}
    functions: dict[str, Handler] = {}
    for event_type, fns in registry.items():
        for fn in fns:
            name = handler_name(fn)
            functions[name] = fn
            topics.setdefault(name, set()).add(event_type.name)

    def make(fn: Handler) -> RemoteEffect:
        def deliver(message: OutboxMessage) -> None:
            try:
                event = ev.from_message(message.topic, message.payload)
            except ValueError as bad:
                raise Undeliverable(f"cannot rebuild {message.topic}: {bad}") from bad
            fn(event, context)

        return deliver

    return [remote(name, topics[name], make(fn)) for name, fn in functions.items()]


def event_topics() -> set[str]:
    """Every domain event name: an event with no handler is delivered as a no-op, not failed."""
    return set(ev.EVENT_TYPES)
