"""The booking service's shared core: its configuration, the unit-of-work plumbing every use
case runs in (commit, then the events), a show's selling context, and the seat map.

The use cases build on it in layers, one module each: holds (booking/holding.py), checkout and
payments (booking/paying.py), cancellation and refunds (booking/cancelling.py), committing sales
at the POS (booking/pos_sales.py); booking/services.py puts them together as BookingService.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from booking import events as ev
from booking.availability import RecentAvailability
from booking.clock import SystemClock
from booking.errors import (
    UnknownShow,
)
from booking.ports import (
    Clock,
    GatewayResolver,
    SellingPolicy,
    SellingPolicySource,
    TheatreLink,
    TheatreLinkResolver,
    UnitOfWork,
    UnitOfWorkFactory,
)
from booking.read_models import SeatMap, SeatMaps
from booking.show_context import ShowContext
from canonical.catalog import (
    Show,
    Theatre,
)
from canonical.money import Money
from canonical.orders import (
    Booking,
    Payment,
)

# Booking codes avoid look-alikes (0/O, 1/I/L) because people read them out at the counter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CHECKOUT_TRIES = 5  # reads after losing a race for a hold's booking or attempt
# Events whose transaction freed seats: a recent-availability snapshot of the show is stale.
FREES_SEATS = (ev.HoldReleased, ev.HoldExpired, ev.BookingCancelled, ev.BookingFailed)


def attempt_key(booking_id: str, attempt: int) -> str:
    """The gateway idempotency key of a booking's n-th payment attempt."""
    return f"{booking_id}:attempt-{attempt}"


def remote_key(hold_id: str) -> str:
    """The idempotency key of a hold at the POS: a retry of the same hold never holds twice."""
    return f"hold:{hold_id}"


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class CheckoutResult:
    booking: Booking
    payment: Payment
    next_action: str | None = None  # e.g. "3ds": call confirm_payment after the customer acts
    client_secret: str | None = None
    created: bool = True  # False: a repeated checkout, answered with the existing attempt


@dataclass(frozen=True)
class CancellationResult:
    booking: Booking
    refund: Money
    fee: Money
    refund_issued: bool


@dataclass
class ServiceCore:
    uow: UnitOfWorkFactory
    gateways: GatewayResolver
    links: TheatreLinkResolver = field(default=lambda theatre: None)
    clock: Clock = field(default_factory=SystemClock)
    # Called with the events of each committed transaction (in-process dispatch). Leave None
    # when an outbox relay delivers them instead.
    on_commit: Callable[[list[ev.Event]], None] | None = None
    # Recent seat states per show, trusted only to refuse (booking/availability.py). Off (0 s)
    # unless configured; the API runs with AVAILABILITY_SNAPSHOT_SECONDS.
    availability: RecentAvailability = field(default_factory=lambda: RecentAvailability(0.0))
    # Per-customer caps across all their holds: seats held on one show (None: the theatre's
    # max seats per hold) and live holds anywhere. A customer holding a show's seats a few at a
    # time is refused as one holding them all at once would be.
    max_seats_held_per_show: int | None = None
    max_live_holds: int = 5
    # How long a booking may stay pending, or a payment attempt unresolved, before the stuck
    # sweep asks the gateway about it.
    stuck_after_seconds: int = 900
    _maps: SeatMaps = field(default_factory=SeatMaps, init=False, repr=False)

    # --- plumbing ------------------------------------------------------------------------
    def _commit(self, uow: UnitOfWork) -> None:
        uow.commit()
        events = list(uow.collect_new_events())
        for event in events:
            if isinstance(event, FREES_SEATS):
                self.availability.forget(event.show_id)
        if self.on_commit is not None and events:
            self.on_commit(events)

    def _context(self, uow: UnitOfWork, show_id: str) -> ShowContext:
        found = uow.catalog.show_context(show_id)
        if found is None:
            raise UnknownShow(f"no show {show_id!r}")
        show, theatre, layout, cancelled = found
        if theatre is None or layout is None:
            raise UnknownShow(f"show {show_id!r} has no theatre or seat layout on record")
        return ShowContext(show, theatre, layout, cancelled, self._selling(theatre, show))

    def _selling(self, theatre: Theatre, show: Show) -> SellingPolicy:
        link = self.links(theatre)
        if isinstance(link, SellingPolicySource):
            return link.selling(show)
        return SellingPolicy()

    def _link(self, theatre: Theatre) -> TheatreLink | None:
        link = self.links(theatre)
        if isinstance(link, SellingPolicySource) and not link.selling_forwards():
            # The POS takes no holds or sales from Marquee (allocated seats are sold here).
            return None
        return link

    # --- seat map ------------------------------------------------------------------------
    def seat_map(self, show_id: str) -> SeatMap:
        with self.uow() as uow:
            ctx = self._context(uow, show_id)
            now = self.clock.now()
            states = uow.seats.states(show_id, now)
        self.availability.remember(show_id, ctx, states)
        return self._maps.build(ctx, states, now)
