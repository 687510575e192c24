"""BookingService: the booking domain's front door for the API, the worker and the CLI. Each
write method builds a command (booking/commands.py) and hands it to the message bus, which runs
its handler; the queries read through booking/queries.py. Each use case runs in its own unit of
work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar, overload

from booking import events as ev
from booking import queries, tickets
from booking.availability import RecentAvailability
from booking.bus import HandlerContext, MessageBus
from booking.commands import (
    ApplyGatewayEvent,
    CancelAtTheatre,
    CancelBooking,
    Checkout,
    CommitSale,
    ConfirmPayment,
    ExpireHolds,
    ExtendHold,
    FailSale,
    HandleGatewayWebhook,
    HoldBestAvailable,
    IssueRefund,
    PlaceHold,
    ReleaseAtTheatre,
    ReleaseHold,
    ResolveStuck,
)
from booking.deps import Deps
from booking.hold_checks import best_available, refuse_early
from booking.keys import new_booking_code
from booking.ports import (
    Clock,
    GatewayEvent,
    GatewayResolver,
    PaymentTransition,
    TheatreLinkResolver,
    UnitOfWorkFactory,
)
from booking.read_models import SeatMap, SeatView
from booking.results import CancellationResult, CheckoutResult
from canonical.money import Money
from canonical.orders import Booking, Hold, Payment, PaymentMethod

T = TypeVar("T")


class _Setting(Generic[T]):
    """One of the service's settings, kept in its Deps: reading or assigning it on the service
    reads or changes what every handler runs with from then on."""

    name: str

    def __set_name__(self, owner: type[BookingService], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, service: None, owner: type[BookingService]) -> _Setting[T]: ...
    @overload
    def __get__(self, service: BookingService, owner: type[BookingService]) -> T: ...

    def __get__(
        self, service: BookingService | None, owner: type[BookingService]
    ) -> T | _Setting[T]:
        if service is None:
            return self
        value: T = getattr(service.deps, self.name)
        return value

    def __set__(self, service: BookingService, value: T) -> None:
        setattr(service.deps, self.name, value)


class BookingService:
    uow = _Setting[UnitOfWorkFactory]()
    gateways = _Setting[GatewayResolver]()
    links = _Setting[TheatreLinkResolver]()
    clock = _Setting[Clock]()
    on_commit = _Setting[Callable[[list[ev.Event]], None] | None]()
    availability = _Setting[RecentAvailability]()
    max_seats_held_per_show = _Setting[int | None]()
    max_live_holds = _Setting[int]()
    stuck_after_seconds = _Setting[int]()

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: GatewayResolver,
        links: TheatreLinkResolver | None = None,
        clock: Clock | None = None,
        on_commit: Callable[[list[ev.Event]], None] | None = None,
        availability: RecentAvailability | None = None,
        max_seats_held_per_show: int | None = None,
        max_live_holds: int = 5,
        stuck_after_seconds: int = 900,
    ) -> None:
        self.deps = Deps(
            uow,
            gateways,
            on_commit=on_commit,
            max_seats_held_per_show=max_seats_held_per_show,
            max_live_holds=max_live_holds,
            stuck_after_seconds=stuck_after_seconds,
        )
        if links is not None:
            self.deps.links = links
        if clock is not None:
            self.deps.clock = clock
        if availability is not None:
            self.deps.availability = availability
        self.bus = MessageBus(HandlerContext(self))

    # --- holds -----------------------------------------------------------------------------
    def place_hold(
        self, show_id: str, seat_ids: Iterable[str], customer_id: str | None = None
    ) -> Hold:
        """Hold exactly these seats, all or none."""
        return self.bus.handle(PlaceHold(show_id, tuple(seat_ids), customer_id))

    def hold_best_available(
        self,
        show_id: str,
        count: int,
        category: str | None = None,
        customer_id: str | None = None,
        attempts: int = 3,
    ) -> Hold:
        """Find and hold the best N adjacent seats; if another customer takes them first, look
        again (a few times) rather than fail."""
        return self.bus.handle(HoldBestAvailable(show_id, count, category, customer_id, attempts))

    def extend_hold(self, hold_id: str) -> Hold:
        return self.bus.handle(ExtendHold(hold_id))

    def release_hold(self, hold_id: str) -> Hold:
        return self.bus.handle(ReleaseHold(hold_id))

    def expire_holds(self, limit: int = 500) -> int:
        """The sweep of holds past their expiry; returns how many it expired."""
        return self.bus.handle(ExpireHolds(limit))

    def release_at_theatre(
        self,
        show_id: str,
        theatre_id: str,
        remote_ref: str | None,
        remote_key: str | None,
        seat_ids: Iterable[str] = (),
    ) -> None:
        self.bus.handle(
            ReleaseAtTheatre(show_id, theatre_id, remote_ref, remote_key, tuple(seat_ids))
        )

    def best_available(self, show_id: str, count: int, category: str | None = None) -> list[str]:
        return best_available(self.deps, show_id, count, category)

    def refuse_early(
        self,
        show_id: str,
        seat_ids: Iterable[str] | None = None,
        count: int | None = None,
        category: str | None = None,
    ) -> None:
        """Raise the refusal a recent availability snapshot already shows for this hold
        request; never touches the database (booking/hold_checks.py)."""
        refuse_early(self.deps, show_id, seat_ids, count, category)

    # --- checkout and payments -------------------------------------------------------------
    def checkout(
        self,
        hold_id: str,
        customer_id: str,
        *,
        gateway: str = "offline",
        method: PaymentMethod = PaymentMethod.CARD,
        ticket_types: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> CheckoutResult:
        """Create (or reuse) the pending booking for a hold and start one payment attempt."""
        return self.bus.handle(
            Checkout(hold_id, customer_id, gateway, method, ticket_types, details)
        )

    def confirm_payment(
        self, payment_id: str, details: Mapping[str, Any] | None = None
    ) -> CheckoutResult:
        """Second step after a `requires_action` (3-D Secure) answer."""
        return self.bus.handle(ConfirmPayment(payment_id, details))

    def handle_gateway_event(self, gateway: str, payload: bytes, headers: Mapping[str, str]) -> str:
        """A webhook: verify (raises InvalidSignature), de-duplicate, apply. Returns what
        happened: applied, duplicate, stale, ignored or unknown_payment."""
        return self.bus.handle(HandleGatewayWebhook(gateway, payload, headers))

    def apply_gateway_event(self, event: GatewayEvent) -> str:
        return self.bus.handle(ApplyGatewayEvent(event))

    def resolve_stuck(self, limit: int = 200) -> int:
        """The stuck-payment sweep; returns how many payments and bookings it settled."""
        return self.bus.handle(ResolveStuck(limit))

    # --- cancellation and refunds ----------------------------------------------------------
    def issue_refund(
        self, payment_id: str, amount: Money, reason: str, idempotency_key: str
    ) -> Payment:
        return self.bus.handle(IssueRefund(payment_id, amount, reason, idempotency_key))

    def cancel_booking(self, booking_id: str, customer_id: str | None = None) -> CancellationResult:
        return self.bus.handle(CancelBooking(booking_id, customer_id))

    def cancel_at_theatre(self, booking_id: str) -> None:
        self.bus.handle(CancelAtTheatre(booking_id))

    # --- sales at the POS ------------------------------------------------------------------
    def commit_sale(self, booking_id: str) -> str | None:
        return self.bus.handle(CommitSale(booking_id))

    def fail_sale(self, booking_id: str, reason: str, *, raise_conflict: bool = True) -> None:
        self.bus.handle(FailSale(booking_id, reason, raise_conflict))

    # --- queries ---------------------------------------------------------------------------
    def seat_map(self, show_id: str) -> SeatMap:
        return queries.seat_map(self.deps, show_id)

    def get_hold(self, hold_id: str) -> Hold:
        return queries.get_hold(self.deps, hold_id)

    def get_booking(self, booking_id: str) -> Booking:
        return queries.get_booking(self.deps, booking_id)

    def find_booking(self, code: str) -> Booking:
        return queries.find_booking(self.deps, code)

    def get_payment(self, payment_id: str) -> Payment:
        return queries.get_payment(self.deps, payment_id)

    def payment_history(self, payment_id: str) -> list[PaymentTransition]:
        return queries.payment_history(self.deps, payment_id)


def ticket_payload(booking: Booking) -> str:
    """What the e-ticket's QR code encodes: the code and the seats, signed for the door
    scanner (booking/tickets.py)."""
    return tickets.signer().encode(booking)


__all__ = [
    "BookingService",
    "CancellationResult",
    "CheckoutResult",
    "SeatMap",
    "SeatView",
    "new_booking_code",
    "ticket_payload",
]
