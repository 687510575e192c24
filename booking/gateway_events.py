"""A payment gateway's events (webhooks): verified, de-duplicated and applied to the payment
they name: processing, success, failure, refunds made at the gateway, and disputes.
"""

from __future__ import annotations

from booking.commands import ApplyGatewayEvent, HandleGatewayWebhook
from booking.deps import Deps, commit
from booking.fulfilment import cancel_for_money
from booking.payment_moves import move, paid_by
from booking.ports import GatewayEvent, GatewayEventKind, UnitOfWork
from canonical.orders import Payment, PaymentStatus


def handle_gateway_webhook(cmd: HandleGatewayWebhook, deps: Deps) -> str:
    """A webhook: verify (raises InvalidSignature), de-duplicate, apply. Returns what
    happened: applied, duplicate, stale, ignored or unknown_payment."""
    event = deps.gateways(cmd.gateway).parse_event(cmd.payload, cmd.headers)
    return apply_gateway_event(ApplyGatewayEvent(event), deps)


def apply_gateway_event(cmd: ApplyGatewayEvent, deps: Deps) -> str:
    event = cmd.event
    target = {
        GatewayEventKind.PROCESSING: PaymentStatus.IN_PROGRESS,
        GatewayEventKind.SUCCEEDED: PaymentStatus.SUCCEEDED,
        GatewayEventKind.FAILED: PaymentStatus.FAILED,
        GatewayEventKind.REFUNDED: PaymentStatus.REFUNDED,
    }.get(event.kind)
    with deps.uow() as uow:
        payment = None
        if event.payment_id:
            payment = uow.payments.get(event.payment_id)
        if payment is None and event.gateway_ref:
            payment = uow.payments.by_gateway_ref(event.gateway, event.gateway_ref)
        disputed = event.kind == GatewayEventKind.DISPUTED
        if (target is not None or disputed) and payment is None:
            # Not recorded as seen: the gateway retries, by which time it may be known.
            return "unknown_payment"
        if not uow.payments.mark_event_seen(event.gateway, event.event_id, event.type):
            return "duplicate"
        if disputed and payment is not None:
            changed = _disputed(deps, uow, payment, event)
            commit(deps, uow)
            return "applied" if changed else "stale"
        if target is None or payment is None:
            commit(deps, uow)
            return "ignored"
        before = payment
        after, _ = move(
            deps,
            uow,
            payment,
            target,
            cause=f"{event.gateway} event {event.type or event.kind}",
            gateway_ref=event.gateway_ref,
            failure=event.failure_message,
            event_id=event.event_id,
            refunded=event.amount_refunded,
        )
        commit(deps, uow)
        return (
            "applied"
            if after.status != before.status or after.refunded != before.refunded
            else "stale"
        )


def _disputed(deps: Deps, uow: UnitOfWork, payment: Payment, event: GatewayEvent) -> bool:
    """A chargeback: the charge happened (a dispute before its success event walks the
    payment there first), and the booking it paid for is cancelled."""
    changed = False
    if payment.status in (PaymentStatus.INITIATED, PaymentStatus.IN_PROGRESS):
        after, _ = move(
            deps,
            uow,
            payment,
            PaymentStatus.SUCCEEDED,
            cause=f"{event.gateway} event {event.type}: the charge was made",
            gateway_ref=event.gateway_ref,
            event_id=event.event_id,
        )
        changed = after != payment
        payment = after
    booking = uow.bookings.get(payment.booking_id)
    if booking is not None and paid_by(uow, booking, payment.id):
        cancel_for_money(deps, uow, booking, "disputed at the payment gateway", payment.refunded)
        changed = True
    return changed
