"""What a worker runs on: the runtime shared by the Celery worker and the in-process runner.

`build_runtime` puts booking's handlers as idempotent consumers (after analytics, then the admin
conflicts and the theatres' allocation sales reports), the dispatcher and the relay with its
retry policy and final-failure path around the parts the composition root built: the engine,
the booking service and the notifier. Workers get it from their Hub (`hub.runtime`,
marquee/bootstrap.py), so the in-process worker uses the API's own booking service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from booking import events as ev
from booking.handlers import HandlerContext, commit_sale
from booking.ports import Notifier
from booking.services import BookingService
from marquee.settings import Settings, WorkerSettings
from marquee.worker.admin_consumers import admin_consumers
from marquee.worker.analytics_consumers import analytics_consumers
from marquee.worker.consumers import (
    Consumer,
    Dispatcher,
    booking_consumers,
    event_topics,
    handler_name,
)
from marquee.worker.relay import OutboxRelay, RetryPolicy
from marquee.worker.report_consumers import report_consumers
from store import outbox as sql
from store.outbox import OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class WorkerRuntime:
    engine: Engine
    relay: OutboxRelay
    dispatcher: Dispatcher
    services: BookingService | None
    config: WorkerSettings
    extra: dict[str, Any] = field(default_factory=dict)

    def sweep(self) -> int:
        """The sweeps: expire due holds (their events go through the outbox), then settle
        payments and bookings stuck past the window (crash, gateway timeout)."""
        if self.services is None:
            return 0
        return self.services.expire_holds() + self.services.resolve_stuck()


def final_failure(
    services: BookingService | None, engine: Engine
) -> Callable[[OutboxMessage, str], None]:
    """What giving up on a message means. For a BookingConfirmed whose POS commit never went
    through: the sale failed (refund + conflict for admins). If the commit did go through and
    only the e-ticket could not be sent, the sale stands; the failed row tells admins."""
    commit_consumer = handler_name(commit_sale)

    def gave_up(message: OutboxMessage, reason: str) -> None:
        if message.topic != ev.BookingConfirmed.name or services is None:
            return
        with engine.connect() as conn:
            committed = sql.was_processed(conn, commit_consumer, message.event_id)
        if not committed:
            services.fail_sale(
                message.payload["booking_id"],
                f"the theatre's POS did not take the sale after "
                f"{message.attempts} attempts: {reason}",
            )

    return gave_up


def build_runtime(
    settings: Settings,
    *,
    engine: Engine,
    services: BookingService | None,
    notifier: Notifier | None,
    consumers: Sequence[Consumer] = (),
) -> WorkerRuntime:
    """The consumers, the dispatcher and the relay around parts the Hub built (marquee/
    bootstrap.py: `hub.runtime`). Without `services`, only analytics and `consumers` run."""
    config = settings.worker
    # Analytics first: its local count never waits behind a POS or mail retry.
    all_consumers = [*analytics_consumers(), *consumers]
    if services is not None:
        if notifier is None:
            raise ValueError("booking's consumers need a notifier")
        all_consumers += booking_consumers(HandlerContext(services=services, notifier=notifier))
        all_consumers += admin_consumers()
        # Last: a theatre's SFTP server being down never holds back a customer's e-ticket.
        all_consumers += report_consumers(engine, settings.connectors.secrets_file)
    dispatcher = Dispatcher(engine, all_consumers, known_topics=event_topics())
    relay = OutboxRelay(
        engine=engine,
        deliver=dispatcher,
        prepare=dispatcher.prepare,
        policy=RetryPolicy(
            max_attempts=config.outbox_max_attempts,
            base_seconds=config.outbox_retry_base_seconds,
            max_seconds=config.outbox_retry_max_seconds,
        ),
        lease=timedelta(seconds=config.outbox_lease_seconds),
        on_gave_up=final_failure(services, engine),
    )
    return WorkerRuntime(
        engine=engine, relay=relay, dispatcher=dispatcher, services=services, config=config
    )
