"""What happens after an event, and the registry a dispatcher plugs into.

A dispatcher (the in-process one below, or a Celery task reading the outbox) rebuilds the event
with `booking.events.from_message(name, payload)` and calls `MessageBus.handle(event)`. Handlers
must be idempotent: the outbox delivers at least once. They raise to ask for a retry
(PosUnavailable, GatewayUnavailable); a dispatcher that gives up on a BookingConfirmed calls
`BookingService.fail_sale` (refund + admin conflict).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from booking import events as ev
from booking.ports import Notification, Notifier
from booking.services import BookingService, ticket_payload

log = logging.getLogger(__name__)

Handler = Callable[[ev.Event, "HandlerContext"], None]


@dataclass
class HandlerContext:
    services: BookingService
    notifier: Notifier | None = None


HANDLERS: dict[type[ev.Event], list[Handler]] = {}


def handles(*event_types: type[ev.Event]) -> Callable[[Handler], Handler]:
    """Register a handler for event types (other packages may add their own)."""

    def register(fn: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS.setdefault(event_type, []).append(fn)
        return fn

    return register


@dataclass
class MessageBus:
    context: HandlerContext
    handlers: dict[type[ev.Event], list[Handler]] = field(default_factory=lambda: HANDLERS)

    def handle(self, event: ev.Event) -> None:
        for handler in self.handlers.get(type(event), []):
            handler(event, self.context)


# --- POS forwarding ------------------------------------------------------------------------
@handles(ev.HoldReleased, ev.HoldExpired)
def release_at_theatre(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.HoldReleased | ev.HoldExpired)
    if isinstance(event, ev.HoldReleased) and not event.forward:
        return
    ctx.services.release_at_theatre(
        event.show_id, event.theatre_id, event.remote_ref, event.remote_key, event.seat_ids
    )


@handles(ev.BookingConfirmed)
def commit_sale(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingConfirmed)
    ctx.services.commit_sale(event.booking_id)


@handles(ev.BookingCancelled)
def cancel_at_theatre(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.BookingCancelled)
    ctx.services.cancel_at_theatre(event.booking_id)


# --- money ---------------------------------------------------------------------------------
@handles(ev.RefundRequested)
def issue_refund(event: ev.Event, ctx: HandlerContext) -> None:
    assert isinstance(event, ev.RefundRequested)
    ctx.services.issue_refund(event.payment_id, event.amount, event.reason, event.idempotency_key)


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
