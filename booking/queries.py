"""Queries: reads that change nothing, each in its own unit of work."""

from __future__ import annotations

from booking.deps import Deps, show_context
from booking.errors import UnknownBooking, UnknownHold, UnknownPayment
from booking.ports import PaymentTransition
from booking.read_models import SeatMap
from canonical.orders import Booking, Hold, Payment


def get_booking(deps: Deps, booking_id: str) -> Booking:
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
    if booking is None:
        raise UnknownBooking(f"no booking {booking_id!r}")
    return booking


def find_booking(deps: Deps, code: str) -> Booking:
    with deps.uow() as uow:
        booking = uow.bookings.by_code(code.strip().upper())
    if booking is None:
        raise UnknownBooking(f"no booking with code {code!r}")
    return booking


def get_hold(deps: Deps, hold_id: str) -> Hold:
    with deps.uow() as uow:
        hold = uow.holds.get(hold_id)
    if hold is None:
        raise UnknownHold(f"no hold {hold_id!r}")
    return hold


def get_payment(deps: Deps, payment_id: str) -> Payment:
    with deps.uow() as uow:
        payment = uow.payments.get(payment_id)
    if payment is None:
        raise UnknownPayment(f"no payment {payment_id!r}")
    return payment


def payment_history(deps: Deps, payment_id: str) -> list[PaymentTransition]:
    with deps.uow() as uow:
        return uow.payments.transitions(payment_id)


def seat_map(deps: Deps, show_id: str) -> SeatMap:
    """The show's seats as customers see them; the states read also refresh the show's
    availability snapshot."""
    with deps.uow() as uow:
        ctx = show_context(deps, uow, show_id)
        now = deps.clock.now()
        states = uow.seats.states(show_id, now)
    deps.availability.remember(show_id, ctx, states)
    return deps.maps.build(ctx, states, now)
