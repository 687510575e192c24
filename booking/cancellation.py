"""Cancellation and refunds: a customer's cancellation under the theatre's policy (fee and
cut-off), refunds at the gateway, and cancelling the sale at a legacy theatre's POS.
"""

from __future__ import annotations

from datetime import timedelta

from booking import events as ev
from booking.commands import CancelAtTheatre, CancelBooking, IssueRefund
from booking.deps import Deps, commit, pos_link, show_context
from booking.errors import (
    BookingNotCancellable,
    CancellationClosed,
    ConcurrentUpdate,
    GatewayUnavailable,
    InvalidAmount,
    PaymentStateConflict,
    UnknownBooking,
    UnknownPayment,
)
from booking.payment_moves import move
from booking.ports import GatewayError
from booking.results import CancellationResult
from canonical.orders import Booking, BookingStatus, Payment, PaymentStatus


def issue_refund(cmd: IssueRefund, deps: Deps) -> Payment:
    """Refund through the gateway and record it. Idempotent on `idempotency_key`: the
    gateway is asked with that key, and the result is recorded once."""
    payment_id, amount, reason, idempotency_key = (
        cmd.payment_id,
        cmd.amount,
        cmd.reason,
        cmd.idempotency_key,
    )
    with deps.uow() as uow:
        payment = uow.payments.get(payment_id)
    if payment is None:
        raise UnknownPayment(f"no payment {payment_id!r}")
    if (
        payment.status
        not in (
            PaymentStatus.SUCCEEDED,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.REFUNDED,
        )
        or not payment.gateway_ref
    ):
        raise PaymentStateConflict(
            f"payment {payment_id} is {payment.status.value}; nothing to refund",
            status=payment.status.value,
        )
    if amount.amount < 0:
        raise InvalidAmount("a refund amount cannot be negative", amount=amount.amount)
    already = payment.refunded.amount if payment.refunded else 0
    amount = amount.model_copy(
        update={"amount": min(amount.amount, payment.amount.amount - already)}
    )
    gw = deps.gateways(payment.gateway)
    if amount.amount > 0:
        try:
            gw.refund(payment.gateway_ref, amount, idempotency_key)
        except GatewayError as err:
            raise GatewayUnavailable(
                f"refund not confirmed by the gateway: {err}", retry_after=err.retry_after
            ) from err
    with deps.uow() as uow:
        if not uow.payments.mark_event_seen(payment.gateway, f"refund:{idempotency_key}"):
            return uow.payments.get(payment_id) or payment
        current = uow.payments.get(payment_id)
        assert current is not None
        done = current.refunded.amount if current.refunded else 0
        if amount.amount <= 0:
            commit(deps, uow)
            return current
        after, _ = move(
            deps,
            uow,
            current,
            PaymentStatus.REFUNDED,
            cause=f"refund {idempotency_key}: {reason}",
            refunded=done + amount.amount,
            refund_reason=reason,
        )
        commit(deps, uow)
        return after


def cancel_booking(cmd: CancelBooking, deps: Deps) -> CancellationResult:
    booking_id, customer_id = cmd.booking_id, cmd.customer_id
    now = deps.clock.now()
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        if booking is None or (customer_id is not None and booking.customer_id != customer_id):
            raise UnknownBooking(f"no booking {booking_id!r}")
        if booking.status != BookingStatus.CONFIRMED:
            raise BookingNotCancellable(
                f"booking {booking.code} is {booking.status.value}", status=booking.status.value
            )
        ctx = show_context(deps, uow, booking.show_id)
        if ctx.selling.forwards and not ctx.selling.can_cancel:
            raise BookingNotCancellable(
                f"booking {booking.code} was sold through the theatre's system, which "
                "cannot cancel sales made online: the theatre's box office can",
                reason="theatre_cannot_cancel",
            )
        policy = ctx.theatre.rules.cancellation
        deadline = ctx.show.start - timedelta(minutes=policy.cutoff_minutes)
        if now >= deadline:
            raise CancellationClosed(
                f"bookings for this show can be cancelled until {deadline.isoformat()}",
                deadline=deadline.isoformat(),
            )
        fee = booking.total.percent(policy.fee_percent)
        if policy.fee_fixed is not None and policy.fee_fixed.currency == fee.currency:
            fee = fee + policy.fee_fixed
        fee = min(fee, booking.total, key=lambda m: m.amount)
        # A negative fee (a misconfigured rule) must not refund more than was paid.
        fee = max(fee, booking.total.model_copy(update={"amount": 0}), key=lambda m: m.amount)
        refund = booking.total - fee
        cancelled = booking.cancel(now)
        if not uow.bookings.save(cancelled, expect=BookingStatus.CONFIRMED.value):
            raise ConcurrentUpdate(f"booking {booking.code} changed meanwhile; try again")
        seat_ids = tuple(t.seat_id for t in booking.tickets)
        uow.seats.unsell(booking.show_id, booking.id)
        uow.emit(
            ev.BookingCancelled(
                booking_id=booking.id,
                code=booking.code,
                show_id=booking.show_id,
                theatre_id=ctx.theatre.id,
                customer_id=booking.customer_id,
                seat_ids=seat_ids,
                refund=refund,
                fee=fee,
                remote_ref=booking.remote_ref,
            )
        )
        paid = [
            p
            for p in uow.payments.for_booking(booking.id)
            if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
        ]
        request = None
        if refund.amount > 0 and paid:
            request = ev.RefundRequested(
                payment_id=paid[0].id,
                booking_id=booking.id,
                amount=refund,
                reason="cancelled by customer",
                idempotency_key=f"refund:{booking.id}:cancel",
            )
            uow.emit(request)
        commit(deps, uow)
    issued = False
    if request is not None:
        # Try at once for a prompt answer; if the gateway is down the outbox handler for
        # RefundRequested retries with the same key.
        try:
            issue_refund(
                IssueRefund(
                    request.payment_id, request.amount, request.reason, request.idempotency_key
                ),
                deps,
            )
            issued = True
        except GatewayUnavailable:
            issued = False
    return CancellationResult(booking=cancelled, refund=refund, fee=fee, refund_issued=issued)


def cancel_at_theatre(cmd: CancelAtTheatre, deps: Deps) -> None:
    """After BookingCancelled: refund the sale at the POS."""
    booking_id = cmd.booking_id
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        if booking is None or booking.remote_ref is None:
            return
        ctx = show_context(deps, uow, booking.show_id)
    link = pos_link(deps, ctx.theatre)
    if link is None:
        return
    remote = _remote_order(booking)
    if remote:
        link.cancel(ctx.show, remote, f"cancel:{booking.id}")


def _remote_order(booking: Booking) -> str | None:
    # remote_ref is "<POS order id>|<POS booking number>" for a committed legacy sale.
    if booking.remote_ref is None:
        return None
    return booking.remote_ref.split("|", 1)[0]
