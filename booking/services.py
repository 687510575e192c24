"""Booking services: the use cases, one layer per concern (holds, checkout and payments,
cancellation and refunds, sales at the POS; see booking/service_base.py), put together as
BookingService with the queries. Each use case runs in its own unit of work.
"""

from __future__ import annotations

from booking import tickets
from booking.errors import UnknownBooking, UnknownPayment
from booking.ports import PaymentTransition
from booking.pos_sales import PosSales
from booking.read_models import SeatMap, SeatView
from booking.service_base import CancellationResult, CheckoutResult, new_booking_code
from canonical.orders import Booking, Payment


class BookingService(PosSales):
    # --- queries ---------------------------------------------------------------------------
    def get_booking(self, booking_id: str) -> Booking:
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
        if booking is None:
            raise UnknownBooking(f"no booking {booking_id!r}")
        return booking

    def find_booking(self, code: str) -> Booking:
        with self.uow() as uow:
            booking = uow.bookings.by_code(code.strip().upper())
        if booking is None:
            raise UnknownBooking(f"no booking with code {code!r}")
        return booking

    def get_payment(self, payment_id: str) -> Payment:
        with self.uow() as uow:
            payment = uow.payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id!r}")
        return payment

    def payment_history(self, payment_id: str) -> list[PaymentTransition]:
        with self.uow() as uow:
            return uow.payments.transitions(payment_id)


def ticket_payload(booking: Booking) -> str:
    """What the e-ticket's QR code encodes: the code and the seats, signed for the door
    scanner (booking/tickets.py)."""
    return tickets.signer().encode(booking)


__all__ = [
    "BookingService",
    "CancellationResult",
    "CheckoutResult",
    "SeatMap",
    "SeatView",
    "new_booking_code",
    "ticket_payload",
]
