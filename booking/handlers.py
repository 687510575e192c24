"""Event handlers: what happens after an event, and the registry a dispatcher plugs into.

The worker reading the outbox runs each handler registered here as a consumer of its own, in
registration order (marquee/worker/consumers.py `booking_consumers`), with the event rebuilt by
`booking.events.from_message(name, payload)`; the tests' in-process dispatcher hands events to
`MessageBus.handle(event)` instead. Each handler turns the event into a command for the bus
(booking/bus.py) or tells the customer.
Handlers must be idempotent: the outbox delivers at least once. They raise to ask for a retry
(PosUnavailable, GatewayUnavailable); a dispatcher that gives up on a BookingConfirmed calls
`BookingService.fail_sale` (refund + admin conflict). A handler's module and name are its
consumer's name in the worker's record of what ran, so neither changes lightly.
"""

from __future__ import annotations

import logging

from booking import commands as cmd
from booking import events as ev
from booking.bus import HANDLERS, Handler, HandlerContext, MessageBus, handles
from booking.ports import Notification
from booking.services import ticket_payload

log = logging.getLogger(__name__)

__all__ = ["HANDLERS", "Handler", "HandlerContext", "MessageBus", "handles"]


# --- POS forwarding ------------------------------------------------------------------------
@handles(ev.HoldReleased, ev.HoldExpired)
def release_at_theatre(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.HoldReleased | ev.HoldExpired)
    if isinstance(event, ev.HoldReleased) and not event.forward:
        return
    ctx.bus.handle(
        cmd.ReleaseAtTheatre(
            event.show_id, event.theatre_id, event.remote_ref, event.remote_key, event.seat_ids
        )
    )


@handles(ev.BookingConfirmed)
def commit_sale(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingConfirmed)
    ctx.bus.handle(cmd.CommitSale(event.booking_id))


@handles(ev.BookingCancelled)
def cancel_at_theatre(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingCancelled)
    ctx.bus.handle(cmd.CancelAtTheatre(event.booking_id))


# --- money ---------------------------------------------------------------------------------
@handles(ev.RefundRequested)
def issue_refund(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.RefundRequested)
    ctx.bus.handle(
        cmd.IssueRefund(event.payment_id, event.amount, event.reason, event.idempotency_key)
    )


# --- telling the customer ------------------------------------------------------------------
def _notify(ctx: HandlerContext, kind: str, customer_id: str | None, **context: object) -> None:
    if ctx.notifier is None or customer_id is None:
        return
    with ctx.services.uow() as uow:
        customer = uow.customers.get(customer_id)
    if customer is None:
        log.warning("no customer %s to notify about %s", customer_id, kind)
        return
    ctx.notifier.send(Notification(kind=kind, customer=customer, context=context))


@handles(ev.BookingConfirmed)
def notify_confirmed(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingConfirmed)
    booking = ctx.services.get_booking(event.booking_id)
    _notify(
        ctx,
        "booking_confirmed",
        event.customer_id,
        booking=booking.model_dump(mode="json"),
        qr=ticket_payload(booking),
    )


@handles(ev.BookingCancelled)
def notify_cancelled(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingCancelled)
    _notify(
        ctx,
        "booking_cancelled",
        event.customer_id,
        code=event.code,
        refund=str(event.refund),
        fee=str(event.fee),
    )


@handles(ev.RefundIssued)
def notify_refund(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.RefundIssued)
    _notify(ctx, "refund_issued", event.customer_id, amount=str(event.amount), reason=event.reason)


@handles(ev.LateSuccessRefunded)
def notify_late_payment(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.LateSuccessRefunded)
    _notify(ctx, "payment_after_expiry", event.customer_id, seats=list(event.seat_ids))


@handles(ev.SaleCommitFailed)
def report_conflict(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.SaleCommitFailed)
    # The event row in the outbox is the admin-visible record; this line makes it loud.
    log.error(
        "sale for booking %s failed at theatre %s: %s",
        event.booking_id,
        event.theatre_id,
        event.reason,
    )
