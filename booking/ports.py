"""The ports the booking domain needs. Adapters (store/, payments/, connectors/, notifiers)
implement them; the domain only ever sees these Protocols and canonical objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, Protocol, Self, runtime_checkable

from booking.events import Event
from canonical.catalog import Seat, SeatLayout, Show, Theatre
from canonical.inventory import SeatStatus
from canonical.money import Money
from canonical.orders import (
    Booking,
    Customer,
    Hold,
    HoldStatus,
    Payment,
    PaymentMethod,
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


# --- payment gateway -----------------------------------------------------------------------
class GatewayStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"  # e.g. 3-D Secure: the customer must confirm
    PROCESSING = "processing"  # outcome comes later, by webhook


@dataclass(frozen=True)
class PaymentRequest:
    payment_id: str
    booking_id: str
    amount: Money
    method: PaymentMethod
    idempotency_key: str
    description: str = ""
    # Gateway-specific: a test card number for `offline`, a PaymentMethod id for Stripe.
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    gateway_ref: str
    client_secret: str | None = None
    action: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_ref: str
    amount: Money
    status: str = "succeeded"


class GatewayEventKind(StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"  # carries the cumulative refunded amount
    DISPUTED = "disputed"  # the customer's bank pulled the money back (a chargeback opened)
    IGNORED = "ignored"  # a type we do not act on


@dataclass(frozen=True)
class GatewayEvent:
    gateway: str
    event_id: str
    kind: GatewayEventKind
    gateway_ref: str | None
    created: datetime
    type: str = ""
    payment_id: str | None = None
    amount_refunded: int | None = None  # minor units, cumulative
    failure_message: str | None = None


class GatewayError(Exception):
    """The gateway could not be reached or timed out: the outcome is unknown."""

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class PaymentGateway(Protocol):
    name: str
    capabilities: frozenset[PaymentMethod]

    def create_payment(self, request: PaymentRequest) -> GatewayResult: ...

    def confirm_payment(
        self, gateway_ref: str, idempotency_key: str, details: Mapping[str, Any] | None = None
    ) -> GatewayResult: ...

    def refund(self, gateway_ref: str, amount: Money, idempotency_key: str) -> RefundResult: ...

    def lookup(
        self, payment_id: str, idempotency_key: str, gateway_ref: str | None
    ) -> GatewayResult | None:
        """What the gateway knows of an attempt whose answer we never recorded (a crash or a
        timeout): its current outcome, or None when the gateway never saw it. Raises
        GatewayError when the gateway cannot say."""
        ...

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Verify the signature on the raw body and translate. Raises InvalidSignature."""
        ...


class GatewayResolver(Protocol):
    def __call__(self, name: str) -> PaymentGateway: ...


# --- theatre link (the POS of a legacy theatre) --------------------------------------------
@dataclass(frozen=True)
class RemoteHold:
    ref: str  # the POS's order id
    expires_at: datetime | None = None


class SellingMode(StrEnum):
    """How Marquee sells a legacy theatre's seats online."""

    LIVE = "live"  # every hold and sale goes through the POS
    CLOSED = "closed"  # no online sales (an export-only POS with nothing allocated)
    ALLOCATION = "allocation"  # only seats the theatre gave Marquee, sold here


@dataclass(frozen=True)
class SellingPolicy:
    """What a theatre's POS lets Marquee sell online, for one show."""

    mode: SellingMode = SellingMode.LIVE
    # ALLOCATION: the seats of the show Marquee may sell; every other seat is the box office's.
    allocated: frozenset[str] = frozenset()
    reason: str = ""
    # Whether the POS can cancel a sale Marquee committed there: without it, a customer's
    # cancellation would free seats online that the POS still counts as sold.
    can_cancel: bool = True

    @property
    def forwards(self) -> bool:
        """Holds and sales are made at the POS too."""
        return self.mode is SellingMode.LIVE


LIVE = SellingPolicy()


@runtime_checkable
class SellingPolicySource(Protocol):
    """A theatre link that knows its POS's capabilities (a link without it sells live)."""

    def selling(self, show: Show) -> SellingPolicy: ...

    def selling_forwards(self) -> bool:
        """Whether holds and sales go to the POS (the connector sells live)."""
        ...


class PosRefused(Exception):
    """The POS answered and said no: these seats are not free there."""

    def __init__(self, seat_ids: Sequence[str], message: str = "") -> None:
        super().__init__(message or f"POS refused seats {', '.join(seat_ids)}")
        self.seat_ids = list(seat_ids)


class PosUnavailable(Exception):
    """The POS did not answer (timeout, transport error, circuit open)."""

    def __init__(self, message: str = "POS unavailable", retry_after: int = 30) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PosOrderGone(Exception):
    """The POS no longer knows the order (expired there)."""


class TheatreLink(Protocol):
    """Forwards holds and sales to a theatre's own system. Every call carries an idempotency key
    so a retry never holds, sells or cancels twice."""

    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold: ...

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        """Commit the sale; returns the POS's booking number."""
        ...

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None: ...

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None: ...


class TheatreLinkResolver(Protocol):
    def __call__(self, theatre: Theatre) -> TheatreLink | None:
        """The link for a legacy theatre, or None for a native one (nothing to forward)."""
        ...


# --- notifications -------------------------------------------------------------------------
@dataclass(frozen=True)
class Notification:
    kind: str  # template name: booking_confirmed, booking_cancelled, refund_issued, ...
    customer: Customer
    context: Mapping[str, Any]


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...


def seats_by_id(layout: SeatLayout, seat_ids: Iterable[str]) -> list[Seat]:
    seat_map = layout.seat_map()
    return [seat_map[s] for s in seat_ids if s in seat_map]
