"""What money arriving or leaving means for a booking: confirm it when a payment goes through
(re-taking its seats if the hold ended first, or refunding when they are gone), and cancel a
confirmed booking whose money went back at the gateway.
"""

from __future__ import annotations

from datetime import timedelta

from booking import events as ev
from booking.deps import Deps
from booking.errors import ConcurrentUpdate, SeatsUnavailable, UnknownHold
from booking.hold_ending import free_hold
from booking.ports import UnitOfWork
from canonical.money import Money
from canonical.orders import Booking, BookingStatus, HoldStatus, Payment


def cancel_for_money(
    deps: Deps, uow: UnitOfWork, booking: Booking, reason: str, refunded: Money | None
) -> Booking:
    """Cancel a confirmed booking whose money is gone. Seats are released for sale when the
    show is still to come (the policy); after the start they stay as they are."""
    now = deps.clock.now()
    cancelled = booking.cancel(now)
    if not uow.bookings.save(cancelled, expect=BookingStatus.CONFIRMED.value):
        return booking
    show = uow.catalog.show(booking.show_id)
    if show is None or show.start > now:
        uow.seats.unsell(booking.show_id, booking.id)
    zero = booking.total.model_copy(update={"amount": 0})
    uow.emit(
        ev.BookingCancelled(
            booking_id=booking.id,
            code=booking.code,
            show_id=booking.show_id,
            theatre_id=show.theatre_id if show else "",
            customer_id=booking.customer_id,
            seat_ids=tuple(t.seat_id for t in booking.tickets),
            refund=refunded or zero,
            fee=zero,
            remote_ref=booking.remote_ref,
        )
    )
    return cancelled


def fulfil(deps: Deps, uow: UnitOfWork, booking: Booking, payment: Payment) -> Booking:
    """The money is in: confirm the booking, or refund if there is nothing left to sell."""
    now = deps.clock.now()
    if booking.status != BookingStatus.PENDING:
        # Paid twice (two attempts both went through) or paid for a dead booking.
        uow.emit(
            ev.RefundRequested(
                payment_id=payment.id,
                booking_id=booking.id,
                amount=payment.amount,
                reason=f"booking already {booking.status.value}",
                idempotency_key=f"refund:{payment.id}:full",
            )
        )
        return booking
    hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
    seat_ids = [t.seat_id for t in booking.tickets]
    if hold is None:
        raise UnknownHold(f"booking {booking.id} has no hold")
    retaken = False
    missing = (
        uow.seats.sell(booking.show_id, seat_ids, hold.id, booking.id)
        if hold.status == HoldStatus.ACTIVE
        else seat_ids
    )
    if missing:
        # The hold ended first (released, expired, or its seats lapsed and were re-taken).
        # Re-take the same seats if they are still free, under the same hold id.
        taken = uow.seats.take(
            booking.show_id, seat_ids, hold.id, now=now, expires_at=now + timedelta(minutes=5)
        )
        if taken:
            failed = booking.fail()
            uow.bookings.save(failed, expect=BookingStatus.PENDING.value)
            uow.emit(
                ev.BookingFailed(
                    booking_id=booking.id,
                    show_id=booking.show_id,
                    customer_id=booking.customer_id,
                    reason="paid after the hold expired; seats taken",
                )
            )
            uow.emit(
                ev.LateSuccessRefunded(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    customer_id=booking.customer_id,
                    seat_ids=tuple(seat_ids),
                )
            )
            uow.emit(
                ev.RefundRequested(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    amount=payment.amount,
                    reason="paid after the hold expired and the seats were sold",
                    idempotency_key=f"refund:{payment.id}:full",
                )
            )
            if hold.status == HoldStatus.ACTIVE:
                free_hold(uow, hold, hold.expire(), seat_ids)
            return failed
        retaken = True
        still = uow.seats.sell(booking.show_id, seat_ids, hold.id, booking.id)
        if still:  # we hold them this very transaction; refuse loudly rather than oversell
            raise SeatsUnavailable(still, "seats are no longer held for this booking")
    converted = hold.convert(retaken=retaken)
    uow.holds.save(converted, expect=hold.status)
    confirmed = booking.confirm(now)
    if not uow.bookings.save(confirmed, expect=BookingStatus.PENDING.value):
        raise ConcurrentUpdate(f"booking {booking.id} changed meanwhile; try again")
    show = uow.catalog.show(booking.show_id)
    uow.emit(
        ev.BookingConfirmed(
            booking_id=booking.id,
            code=booking.code,
            show_id=booking.show_id,
            theatre_id=show.theatre_id if show else "",
            customer_id=booking.customer_id,
            seat_ids=tuple(seat_ids),
            total=booking.total,
            hold_id=hold.id,
            remote_hold_ref=converted.remote_ref,
            payment_id=payment.id,
        )
    )
    return confirmed
