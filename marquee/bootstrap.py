"""Composition root: everything the hub runs on, built from the one settings object.

The API (`api/app.py`), the Celery worker (`marquee/worker/celery_app.py`), the CLI and the
tests ask a `Hub` for their parts; nothing else builds these adapters:

- `engine` (the primary database) and `stale_reads` (the replica while it keeps up);
- `cipher` (customers' contact data at rest) and `unit_of_work` (SQL, able to decrypt it);
- `gateways` (the configured payment gateway) and `theatre_links` (which theatres a POS owns);
- `booking` (the booking service over all of these) and `tickets` (the e-ticket QR's signer);
- `connector(id)` (a legacy theatre's connector, with the connector secrets);
- `notifier` (email, SMS, push);
- `runtime` (the worker: booking's handlers as consumers, the dispatcher, the outbox relay).

Each part is built on first use, once per Hub, and a process makes one Hub (the API app, a
Celery pool process after its fork, a CLI command). The in-process worker runs on the API's own
Hub, so it shares the API's booking service and its per-process state (the availability
snapshot, the gateway's memory of idempotency keys, one connection pool). Tests hand in the
parts they build themselves (an engine, a booking service on a fake POS) and get the rest built
around them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Engine

from marquee.settings import Settings, get_settings
from store.engine import StaleReads, make_engine

if TYPE_CHECKING:
    from booking.ports import TheatreLinkResolver, UnitOfWorkFactory
    from booking.services import BookingService
    from booking.tickets import TicketSigner
    from connectors.connector import Connector
    from marquee.pii import PiiCipher
    from marquee.worker.runtime import WorkerRuntime
    from notifications import ChannelNotifier
    from payments.registry import GatewayRegistry
    from store.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")


class Hub:
    def __init__(
        self,
        settings: Settings,
        *,
        pool_size: int = 10,
        engine: Engine | None = None,
        booking: BookingService | None = None,
    ) -> None:
        self.settings = settings
        self.pool_size = pool_size
        # Reentrant: building the booking service builds the engine, the unit of work, ...
        self._lock = threading.RLock()
        given = {"engine": engine, "booking": booking}
        self._parts: dict[str, Any] = {k: part for k, part in given.items() if part is not None}

    def __repr__(self) -> str:
        return f"Hub(built={sorted(self._parts)})"

    def _once(self, name: str, build: Callable[[], T]) -> T:
        built: T | None = self._parts.get(name)
        if built is not None:  # every request asks for the engine: no lock once it exists
            return built
        # Once per Hub even when two requests ask at the same moment: two booking services
        # would keep two availability snapshots and two gateways' idempotency memories.
        with self._lock:
            if name not in self._parts:
                self._parts[name] = build()
            part: T = self._parts[name]
            return part

    @property
    def engine(self) -> Engine:
        return self._once(
            "engine", lambda: make_engine(self.settings.database.url, pool_size=self.pool_size)
        )

    @property
    def stale_reads(self) -> StaleReads:
        """Catalog reads: the replica (REPLICA_DATABASE_URL) while it keeps up, else primary."""

        def build() -> StaleReads:
            db = self.settings.database
            replica = make_engine(db.replica_url) if db.replica_url else None
            return StaleReads(self.engine, replica, db.replica_max_lag_seconds)

        return self._once("stale_reads", build)

    @property
    def cipher(self) -> PiiCipher:
        """Customers' contact data at rest; the API, the worker and the CLI use the same key."""
        from marquee.pii import cipher_from_settings

        security = self.settings.security
        return self._once(
            "cipher",
            lambda: cipher_from_settings(
                security.encryption_key_value(), security.jwt_secret.get_secret_value()
            ),
        )

    @property
    def unit_of_work(self) -> SqlUnitOfWorkFactory:
        """The SQL unit of work, able to read customers' encrypted contact data (to notify
        them)."""
        from store.uow import SqlUnitOfWorkFactory

        return self._once(
            "unit_of_work", lambda: SqlUnitOfWorkFactory(self.engine, decrypt=self.cipher.decrypt)
        )

    @property
    def gateways(self) -> GatewayRegistry:
        def build() -> GatewayRegistry:
            from payments.registry import GatewayRegistry, get_gateway

            payments = self.settings.payments
            options: dict[str, Any] = {}
            if payments.api_key is not None:
                options["api_key"] = payments.api_key.get_secret_value()
            if payments.webhook_secret is not None:
                options["webhook_secret"] = payments.webhook_secret.get_secret_value()
            if payments.api_base:
                options["api_base"] = payments.api_base
            return GatewayRegistry().add(get_gateway(payments.gateway, **options))

        return self._once("gateways", build)

    @property
    def theatre_links(self) -> TheatreLinkResolver:
        """The configured resolver (`THEATRE_LINKS=module:factory`, the factory takes the
        engine), else the connectors package's resolver once it provides one, else native
        theatres only."""

        def build() -> TheatreLinkResolver:
            connectors = self.settings.connectors
            if connectors.theatre_links:
                resolver: TheatreLinkResolver = load_object(connectors.theatre_links)(self.engine)
                return resolver
            try:
                from connectors.link import link_resolver
            except ImportError:
                log.warning(
                    "no theatre link resolver configured: legacy theatres are not forwarded"
                )
                from booking.links import native_only

                return native_only
            # A plain function: mypy cannot match its positional parameter to the protocol's.
            return cast("TheatreLinkResolver", link_resolver(self.engine, connectors.secrets_file))

        return self._once("theatre_links", build)

    @property
    def tickets(self) -> TicketSigner:
        """The e-ticket QR's signer, on the deployment's key: the same in the API that shows and
        scans tickets and the worker that mails them. Asked for before the first ticket is
        signed or checked, whichever comes first (a door scan may precede any booking)."""

        def build() -> TicketSigner:
            from booking import tickets

            return tickets.configure(self.settings.security.jwt_secret.get_secret_value())

        return self._once("tickets", build)

    def connector(self, connector_id: str) -> Connector:
        """A legacy theatre's connector, with the deployment's connector secrets (cached per
        process by the connectors package)."""
        from connectors.connector import get_connector

        return get_connector(self.engine, connector_id, self.settings.connectors.secrets_file)

    @property
    def booking(self) -> BookingService:
        """The booking service: SQL unit of work, the configured gateway, theatre links."""

        def build() -> BookingService:
            from booking.availability import RecentAvailability
            from booking.services import BookingService

            _ = self.tickets  # the QR signing key, set before any booking is mailed or shown
            limits = self.settings.booking
            return BookingService(
                # The SQL repositories' signatures are wider than booking's ports spell them.
                uow=cast("UnitOfWorkFactory", self.unit_of_work),
                gateways=self.gateways,
                links=self.theatre_links,
                availability=RecentAvailability(limits.availability_snapshot_seconds),
                max_seats_held_per_show=limits.max_seats_held_per_show,
                max_live_holds=limits.max_live_holds_per_customer,
                stuck_after_seconds=limits.stuck_after_seconds,
            )

        return self._once("booking", build)

    @property
    def notifier(self) -> ChannelNotifier:
        def build() -> ChannelNotifier:
            from notifications import build_notifier

            return build_notifier(self.settings.notifications, engine=self.engine)

        return self._once("notifier", build)

    @property
    def runtime(self) -> WorkerRuntime:
        """The worker: analytics, booking's handlers, the admin conflicts and the allocation
        reports as consumers, the dispatcher and the relay, on this Hub's booking service."""

        def build() -> WorkerRuntime:
            from marquee.worker.runtime import build_runtime

            return build_runtime(
                self.settings, engine=self.engine, services=self.booking, notifier=self.notifier
            )

        return self._once("runtime", build)


def load_object(ref: str) -> Any:
    """ "package.module:attribute" -> the attribute."""
    module, _, attr = ref.partition(":")
    target: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        target = getattr(target, part)
    return target


def build_hub(
    settings: Settings | None = None,
    *,
    pool_size: int = 10,
    engine: Engine | None = None,
    booking: BookingService | None = None,
) -> Hub:
    """A Hub on `settings` (default: the process's settings from the environment).
    `engine` and `booking`: parts built elsewhere (tests), used instead of building them."""
    return Hub(settings or get_settings(), pool_size=pool_size, engine=engine, booking=booking)
