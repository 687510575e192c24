"""The unit of work and its repositories: what a use case reads and writes in one transaction.
The SQL store (store/uow.py) implements them; the domain only sees these Protocols.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol, Self

from booking.events import Event
from canonical.catalog import SeatLayout, Show, Theatre
from canonical.inventory import SeatStatus
from canonical.orders import (
    Booking,
    Customer,
    Hold,
    HoldStatus,
    Payment,
    PaymentStatus,
)


# --- time ----------------------------------------------------------------------------------
class Clock(Protocol):
    def now(self) -> datetime: ...


# --- repositories --------------------------------------------------------------------------
class ShowRecord(NamedTuple):
    show: Show
    theatre: Theatre | None
    layout: SeatLayout | None
    cancelled: bool = False  # a cancelled show keeps its bookings but sells nothing more


class CatalogRepository(Protocol):
    def show(self, show_id: str) -> Show | None: ...
    def theatre(self, theatre_id: str) -> Theatre | None: ...
    def layout_for_show(self, show: Show) -> SeatLayout | None: ...
    def show_context(self, show_id: str) -> ShowRecord | None:
        """The show, its theatre and its seat layout (None: no such show)."""
        ...


class SeatInventory(Protocol):
    """Per-show seat states. `take` and `sell` are atomic conditional updates in the database:
    they succeed for every seat or change none, and never read-then-write in Python.

    A held seat whose hold has passed its expiry counts as free (expiry is lazy: the sweep only
    tidies up), so `states` reports it as available and `take` may take it."""

    def states(
        self, show_id: str, now: datetime, seat_ids: Iterable[str] | None = None
    ) -> Mapping[str, SeatStatus]:
        """Seat statuses as customers see them (an expired hold reads as available); only the
        given seats when `seat_ids` is set: a hold needs a few rows, not the whole house. A seat
        missing from the answer is available: an implementation may list only the others."""
        ...

    def take(
        self,
        show_id: str,
        seat_ids: Sequence[str],
        hold_id: str,
        *,
        expires_at: datetime,
        now: datetime,
    ) -> list[str]:
        """free -> held by `hold_id` until `expires_at`, all or none. Returns the seats that
        could NOT be taken (empty list: all taken; on failure nothing changed)."""
        ...

    def sell(
        self, show_id: str, seat_ids: Sequence[str], hold_id: str, booking_id: str
    ) -> list[str]:
        """held by `hold_id` -> sold to `booking_id`, all or none. Returns the seats the hold
        no longer owns (empty list: all sold; on failure nothing changed)."""
        ...

    def extend(self, show_id: str, hold_id: str, expires_at: datetime) -> int: ...

    def release(self, show_id: str, seat_ids: Sequence[str], hold_id: str) -> int:
        """held by `hold_id` -> available; seats held by someone else are left alone."""
        ...

    def unsell(self, show_id: str, booking_id: str) -> int:
        """sold to `booking_id` -> available (a cancelled booking)."""
        ...

    def force(self, show_id: str, seat_ids: Sequence[str], status: SeatStatus) -> int:
        """Take an outside authority's word (the POS) for these seats. Seats sold in a Marquee
        booking are left alone (that is a conflict, recorded elsewhere)."""
        ...


class HoldRepository(Protocol):
    def add(self, hold: Hold) -> None: ...
    def get(self, hold_id: str) -> Hold | None: ...

    def customer_load(self, customer_id: str, show_id: str, now: datetime) -> tuple[int, int]:
        """(seats this customer holds on this show, live holds this customer has anywhere),
        counting only active holds not yet past their expiry. One cheap read."""
        ...

    def save(self, hold: Hold, *, expect: HoldStatus) -> bool:
        """Write `hold` only if the stored hold still has status `expect` (compare-and-set)."""
        ...

    def expired(self, now: datetime, limit: int) -> list[Hold]: ...


class BookingRepository(Protocol):
    def add(self, booking: Booking) -> bool:
        """Insert; False (nothing written) when the hold already has a live booking: the
        database allows one pending or confirmed booking per hold."""
        ...

    def get(self, booking_id: str) -> Booking | None: ...
    def by_code(self, code: str) -> Booking | None: ...

    def by_hold(self, hold_id: str) -> Booking | None:
        """The hold's live (pending or confirmed) booking, else its latest one."""
        ...

    def save(self, booking: Booking, *, expect: str) -> bool: ...

    def stale_pending(self, before: datetime, limit: int) -> list[Booking]:
        """Bookings still pending that were created before `before` (the stuck sweep)."""
        ...


@dataclass(frozen=True)
class PaymentTransition:
    payment_id: str
    from_status: PaymentStatus
    to_status: PaymentStatus
    at: datetime
    cause: str
    event_id: str | None = None


class PaymentRepository(Protocol):
    def add(self, payment: Payment, *, idempotency_key: str | None = None) -> bool:
        """Insert an attempt; False (nothing written) when its booking already has an attempt
        in flight (initiated or in progress): the database allows one at a time."""
        ...

    def idempotency_key(self, payment_id: str) -> str | None:
        """The key the attempt was sent to the gateway with."""
        ...

    def unresolved(self, before: datetime, limit: int) -> list[Payment]:
        """Attempts still initiated or in progress, last changed before `before`."""
        ...

    def get(self, payment_id: str) -> Payment | None: ...
    def by_gateway_ref(self, gateway: str, gateway_ref: str) -> Payment | None: ...
    def for_booking(self, booking_id: str) -> list[Payment]: ...

    def save(self, payment: Payment, *, expect: PaymentStatus, expect_refunded: int) -> bool:
        """Compare-and-set on (status, refunded amount): a concurrent event loses, not wins."""
        ...

    def add_transition(self, transition: PaymentTransition) -> None: ...
    def transitions(self, payment_id: str) -> list[PaymentTransition]: ...

    def mark_event_seen(
        self, gateway: str, event_id: str, type: str = "", payload: Mapping[str, Any] | None = None
    ) -> bool:
        """Record a gateway event id; False if it was already recorded (a replay)."""
        ...


class CustomerRepository(Protocol):
    def get(self, customer_id: str) -> Customer | None: ...


class UnitOfWork(Protocol):
    """One transaction. Events emitted inside it reach the outbox only if it commits."""

    catalog: CatalogRepository
    seats: SeatInventory
    holds: HoldRepository
    bookings: BookingRepository
    payments: PaymentRepository
    customers: CustomerRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def emit(self, *events: Event) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def collect_new_events(self) -> Iterator[Event]:
        """Events of the last committed transaction, for in-process dispatch."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
