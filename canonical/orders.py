"""Holds, bookings, payments and customers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from canonical.identity import CanonicalId
from canonical.money import Money
from canonical.time import Instant


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InvalidTransition(ValueError):
    """A state change the aggregate does not allow from its current state. The use cases check
    what they can first and answer the customer; reaching this is a bug in the caller."""


def _require(current: StrEnum, allowed: tuple[StrEnum, ...], change: str, what: str) -> None:
    if current not in allowed:
        raise InvalidTransition(f"cannot {change} a {current.value} {what}")


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    EXPIRED = "expired"
    CONVERTED = "converted"


class Hold(_Model):
    id: CanonicalId
    show_id: CanonicalId
    seat_ids: tuple[CanonicalId, ...] = Field(min_length=1)
    customer_id: CanonicalId | None = None
    status: HoldStatus = HoldStatus.ACTIVE
    created_at: Instant
    expires_at: Instant
    extended: bool = False
    remote_ref: str | None = Field(default=None, description="The POS's order id for this hold")

    @model_validator(mode="after")
    def _check(self) -> Hold:
        if len(set(self.seat_ids)) != len(self.seat_ids):
            raise ValueError("a hold lists the same seat twice")
        if self.expires_at <= self.created_at:
            raise ValueError("a hold must expire after it is created")
        return self

    # State changes return the next version; the repository saves it only if the stored row is
    # still in the state this one came from (compare-and-set), so a racing change loses cleanly.
    def release(self) -> Hold:
        _require(self.status, (HoldStatus.ACTIVE,), "release", "hold")
        return self.model_copy(update={"status": HoldStatus.RELEASED})

    def expire(self) -> Hold:
        _require(self.status, (HoldStatus.ACTIVE,), "expire", "hold")
        return self.model_copy(update={"status": HoldStatus.EXPIRED})

    def extend(self, until: datetime) -> Hold:
        """Once per hold, to a later expiry."""
        _require(self.status, (HoldStatus.ACTIVE,), "extend", "hold")
        if self.extended:
            raise InvalidTransition("a hold is extended once at most")
        return self.model_copy(update={"expires_at": until, "extended": True})

    def forwarded(self, remote_ref: str) -> Hold:
        """The POS took the hold under its own order id."""
        return self.model_copy(update={"remote_ref": remote_ref})

    def convert(self, *, retaken: bool = False) -> Hold:
        """Its seats became a booking. A hold that ended before the payment came may still
        convert when its seats were taken again under its id (`retaken`: the POS order it had
        is gone)."""
        _require(
            self.status,
            (HoldStatus.ACTIVE, HoldStatus.EXPIRED, HoldStatus.RELEASED),
            "convert",
            "hold",
        )
        return self.model_copy(
            update={"status": HoldStatus.CONVERTED, **({"remote_ref": None} if retaken else {})}
        )


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Ticket(_Model):
    seat_id: CanonicalId
    label: str
    category: str
    ticket_type: str
    price: Money
    fee: Money | None = Field(
        default=None, description="The theatre's booking fee for this ticket, on top of its price"
    )

    @property
    def charged(self) -> int:
        """What the customer pays for this ticket, in minor units: price and fee."""
        return self.price.amount + (self.fee.amount if self.fee else 0)


class Booking(_Model):
    id: CanonicalId
    code: str = Field(
        description="Short booking code printed on the e-ticket", examples=["MQ7K2P9X"]
    )
    show_id: CanonicalId
    customer_id: CanonicalId
    hold_id: CanonicalId | None = None
    tickets: tuple[Ticket, ...] = Field(min_length=1)
    total: Money
    status: BookingStatus = BookingStatus.PENDING
    created_at: Instant
    confirmed_at: Instant | None = None
    cancelled_at: Instant | None = None
    remote_ref: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Booking:
        seat_ids = [t.seat_id for t in self.tickets]
        if len(set(seat_ids)) != len(seat_ids):
            raise ValueError("a booking lists the same seat twice")
        amount = sum(t.charged for t in self.tickets)
        for ticket in self.tickets:
            ticket.price._same(self.total)
            if ticket.fee is not None:
                ticket.fee._same(self.total)
        if amount != self.total.amount:
            raise ValueError("a booking's total is not the sum of its tickets and their fees")
        return self

    def confirm(self, at: datetime) -> Booking:
        _require(self.status, (BookingStatus.PENDING,), "confirm", "booking")
        return self.model_copy(update={"status": BookingStatus.CONFIRMED, "confirmed_at": at})

    def cancel(self, at: datetime) -> Booking:
        _require(self.status, (BookingStatus.CONFIRMED,), "cancel", "booking")
        return self.model_copy(update={"status": BookingStatus.CANCELLED, "cancelled_at": at})

    def fail(self) -> Booking:
        """Not paid in time, or the theatre would not take a sale that was paid (refunded)."""
        _require(self.status, (BookingStatus.PENDING, BookingStatus.CONFIRMED), "fail", "booking")
        return self.model_copy(update={"status": BookingStatus.FAILED})

    def committed_at_theatre(self, remote_ref: str) -> Booking:
        """The POS sold the seats under its own order reference."""
        return self.model_copy(update={"remote_ref": remote_ref})


class PaymentStatus(StrEnum):
    INITIATED = "initiated"
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


# The only moves a payment may make. Anything else is a bug or a replayed/out-of-order event.
PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.INITIATED: frozenset({PaymentStatus.IN_PROGRESS, PaymentStatus.FAILED}),
    PaymentStatus.IN_PROGRESS: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset(
        {PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}
    ),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
}


class PaymentMethod(StrEnum):
    CARD = "card"
    WALLET = "wallet"
    UPI = "upi"


class Payment(_Model):
    id: CanonicalId
    booking_id: CanonicalId
    gateway: str = Field(examples=["stripe", "offline"])
    amount: Money
    refunded: Money | None = None
    status: PaymentStatus = PaymentStatus.INITIATED
    method: PaymentMethod = PaymentMethod.CARD
    gateway_ref: str | None = None
    created_at: Instant


class Customer(_Model):
    id: CanonicalId
    email: EmailStr
    name: str | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    language: str = "en"
