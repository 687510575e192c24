"""The message bus: commands go to exactly one handler, whose answer the caller gets back;
events fan out to every handler registered for them.

Command handlers are plain functions `handler(command, deps)`, one table for the domain
(`COMMAND_HANDLERS`). Event handlers take the event and a `HandlerContext` and register with
`handles` (booking/handlers.py registers booking's own; other packages may add theirs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

from booking import commands as cmd
from booking import events as ev
from booking.cancellation import cancel_at_theatre, cancel_booking, issue_refund
from booking.checkout import checkout, confirm_payment
from booking.deps import Deps
from booking.gateway_events import apply_gateway_event, handle_gateway_webhook
from booking.hold_forwarding import release_at_theatre
from booking.holds import expire_holds, extend_hold, hold_best_available, place_hold, release_hold
from booking.ports import Notifier
from booking.pos_sales import commit_sale, fail_sale
from booking.stuck_payments import resolve_stuck

if TYPE_CHECKING:
    from booking.services import BookingService

R = TypeVar("R")

CommandHandler = Callable[[Any, Deps], Any]
Handler = Callable[[ev.Event, "HandlerContext"], None]

COMMAND_HANDLERS: dict[type[cmd.Command[Any]], CommandHandler] = {
    cmd.PlaceHold: place_hold,
    cmd.HoldBestAvailable: hold_best_available,
    cmd.ExtendHold: extend_hold,
    cmd.ReleaseHold: release_hold,
    cmd.ExpireHolds: expire_holds,
    cmd.ReleaseAtTheatre: release_at_theatre,
    cmd.Checkout: checkout,
    cmd.ConfirmPayment: confirm_payment,
    cmd.HandleGatewayWebhook: handle_gateway_webhook,
    cmd.ApplyGatewayEvent: apply_gateway_event,
    cmd.ResolveStuck: resolve_stuck,
    cmd.IssueRefund: issue_refund,
    cmd.CancelBooking: cancel_booking,
    cmd.CancelAtTheatre: cancel_at_theatre,
    cmd.CommitSale: commit_sale,
    cmd.FailSale: fail_sale,
}

HANDLERS: dict[type[ev.Event], list[Handler]] = {}


def handles(*event_types: type[ev.Event]) -> Callable[[Handler], Handler]:
    """Register an event handler for event types (other packages may add their own)."""

    def register(fn: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS.setdefault(event_type, []).append(fn)
        return fn

    return register


@dataclass
class HandlerContext:
    """What an event handler works with: the booking service (its bus, its queries) and the
    notifier that tells customers."""

    services: BookingService
    notifier: Notifier | None = None

    @property
    def bus(self) -> MessageBus:
        return self.services.bus


@dataclass
class MessageBus:
    context: HandlerContext
    handlers: Mapping[type[ev.Event], list[Handler]] = field(default_factory=lambda: HANDLERS)
    commands: Mapping[type[cmd.Command[Any]], CommandHandler] = field(
        default_factory=lambda: COMMAND_HANDLERS
    )

    @overload
    def handle(self, message: cmd.Command[R]) -> R: ...
    @overload
    def handle(self, message: ev.Event) -> None: ...

    def handle(self, message: cmd.Command[Any] | ev.Event) -> Any:
        if isinstance(message, cmd.Command):
            handler = self.commands.get(type(message))
            if handler is None:
                raise LookupError(f"no handler is registered for {type(message).__name__}")
            return handler(message, self.context.services.deps)
        for event_handler in self.handlers.get(type(message), ()):
            event_handler(message, self.context)
        return None
