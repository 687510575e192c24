"""The stuck sweep: payment attempts and bookings a crash, a gateway timeout or a customer who
never finished 3-D Secure left unresolved, settled by what the gateway says of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from booking import events as ev
from booking.commands import ResolveStuck
from booking.deps import Deps, commit
from booking.errors import BookingError, ConcurrentUpdate, SeatsUnavailable
from booking.payment_moves import transition
from booking.ports import GatewayError, GatewayStatus
from canonical.orders import BookingStatus, HoldStatus, Payment, PaymentStatus


def resolve_stuck(cmd: ResolveStuck, deps: Deps) -> int:
    """The stuck sweep: payment attempts left initiated or in progress, and bookings left
    pending, for longer than `stuck_after_seconds` (a crash mid-checkout, a gateway timeout,
    a customer who never finished 3-D Secure). Each attempt is settled by what the gateway
    says of it (confirm, fail, or refund when its seats are gone); a pending booking with no
    attempt in flight and no live hold fails. What the gateway cannot settle (unreachable,
    still processing) stays for the next run and in the admins' payment views. Returns how
    many payments and bookings it settled."""
    now = deps.clock.now()
    before = now - timedelta(seconds=deps.stuck_after_seconds)
    with deps.uow() as uow:
        stuck = [
            (p, uow.payments.idempotency_key(p.id))
            for p in uow.payments.unresolved(before, cmd.limit)
        ]
    settled = 0
    for payment, key in stuck:
        settled += _settle_attempt(deps, payment, key or f"{payment.id}:create")
    with deps.uow() as uow:
        pending = uow.bookings.stale_pending(before, cmd.limit)
    for booking in pending:
        settled += _settle_pending(deps, booking.id, now)
    return settled


def _settle_attempt(deps: Deps, payment: Payment, key: str) -> int:
    try:
        gw = deps.gateways(payment.gateway)
        found = gw.lookup(payment.id, key, payment.gateway_ref)
    except (GatewayError, BookingError):
        return 0  # cannot tell now: the next run asks again
    if found is None:
        target, cause, ref = (
            PaymentStatus.FAILED,
            "stuck sweep: the gateway has no record of this attempt; nothing was charged",
            None,
        )
    elif found.status == GatewayStatus.SUCCEEDED:
        target, cause, ref = (
            PaymentStatus.SUCCEEDED,
            "stuck sweep: gateway says succeeded",
            found.gateway_ref,
        )
    elif found.status == GatewayStatus.FAILED:
        target, cause, ref = (
            PaymentStatus.FAILED,
            "stuck sweep: gateway says failed",
            found.gateway_ref,
        )
    else:
        return 0  # still processing or waiting for the customer at the gateway
    try:
        transition(
            deps,
            payment.id,
            target,
            cause=cause,
            gateway_ref=ref,
            failure=cause if target == PaymentStatus.FAILED else None,
        )
    except (ConcurrentUpdate, SeatsUnavailable):
        return 0  # settled meanwhile by a webhook or another sweep
    return 1


def _settle_pending(deps: Deps, booking_id: str, now: datetime) -> int:
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        if booking is None or booking.status != BookingStatus.PENDING:
            return 0
        attempts = uow.payments.for_booking(booking_id)
        if any(
            p.status
            in (PaymentStatus.INITIATED, PaymentStatus.IN_PROGRESS, PaymentStatus.SUCCEEDED)
            for p in attempts
        ):
            return 0  # an attempt the sweep above could not settle yet
        hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
        if hold is not None and hold.status == HoldStatus.ACTIVE and hold.expires_at > now:
            return 0  # the customer may still pay
        failed = booking.fail()
        if not uow.bookings.save(failed, expect=BookingStatus.PENDING.value):
            return 0
        uow.emit(
            ev.BookingFailed(
                booking_id=booking.id,
                show_id=booking.show_id,
                customer_id=booking.customer_id,
                reason="never paid: no payment went through before the hold ended",
            )
        )
        commit(deps, uow)
    return 1
