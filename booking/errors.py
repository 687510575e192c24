"""Domain errors. Each has a stable machine-readable `code` that clients may branch on.

They say what went wrong in the domain's terms and carry no transport detail: the API maps each
family (not found, invalid request, conflict, ...) to an HTTP status in one table
(api/problems.py). `extra` carries the fields a client needs to act (the seats that were taken,
how long to wait), and goes into the problem body.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BookingError(Exception):
    code: ClassVar[str] = "booking_error"
    title: ClassVar[str] = "Booking error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra: dict[str, Any] = extra


# --- not found -----------------------------------------------------------------------------
class NotFound(BookingError):
    code = "not_found"
    title = "Not found"


class UnknownShow(NotFound):
    code = "unknown_show"
    title = "Unknown show"


class UnknownHold(NotFound):
    code = "unknown_hold"
    title = "Unknown hold"


class UnknownBooking(NotFound):
    code = "unknown_booking"
    title = "Unknown booking"


class UnknownPayment(NotFound):
    code = "unknown_payment"
    title = "Unknown payment"


class UnknownGateway(NotFound):
    code = "unknown_gateway"
    title = "Unknown payment gateway"


# --- bad requests --------------------------------------------------------------------------
class InvalidRequest(BookingError):
    code = "invalid_request"
    title = "Invalid request"


class UnknownSeat(InvalidRequest):
    code = "unknown_seat"
    title = "Unknown seat"

    def __init__(self, seat_ids: list[str]) -> None:
        super().__init__(f"no such seat in this show: {', '.join(seat_ids)}", seats=seat_ids)
        self.seat_ids = seat_ids


class TooManySeats(InvalidRequest):
    code = "too_many_seats"
    title = "Too many seats"

    def __init__(self, requested: int, maximum: int) -> None:
        super().__init__(
            f"{requested} seats requested; this theatre allows {maximum} per hold",
            requested=requested,
            maximum=maximum,
        )


class SeatGroupIncomplete(InvalidRequest):
    code = "seat_group_incomplete"
    title = "Seats that sell together were split"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"these seats sell together with the ones chosen: {', '.join(missing)}", seats=missing
        )


class CompanionWithoutWheelchair(InvalidRequest):
    code = "companion_requires_wheelchair"
    title = "Companion seat without a wheelchair space"

    def __init__(self, seat_ids: list[str]) -> None:
        super().__init__(
            f"companion seats go with a wheelchair space in the same hold: {', '.join(seat_ids)}",
            seats=seat_ids,
        )


class OrphanSeat(InvalidRequest):
    code = "orphan_seat"
    title = "Selection would leave a single seat"

    def __init__(self, seat_ids: list[str]) -> None:
        super().__init__(
            f"this selection leaves a single empty seat: {', '.join(seat_ids)}", seats=seat_ids
        )


class UnsupportedMethod(InvalidRequest):
    code = "unsupported_payment_method"
    title = "Payment method not offered"


class UnknownTicketType(InvalidRequest):
    code = "unknown_ticket_type"
    title = "No price for this seat"


class InvalidAmount(InvalidRequest):
    code = "invalid_amount"
    title = "Invalid amount"


# --- conflicts -----------------------------------------------------------------------------
class Conflict(BookingError):
    code = "conflict"
    title = "Conflict"


class SeatsUnavailable(Conflict):
    code = "seat_unavailable"
    title = "Seats are not available"

    def __init__(self, seat_ids: list[str], detail: str | None = None) -> None:
        super().__init__(
            detail or f"seats are no longer available: {', '.join(seat_ids)}", seats=seat_ids
        )
        self.seat_ids = seat_ids


class NoAdjacentSeats(Conflict):
    code = "no_adjacent_seats"
    title = "No adjacent seats"


class ShowCancelled(Conflict):
    code = "show_cancelled"
    title = "This show was cancelled"


class SalesClosed(Conflict):
    code = "sales_closed"
    title = "Online sales for this show are closed"


class SalesClosedOnline(Conflict):
    """The theatre does not sell this show online (its POS gives Marquee no seats, or the show
    is sold at the box office only). Nothing was held."""

    code = "sales_closed_online"
    title = "This show is not sold online"


class SalesNotOpen(Conflict):
    code = "sales_not_open"
    title = "Online sales for this show have not opened yet"


class HoldExpired(Conflict):
    code = "hold_expired"
    title = "Hold expired"


class HoldNotActive(Conflict):
    code = "hold_not_active"
    title = "Hold is no longer active"


class HoldAlreadyExtended(Conflict):
    code = "hold_extension_used"
    title = "Hold was already extended"


class BookingNotCancellable(Conflict):
    code = "booking_not_cancellable"
    title = "Booking cannot be cancelled"


class CancellationClosed(Conflict):
    code = "cancellation_closed"
    title = "Too late to cancel"


class PaymentStateConflict(Conflict):
    code = "payment_state"
    title = "Payment is not in a state that allows this"


class ConcurrentUpdate(Conflict):
    """Someone else changed the same record first; retrying the request is safe."""

    code = "concurrent_update"
    title = "Concurrent update"


# --- payment outcomes ----------------------------------------------------------------------
class PaymentDeclined(BookingError):
    code = "payment_declined"
    title = "Payment declined"


class InvalidSignature(BookingError):
    code = "invalid_signature"
    title = "Webhook signature invalid"


# --- someone else is down ------------------------------------------------------------------
class Unavailable(BookingError):
    code = "unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after: int = 30, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.retry_after = retry_after


class TheatreUnavailable(Unavailable):
    code = "theatre_unavailable"
    title = "The theatre's system is not answering"


class GatewayUnavailable(Unavailable):
    code = "payment_gateway_unavailable"
    title = "The payment gateway is not answering"
