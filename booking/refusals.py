"""Refusals of the per-customer limits and of checkout outcomes that must not read as success.

Kept beside booking/errors.py (same families, so the API maps them by the same table): a
customer over a hold limit is a conflict with their own holds; a payment that went through for
a booking that could not be confirmed is a conflict the customer must hear about (the money is
refunded), never a 201.
"""

from __future__ import annotations

from booking.errors import Conflict


class HoldLimitReached(Conflict):
    code = "hold_limit_reached"
    title = "Too many seats or holds for one customer"


class PaidBookingFailed(Conflict):
    code = "booking_failed"
    title = "The booking could not be confirmed; the payment is refunded"
