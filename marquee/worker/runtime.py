"""What a worker runs on: the composition shared by the Celery worker and the in-process runner.

`build_runtime` wires the database engine, the booking service (SQL unit of work, payment
gateway, theatre links), the notifier, booking's handlers as idempotent consumers (then the
admin conflicts and the theatres' allocation sales reports), and the relay
with its retry policy and final-failure path. Callers that already have a booking service (the
API process, whose offline gateway keeps its charges in memory) pass it in.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from analytics.consumer import analytics_consumers
from booking import events as ev
from booking.availability import RecentAvailability
from booking.handlers import HandlerContext, commit_sale
from booking.ports import Notifier, TheatreLinkResolver
from booking.services import BookingService
from marquee.settings import Settings, WorkerSettings, get_settings
from marquee.worker.admin_consumers import admin_consumers
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
from store.engine import make_engine
from store.outbox import OutboxMessage
from store.uow import SqlUnitOfWorkFactory

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


def load_object(ref: str) -> Any:
    """ "package.module:attribute" -> the attribute."""
    module, _, attr = ref.partition(":")
    target: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        target = getattr(target, part)
    return target


def theatre_links(
    configured: str | None, engine: Engine, secrets_file: Path | None = None
) -> TheatreLinkResolver:
    """The configured resolver (`THEATRE_LINKS=module:factory`, the factory takes the engine),
    else the connectors package's resolver once it provides one, else native theatres only."""
    if configured:
        return load_object(configured)(engine)
    try:
        from connectors.link import link_resolver
    except ImportError:
        log.warning("no theatre link resolver configured: legacy theatres are not forwarded")
        from booking.links import native_only

        return native_only
    return link_resolver(engine, secrets_file)


def sql_unit_of_work(settings: Settings, engine: Engine) -> SqlUnitOfWorkFactory:
    """The SQL unit of work, able to read customers' encrypted contact data (to notify them)."""
    # The PII cipher lives with the API's security code; the worker needs the same key.
    from marquee.pii import cipher_from_settings

    cipher = cipher_from_settings(
        settings.security.encryption_key_value(), settings.security.jwt_secret.get_secret_value()
    )
    return SqlUnitOfWorkFactory(engine, decrypt=cipher.decrypt)


def build_services(settings: Settings, engine: Engine) -> BookingService:
    from booking import tickets
    from payments.registry import GatewayRegistry, get_gateway

    options: dict[str, Any] = {}
    if settings.payments.api_key is not None:
        options["api_key"] = settings.payments.api_key.get_secret_value()
    if settings.payments.webhook_secret is not None:
        options["webhook_secret"] = settings.payments.webhook_secret.get_secret_value()
    if settings.payments.api_base:
        options["api_base"] = settings.payments.api_base
    gateways = GatewayRegistry().add(get_gateway(settings.payments.gateway, **options))
    # The e-ticket QR's signing key, the same in the API that shows it and the worker that
    # mails it.
    tickets.configure(settings.security.jwt_secret.get_secret_value())
    return BookingService(
        uow=sql_unit_of_work(settings, engine),
        gateways=gateways,
        links=theatre_links(
            settings.connectors.theatre_links, engine, settings.connectors.secrets_file
        ),
        availability=RecentAvailability(settings.booking.availability_snapshot_seconds),
        max_seats_held_per_show=settings.booking.max_seats_held_per_show,
        max_live_holds=settings.booking.max_live_holds_per_customer,
        stuck_after_seconds=settings.booking.stuck_after_seconds,
    )


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
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    services: BookingService | None = None,
    notifier: Notifier | None = None,
    with_services: bool = True,
    consumers: Sequence[Consumer] = (),
) -> WorkerRuntime:
    settings = settings or get_settings()
    config = settings.worker
    engine = engine or make_engine(settings.database.url, pool_size=4)
    if services is None and with_services:
        services = build_services(settings, engine)
    if notifier is None:
        from notifications import build_notifier

        notifier = build_notifier(settings.notifications, database_url=settings.database.url)
    # Analytics first: its local count never waits behind a POS or mail retry.
    all_consumers = [*analytics_consumers(), *consumers]
    if services is not None:
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
