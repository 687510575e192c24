from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from booking.clock import ManualClock
from booking.handlers import HandlerContext, MessageBus
from booking.ports import Notification
from booking.samples import sample_layout, sample_show, sample_theatre
from booking.services import BookingService
from canonical.catalog import TheatreRules
from canonical.orders import Customer
from payments.offline import OfflineGateway
from payments.registry import GatewayRegistry
from tests.booking.memory import InMemoryStore, InMemoryUnitOfWorkFactory

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SHOW_START = NOW + timedelta(days=2)


@dataclass
class RecordingNotifier:
    sent: list[Notification] = field(default_factory=list)

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


@dataclass
class World:
    store: InMemoryStore
    clock: ManualClock
    gateway: OfflineGateway
    service: BookingService
    bus: MessageBus
    notifier: RecordingNotifier
    delivered: int = 0

    def drain(self) -> int:
        """Deliver outbox events to handlers, as the relay would (handlers may add more)."""
        n = 0
        while self.delivered < len(self.store.outbox):
            event = self.store.outbox[self.delivered]
            self.delivered += 1
            self.bus.handle(event)
            n += 1
        return n

    def events(self, kind: type) -> list:
        return [e for e in self.store.outbox if isinstance(e, kind)]


def make_world(rules: TheatreRules | None = None, links=None, **show_kw) -> World:
    store = InMemoryStore()
    store.add_show(
        sample_theatre(rules=rules, connector_id="pos" if links else None),
        sample_layout(),
        sample_show(start=SHOW_START, **show_kw),
    )
    store.customers["cus_1"] = Customer(id="cus_1", email="asha@example.com", name="Asha")
    clock = ManualClock(NOW)
    gateway = OfflineGateway()
    service = BookingService(
        InMemoryUnitOfWorkFactory(store),
        GatewayRegistry().add(gateway),
        links=links or (lambda theatre: None),
        clock=clock,
    )
    notifier = RecordingNotifier()
    bus = MessageBus(HandlerContext(service, notifier))
    return World(store, clock, gateway, service, bus, notifier)


@pytest.fixture
def world() -> World:
    return make_world()
