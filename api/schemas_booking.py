"""Bodies of holds, checkout, bookings and e-tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas_auth import Strict
from canonical import Money
from canonical.orders import Booking, Hold, Payment, PaymentMethod


class HoldIn(Strict):
    """Either name the seats (`seat_ids`) or ask for the best `count` adjacent seats."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"show_id": "shw_chennai_marina_1_20301115_1400", "seat_ids": ["F7", "F8"]},
                {
                    "show_id": "shw_chennai_marina_1_20301115_1400",
                    "count": 2,
                    "category": "premium",
                },
            ]
        },
    )

    show_id: str = Field(max_length=64)
    seat_ids: list[str] | None = Field(default=None, min_length=1, max_length=50)
    count: int | None = Field(default=None, ge=1, le=50)
    category: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _one_way(self) -> HoldIn:
        if (self.seat_ids is None) == (self.count is None):
            raise ValueError("give either seat_ids or count")
        return self


class HoldOut(BaseModel):
    id: str
    show_id: str
    seat_ids: list[str]
    status: str
    created_at: datetime
    expires_at: datetime
    extended: bool

    @classmethod
    def of(cls, h: Hold) -> HoldOut:
        return cls(
            id=h.id,
            show_id=h.show_id,
            seat_ids=list(h.seat_ids),
            status=h.status.value,
            created_at=h.created_at,
            expires_at=h.expires_at,
            extended=h.extended,
        )


class BestAvailableOut(BaseModel):
    show_id: str
    seat_ids: list[str]


class CheckoutIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "hold_id": "hld_1b4e28ba2fa1",
                    "method": "card",
                    "payment": {"card_number": "4242424242424242"},
                    "ticket_types": {"F7": "ADULT", "F8": "CHILD"},
                }
            ]
        },
    )

    hold_id: str = Field(max_length=64)
    method: PaymentMethod = PaymentMethod.CARD
    gateway: str | None = Field(
        default=None, max_length=40, description="Default: the configured gateway"
    )
    payment: dict[str, Any] = Field(
        default_factory=dict,
        description="Gateway details: a test card number for the offline "
        "gateway, a PaymentMethod id (`payment_method`) for Stripe. Never logged.",
    )
    ticket_types: dict[str, str] = Field(
        default_factory=dict,
        description="Seat id -> ticket type code (default: the first price of the seat's category)",
    )


class ConfirmPaymentIn(Strict):
    details: dict[str, Any] = Field(default_factory=dict)


class TicketOut(BaseModel):
    seat_id: str
    label: str
    category: str
    ticket_type: str
    price: Money
    fee: Money | None = Field(
        default=None, description="The theatre's booking fee for this ticket, on top of its price"
    )


class PaymentOut(BaseModel):
    id: str
    gateway: str
    method: str
    status: str
    amount: Money
    refunded: Money | None

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(
            id=p.id,
            gateway=p.gateway,
            method=p.method.value,
            status=p.status.value,
            amount=p.amount,
            refunded=p.refunded,
        )


class BookingShowOut(BaseModel):
    """The show a booking is for, as the customer reads it."""

    movie_id: str
    movie_title: str | None = Field(description="In the reader's language when it exists")
    title_language: str | None
    theatre_id: str
    theatre_name: str
    screen_id: str
    screen_name: str | None
    start: datetime
    local_start: str = Field(description="Start in the theatre's own time zone, ISO 8601")
    timezone: str = Field(description="The theatre's IANA time zone")
    format: str
    language: str


class BookingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "bkg_7c9e6679",
                    "code": "K7M2QX9P",
                    "status": "confirmed",
                    "show_id": "shw_chennai_marina_1_20301115_1400",
                    "tickets": [
                        {
                            "seat_id": "F7",
                            "label": "F7",
                            "category": "standard",
                            "ticket_type": "ADULT",
                            "price": {"amount": 18000, "currency": "INR"},
                        }
                    ],
                    "total": {"amount": 18000, "currency": "INR"},
                    "created_at": "2030-11-15T08:00:00Z",
                    "confirmed_at": "2030-11-15T08:01:00Z",
                    "cancelled_at": None,
                    "payments": [],
                    "show": {
                        "movie_id": "mov_kaala_vettai",
                        "movie_title": "The Dark Hunt",
                        "title_language": "en",
                        "theatre_id": "thr_chennai_marina",
                        "theatre_name": "Marquee Marina",
                        "screen_id": "scr_chennai_marina_1",
                        "screen_name": "Screen 1",
                        "start": "2030-11-15T08:30:00Z",
                        "local_start": "2030-11-15T14:00:00+05:30",
                        "timezone": "Asia/Kolkata",
                        "format": "2D",
                        "language": "ta",
                    },
                }
            ]
        }
    )

    id: str
    code: str
    status: str
    show_id: str
    tickets: list[TicketOut]
    total: Money
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    payments: list[PaymentOut] = Field(default_factory=list)
    show: BookingShowOut | None = Field(
        default=None,
        description="Movie, theatre, screen and local start (customer reads); null elsewhere",
    )

    @classmethod
    def of(
        cls, b: Booking, payments: list[Payment] | None = None, show: BookingShowOut | None = None
    ) -> BookingOut:
        return cls(
            id=b.id,
            code=b.code,
            status=b.status.value,
            show_id=b.show_id,
            tickets=[TicketOut(**t.model_dump()) for t in b.tickets],
            total=b.total,
            created_at=b.created_at,
            confirmed_at=b.confirmed_at,
            cancelled_at=b.cancelled_at,
            payments=[PaymentOut.of(p) for p in payments or []],
            show=show,
        )


class CheckoutOut(BaseModel):
    booking: BookingOut
    payment: PaymentOut
    next_action: str | None = Field(
        default=None,
        description="`3ds`: confirm at /v1/payments/{id}/confirm after the customer authenticates",
    )
    client_secret: str | None = None


class PaymentsConfigOut(BaseModel):
    """What the checkout page needs to take a payment with the configured gateway."""

    gateway: str = Field(
        description="`offline`: a test card number goes in the checkout's `payment` details; "
        "`stripe`: no card details to us, the browser confirms the answer's `client_secret` "
        "with Stripe.js"
    )
    publishable_key: str | None = Field(
        default=None, description="Stripe's publishable key (pk_...) for Stripe.js; null offline"
    )


class CancellationOut(BaseModel):
    booking: BookingOut
    refund: Money
    fee: Money
    refund_issued: bool = Field(description="False: the refund is queued and retried")


class ETicketOut(BaseModel):
    booking_id: str
    code: str
    status: str
    movie: str | None
    theatre: str
    screen_id: str
    start: datetime
    local_start: str
    seats: list[str]
    total: Money
    qr_payload: str = Field(description="What the QR code encodes, for the door scanner")
    qr_svg_url: str
    qr_png_url: str


class WebhookOut(BaseModel):
    result: str = Field(examples=["applied", "duplicate", "stale", "ignored", "unknown_payment"])
