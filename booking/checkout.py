"""Checkout: one live booking per hold and its payment attempts at the gateway (keys derived
from the booking), then the gateway's answer applied; and the second step after 3-D Secure. The
gateway is called between transactions, never inside one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from booking import events as ev
from booking.commands import Checkout, ConfirmPayment
from booking.deps import Deps, commit, show_context
from booking.errors import (
    ConcurrentUpdate,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentStateConflict,
    UnknownHold,
    UnknownPayment,
    UnknownTicketType,
    UnsupportedMethod,
)
from booking.hold_checks import require_live
from booking.keys import attempt_key, new_booking_code
from booking.payment_moves import transition
from booking.ports import GatewayError, GatewayResult, GatewayStatus, PaymentRequest
from booking.refusals import PaidBookingFailed
from booking.results import CheckoutResult
from booking.show_context import ShowContext
from canonical.identity import new_id
from canonical.money import Money
from canonical.orders import (
    Booking,
    BookingStatus,
    Hold,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Ticket,
)

CHECKOUT_TRIES = 5  # reads after losing a race for a hold's booking or attempt


def checkout(cmd: Checkout, deps: Deps) -> CheckoutResult:
    """Create (or reuse) the pending booking for a hold and start one payment attempt. Every
    attempt is a new Payment with its own idempotency key (reusing one key across attempts
    makes a retry after a decline fail at the gateway)."""
    hold_id, customer_id, gateway, method = cmd.hold_id, cmd.customer_id, cmd.gateway, cmd.method
    now = deps.clock.now()
    gw = deps.gateways(gateway)
    if method not in gw.capabilities:
        raise UnsupportedMethod(
            f"{gateway} does not take {method.value} payments",
            method=method.value,
            offered=sorted(m.value for m in gw.capabilities),
        )
    started = None
    for _ in range(CHECKOUT_TRIES):
        started = _start_attempt(deps, hold_id, customer_id, gw.name, method, cmd.ticket_types, now)
        if started is not None:
            break
    if started is None:
        raise ConcurrentUpdate(f"hold {hold_id} is being checked out meanwhile; try again")
    if isinstance(started, CheckoutResult):
        return started  # a repeat: the attempt already made, and no second charge
    booking, payment, key = started
    request = PaymentRequest(
        payment_id=payment.id,
        booking_id=booking.id,
        amount=payment.amount,
        method=method,
        idempotency_key=key,
        details=dict(cmd.details or {}),
        description=f"Marquee booking {booking.code}",
    )
    try:
        result = gw.create_payment(request)
    except GatewayError as err:
        transition(
            deps,
            payment.id,
            PaymentStatus.IN_PROGRESS,
            cause=f"gateway did not answer: {err}; outcome unknown",
        )
        raise GatewayUnavailable(
            f"the payment gateway did not answer: {err}",
            retry_after=err.retry_after,
            payment_id=payment.id,
        ) from err
    return _apply_result(deps, payment.id, result, cause=f"{gw.name} create_payment")


def _start_attempt(
    deps: Deps,
    hold_id: str,
    customer_id: str,
    gateway: str,
    method: PaymentMethod,
    ticket_types: Mapping[str, str] | None,
    now: datetime,
) -> CheckoutResult | tuple[Booking, Payment, str] | None:
    """One transaction: find or create the hold's one live booking and its one attempt in
    flight. Returns the existing attempt (a repeat), or the new booking, payment and gateway
    key, or None when a concurrent checkout won a race (the caller reads again)."""
    with deps.uow() as uow:
        hold = uow.holds.get(hold_id)
        if hold is None:
            raise UnknownHold(f"no hold {hold_id!r}")
        booking = uow.bookings.by_hold(hold.id)
        attempts = uow.payments.for_booking(booking.id) if booking is not None else []
        if booking is not None:
            repeat = _repeat(booking, attempts)
            if repeat is not None:
                return repeat
        require_live(hold, now)
        ctx = show_context(deps, uow, hold.show_id)
        if booking is None or booking.status != BookingStatus.PENDING:
            if booking is not None and booking.status == BookingStatus.CONFIRMED:
                raise PaymentStateConflict(
                    f"booking {booking.code} is already paid", booking_id=booking.id
                )
            ctx.require_on_sale()
            booking = _new_booking(deps, hold, ctx, customer_id, ticket_types or {}, now)
            if not uow.bookings.add(booking):
                return None  # another checkout made the hold's booking first
            attempts = []
            uow.emit(
                ev.BookingCreated(
                    booking_id=booking.id,
                    code=booking.code,
                    hold_id=hold.id,
                    show_id=hold.show_id,
                    customer_id=customer_id,
                    total=booking.total,
                )
            )
        payment = Payment(
            id=new_id("pay"),
            booking_id=booking.id,
            gateway=gateway,
            amount=booking.total,
            method=method,
            created_at=now,
        )
        # Derived from the booking and the attempt's number: whichever process sends this
        # attempt, the gateway sees one key and makes at most one charge.
        key = attempt_key(booking.id, len(attempts) + 1)
        if not uow.payments.add(payment, idempotency_key=key):
            return None  # another checkout started this booking's attempt first
        uow.emit(
            ev.PaymentInitiated(
                payment_id=payment.id,
                booking_id=booking.id,
                gateway=gateway,
                amount=payment.amount,
            )
        )
        commit(deps, uow)
    return booking, payment, key


def _repeat(booking: Booking, attempts: list[Payment]) -> CheckoutResult | None:
    """A checkout of a hold that already has its booking: the attempt in flight or the
    payment that went through is the answer (nothing is charged again). None when a new
    attempt is due (every earlier one failed)."""
    if booking.status == BookingStatus.FAILED:
        return None
    live = [
        p
        for p in attempts
        if p.status
        in (
            PaymentStatus.INITIATED,
            PaymentStatus.IN_PROGRESS,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.PARTIALLY_REFUNDED,
        )
    ]
    if not live:
        return None
    return CheckoutResult(booking=booking, payment=live[-1], created=False)


def _new_booking(
    deps: Deps,
    hold: Hold,
    ctx: ShowContext,
    customer_id: str,
    ticket_types: Mapping[str, str],
    now: datetime,
) -> Booking:
    seat_map = ctx.layout.seat_map()
    fee = ctx.show.booking_fee if ctx.show.booking_fee and ctx.show.booking_fee.amount else None
    tickets = []
    for seat_id in hold.seat_ids:
        seat = seat_map[seat_id]
        price = ctx.show.price_for(seat.category, ticket_types.get(seat_id))
        if price is None:
            raise UnknownTicketType(
                f"no price for seat {seat.label} ({seat.category})"
                + (f" as {ticket_types[seat_id]}" if seat_id in ticket_types else ""),
                seat=seat_id,
            )
        tickets.append(
            Ticket(
                seat_id=seat_id,
                label=seat.label,
                category=seat.category,
                ticket_type=price.code,
                price=price.price,
                fee=fee,
            )
        )
    total = Money(amount=sum(t.charged for t in tickets), currency=tickets[0].price.currency)
    return Booking(
        id=new_id("bkg"),
        code=new_booking_code(),
        show_id=hold.show_id,
        customer_id=customer_id,
        hold_id=hold.id,
        tickets=tuple(tickets),
        total=total,
        created_at=now,
    )


def confirm_payment(cmd: ConfirmPayment, deps: Deps) -> CheckoutResult:
    """Second step after a `requires_action` (3-D Secure) answer."""
    payment_id = cmd.payment_id
    with deps.uow() as uow:
        payment = uow.payments.get(payment_id)
    if payment is None:
        raise UnknownPayment(f"no payment {payment_id!r}")
    if payment.status != PaymentStatus.IN_PROGRESS or not payment.gateway_ref:
        raise PaymentStateConflict(
            f"payment {payment_id} is {payment.status.value}", status=payment.status.value
        )
    gw = deps.gateways(payment.gateway)
    try:
        result = gw.confirm_payment(payment.gateway_ref, f"{payment.id}:confirm", cmd.details)
    except GatewayError as err:
        raise GatewayUnavailable(
            f"the payment gateway did not answer: {err}",
            retry_after=err.retry_after,
            payment_id=payment_id,
        ) from err
    return _apply_result(deps, payment_id, result, cause=f"{gw.name} confirm_payment")


def _apply_result(deps: Deps, payment_id: str, result: GatewayResult, cause: str) -> CheckoutResult:
    target = {
        GatewayStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
        GatewayStatus.FAILED: PaymentStatus.FAILED,
        GatewayStatus.REQUIRES_ACTION: PaymentStatus.IN_PROGRESS,
        GatewayStatus.PROCESSING: PaymentStatus.IN_PROGRESS,
    }[result.status]
    if result.failure_message:
        cause = f"{cause}: {result.failure_message}"
    payment, booking = transition(
        deps,
        payment_id,
        target,
        cause=cause,
        gateway_ref=result.gateway_ref,
        failure=result.failure_message,
    )
    if result.status == GatewayStatus.FAILED:
        raise PaymentDeclined(
            result.failure_message or "the payment was declined",
            payment_id=payment_id,
            decline_code=result.failure_code,
        )
    if booking.status == BookingStatus.FAILED:
        # The money went through but the seats did not: never a success answer. The refund
        # is already queued (RefundRequested, same transaction).
        raise PaidBookingFailed(
            f"booking {booking.code} could not be confirmed (its seats were no longer "
            "available); the payment is being refunded",
            booking_id=booking.id,
            payment_id=payment_id,
        )
    return CheckoutResult(
        booking=booking,
        payment=payment,
        next_action=result.action if result.status == GatewayStatus.REQUIRES_ACTION else None,
        client_secret=result.client_secret,
    )
