"""Moving a payment to its next state inside a unit of work, with what follows from it: the
transitions recorded, the events, the booking confirmed when the money is in (or refunded when
the seats are gone), the booking cancelled when all the money went back.
"""

from __future__ import annotations

from booking import events as ev
from booking.deps import Deps, commit
from booking.errors import ConcurrentUpdate, UnknownBooking, UnknownPayment
from booking.fulfilment import cancel_for_money, fulfil
from booking.payment_states import advance
from booking.ports import UnitOfWork
from canonical.orders import Booking, BookingStatus, Payment, PaymentStatus


def transition(
    deps: Deps,
    payment_id: str,
    target: PaymentStatus,
    *,
    cause: str,
    gateway_ref: str | None = None,
    failure: str | None = None,
    event_id: str | None = None,
    refunded: int | None = None,
) -> tuple[Payment, Booking]:
    with deps.uow() as uow:
        payment = uow.payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id!r}")
        payment, booking = move(
            deps,
            uow,
            payment,
            target,
            cause=cause,
            gateway_ref=gateway_ref,
            failure=failure,
            event_id=event_id,
            refunded=refunded,
        )
        commit(deps, uow)
        return payment, booking


def move(
    deps: Deps,
    uow: UnitOfWork,
    payment: Payment,
    target: PaymentStatus,
    *,
    cause: str,
    gateway_ref: str | None = None,
    failure: str | None = None,
    event_id: str | None = None,
    refunded: int | None = None,
    refund_reason: str = "gateway",
) -> tuple[Payment, Booking]:
    """Apply one payment move inside `uow`, with its consequences (fulfilment, events)."""
    now = deps.clock.now()
    before = payment
    updated, steps = advance(
        payment, target, at=now, cause=cause, event_id=event_id, refunded=refunded
    )
    if gateway_ref and updated.gateway_ref != gateway_ref:
        updated = updated.model_copy(update={"gateway_ref": gateway_ref})
    booking = uow.bookings.get(payment.booking_id)
    if booking is None:
        raise UnknownBooking(f"payment {payment.id} points at no booking")
    if updated == before:
        return before, booking
    if not uow.payments.save(
        updated,
        expect=before.status,
        expect_refunded=before.refunded.amount if before.refunded else 0,
    ):
        raise ConcurrentUpdate(f"payment {payment.id} changed meanwhile; try again")
    for step in steps:
        uow.payments.add_transition(step)
        uow.emit(
            ev.PaymentStatusChanged(
                payment_id=payment.id,
                booking_id=booking.id,
                from_status=step.from_status.value,
                to_status=step.to_status.value,
                cause=step.cause,
            )
        )
    reached = {s.to_status for s in steps}
    if PaymentStatus.SUCCEEDED in reached:
        uow.emit(
            ev.PaymentSucceeded(
                payment_id=payment.id,
                booking_id=booking.id,
                amount=updated.amount,
                gateway_ref=updated.gateway_ref,
            )
        )
        booking = fulfil(deps, uow, booking, updated)
    if PaymentStatus.FAILED in reached:
        uow.emit(
            ev.PaymentFailed(payment_id=payment.id, booking_id=booking.id, reason=failure or cause)
        )
    if reached & {PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}:
        prior = before.refunded.amount if before.refunded else 0
        assert updated.refunded is not None
        delta = updated.refunded.amount - prior
        uow.emit(
            ev.RefundIssued(
                payment_id=payment.id,
                booking_id=booking.id,
                amount=updated.amount.model_copy(update={"amount": delta}),
                refunded_total=updated.refunded,
                reason=refund_reason,
                customer_id=booking.customer_id,
            )
        )
    if PaymentStatus.REFUNDED in reached and paid_by(uow, booking, payment.id):
        # All the money went back (a refund made at the gateway, not by us): the booking
        # cannot stand, its e-ticket stops being valid and its seats go back on sale.
        booking = cancel_for_money(
            deps, uow, booking, "refunded in full at the payment gateway", updated.refunded
        )
    return updated, booking


def paid_by(uow: UnitOfWork, booking: Booking, payment_id: str) -> bool:
    """True when `payment_id` is what pays for this confirmed booking (no other payment that
    went through stands behind it: a second charge refunded leaves the booking alone)."""
    if booking.status != BookingStatus.CONFIRMED:
        return False
    return not any(
        p.id != payment_id
        and p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
        for p in uow.payments.for_booking(booking.id)
    )
