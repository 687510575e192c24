"""The outbox relay: claim due rows, deliver them, record the outcome.

Delivery is at least once. A row is claimed with a lease (`locked_until`); whoever holds it calls
`deliver(message)`; success marks the row delivered, an exception schedules a retry with
exponential backoff, and the last allowed attempt gives up: the `on_gave_up` hook runs (for a
sale the POS never took: refund and raise a conflict) and the row is marked failed, kept with its
error for admins. A relay that dies mid-delivery leaves its lease to run out; the row comes back
and is delivered again, which is why every consumer is idempotent.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from store import outbox as sql
from store.outbox import OutboxMessage

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxMessage], None]
GaveUp = Callable[[OutboxMessage, str], None]


class Undeliverable(Exception):
    """No retry can help (unknown topic, payload that does not parse): fail at once."""


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 2.0
    max_seconds: float = 600.0

    def delay(self, attempts: int) -> timedelta:
        """Wait before attempt `attempts + 1`: base, 2*base, 4*base... capped."""
        seconds = self.base_seconds * (2 ** max(attempts - 1, 0))
        return timedelta(seconds=min(seconds, self.max_seconds))


@dataclass
class RelayReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other: RelayReport) -> RelayReport:
        for name in ("claimed", "delivered", "retried", "failed", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def _describe(error: BaseException) -> str:
    last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" (at {last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(error).__name__}: {error}{where}"


@dataclass
class OutboxRelay:
    engine: Engine
    deliver: Deliver
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(seconds=60)
    on_gave_up: GaveUp | None = None
    clock: Callable[[], datetime] = utcnow
    # Called with each claimed batch before its messages are delivered one by one
    # (Dispatcher.prepare: consumers that take a whole batch in one transaction).
    prepare: Callable[[Sequence[OutboxMessage]], None] | None = None

    # --- claiming ------------------------------------------------------------------------
    def claim(self, limit: int = 100) -> list[OutboxMessage]:
        with self.engine.begin() as conn:
            return sql.claim(conn, now=self.clock(), lease=self.lease, limit=limit)

    # --- delivering ----------------------------------------------------------------------
    def process(self, message: OutboxMessage) -> str:
        """Deliver one claimed message and record the outcome: delivered, retry or failed."""
        try:
            self.deliver(message)
        except Undeliverable as error:
            return self._give_up(message, _describe(error))
        except Exception as error:  # noqa: BLE001 - any failure is a reason to retry
            reason = _describe(error)
            if message.attempts >= self.policy.max_attempts:
                return self._give_up(message, reason)
            at = self.clock() + self.policy.delay(message.attempts)
            log.warning(
                "outbox %s (%s) attempt %d failed, retry at %s: %s",
                message.id,
                message.topic,
                message.attempts,
                at.isoformat(),
                reason,
            )
            with self.engine.begin() as conn:
                sql.schedule_retry(conn, message.id, at=at, error=reason)
            return "retry"
        with self.engine.begin() as conn:
            sql.mark_delivered(conn, message.id, now=self.clock())
        return "delivered"

    def _give_up(self, message: OutboxMessage, reason: str) -> str:
        log.error(
            "outbox %s (%s) failed after %d attempts: %s",
            message.id,
            message.topic,
            message.attempts,
            reason,
        )
        if self.on_gave_up is not None:
            try:
                self.on_gave_up(message, reason)
            except Exception as error:  # noqa: BLE001
                # The compensation itself failed (the gateway is down too?): keep the row live so
                # the next round tries the delivery and, failing that, the compensation again.
                why = f"gave up ({reason}) but the final-failure handler failed: {_describe(error)}"
                log.error("outbox %s: %s", message.id, why)
                with self.engine.begin() as conn:
                    sql.schedule_retry(
                        conn,
                        message.id,
                        at=self.clock() + self.policy.delay(message.attempts),
                        error=why,
                    )
                return "retry"
        with self.engine.begin() as conn:
            sql.mark_failed(conn, message.id, now=self.clock(), error=reason)
        return "failed"

    def deliver_one(self, message_id: int) -> str:
        """Deliver a row already claimed by `claim` (the Celery task path). A row delivered or
        failed meanwhile is skipped; a redelivered task for a live row delivers again, which the
        idempotent consumers absorb."""
        with self.engine.connect() as conn:
            message = sql.get(conn, message_id)
        if message is None or message.delivered_at is not None or message.failed_at is not None:
            return "skipped"
        return self.process(message)

    def run_once(self, limit: int = 100) -> RelayReport:
        """Claim and deliver one batch inline (the in-process runner, the CLI, tests)."""
        report = RelayReport()
        messages = self.claim(limit)
        if messages and self.prepare is not None:
            self.prepare(messages)
        for message in messages:
            report.claimed += 1
            outcome = self.process(message)
            if outcome == "delivered":
                report.delivered += 1
            elif outcome == "retry":
                report.retried += 1
            elif outcome == "failed":
                report.failed += 1
        return report

    def drain(self, limit: int = 100, rounds: int = 50) -> RelayReport:
        """Run batches until nothing is due (rows waiting for a backoff are left waiting)."""
        total = RelayReport()
        for _ in range(rounds):
            report = self.run_once(limit)
            total += report
            if report.claimed == 0:
                break
        return total
