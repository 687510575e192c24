"""Marquee's canonical data model. Every other layer speaks it; it imports nothing of ours."""

from canonical.catalog import (
    CancellationPolicy,
    GridPosition,
    Movie,
    SalesChannel,
    Screen,
    Seat,
    SeatArea,
    SeatFlag,
    SeatLayout,
    SeatRow,
    Show,
    ShowFormat,
    Theatre,
    TheatreRules,
    TicketType,
    Translation,
)
from canonical.identity import ExternalRef, derived_id, new_id
from canonical.inventory import DeltaSource, InventoryDelta, SeatChange, SeatState, SeatStatus
from canonical.money import CurrencyMismatchError, Money
from canonical.orders import (
    PAYMENT_TRANSITIONS,
    Booking,
    BookingStatus,
    Customer,
    Hold,
    HoldStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Ticket,
)
from canonical.text import LocalizedText

__all__ = [
    "PAYMENT_TRANSITIONS", "Booking", "BookingStatus", "CancellationPolicy", "CurrencyMismatchError",
    "Customer", "DeltaSource", "ExternalRef", "GridPosition", "Hold", "HoldStatus",
    "InventoryDelta", "LocalizedText", "Money", "Movie", "Payment", "PaymentMethod",
    "PaymentStatus", "SalesChannel", "Screen", "Seat", "SeatArea", "SeatChange", "SeatFlag",
    "SeatLayout", "SeatRow", "SeatState", "SeatStatus", "Show", "ShowFormat", "Theatre",
    "TheatreRules", "Ticket", "TicketType", "Translation", "derived_id", "new_id",
]
