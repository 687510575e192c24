"""From an event to a fact: what happened, when (in the theatre's own calendar), and under which
dimensions (city, theatre, screen, movie, language, format, customer, currency).

Domain events name a show, a booking or a payment; the rest of the dimensions come from the
catalog (`Lookups`, memoised for one batch). Tracked events (`show_view`, `seat_map_view`,
`search`) arrive as small dicts from the API's tracker and take the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from booking import events as ev
from store.tables import booking_seats, bookings, movies, shows, theatres

# Topics of the outbox the analytics consumer ingests.
DOMAIN_KINDS = frozenset(
    {
        ev.HoldPlaced.name,
        ev.HoldReleased.name,
        ev.HoldExpired.name,
        ev.BookingCreated.name,
        ev.BookingConfirmed.name,
        ev.BookingFailed.name,
        ev.BookingCancelled.name,
        ev.SaleCommitFailed.name,
        ev.PaymentSucceeded.name,
        ev.PaymentFailed.name,
        ev.RefundIssued.name,
    }
)
TRACKED_KINDS = frozenset({"show_view", "seat_map_view", "search"})

# A hold the customer let go, or let run out, was abandoned; one the theatre refused was not.
ABANDONED_RELEASE_REASONS = frozenset({"customer"})


@dataclass(frozen=True)
class ShowDims:
    show_id: str
    theatre_id: str
    screen_id: str
    movie_id: str
    language: str
    format: str
    start_at: datetime
    business_date: date
    city: str
    country: str
    timezone: str
    currency: str
    genres: tuple[str, ...]


@dataclass(frozen=True)
class BookingDims:
    show_id: str
    customer_id: str
    currency: str
    seats: int


class Lookups:
    """Catalog reads for one batch, each show and booking read once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._shows: dict[str, ShowDims | None] = {}
        self._bookings: dict[str, BookingDims | None] = {}

    def show(self, show_id: str | None) -> ShowDims | None:
        if not show_id:
            return None
        if show_id not in self._shows:
            row = self.conn.execute(
                select(
                    shows.c.id,
                    shows.c.theatre_id,
                    shows.c.screen_id,
                    shows.c.movie_id,
                    shows.c.language,
                    shows.c.format,
                    shows.c.start_at,
                    shows.c.business_date,
                    theatres.c.city,
                    theatres.c.country,
                    theatres.c.timezone,
                    theatres.c.currency,
                    movies.c.genres,
                )
                .join(theatres, theatres.c.id == shows.c.theatre_id)
                .join(movies, movies.c.id == shows.c.movie_id)
                .where(shows.c.id == show_id)
            ).first()
            self._shows[show_id] = (
                ShowDims(
                    show_id=row.id,
                    theatre_id=row.theatre_id,
                    screen_id=row.screen_id,
                    movie_id=row.movie_id,
                    language=row.language,
                    format=row.format,
                    start_at=row.start_at,
                    business_date=row.business_date,
                    city=row.city,
                    country=row.country,
                    timezone=row.timezone,
                    currency=row.currency,
                    genres=tuple(row.genres or ()),
                )
                if row is not None
                else None
            )
        return self._shows[show_id]

    def booking(self, booking_id: str | None) -> BookingDims | None:
        if not booking_id:
            return None
        if booking_id not in self._bookings:
            row = self.conn.execute(
                select(
                    bookings.c.show_id,
                    bookings.c.customer_id,
                    bookings.c.currency,
                    select(func.count())
                    .select_from(booking_seats)
                    .where(booking_seats.c.booking_id == bookings.c.id)
                    .scalar_subquery()
                    .label("seats"),
                ).where(bookings.c.id == booking_id)
            ).first()
            self._bookings[booking_id] = (
                BookingDims(row.show_id, row.customer_id, row.currency, row.seats)
                if row is not None
                else None
            )
        return self._bookings[booking_id]


@dataclass
class Fact:
    """One row of `analytics_events`, plus what aggregation needs and the row does not keep."""

    event_id: str
    source: str
    kind: str
    occurred_at: datetime
    payload: dict[str, Any]
    day: date
    hour: int
    show: ShowDims | None = None
    customer_id: str | None = None
    booking_id: str | None = None
    currency: str | None = None
    amount: int | None = None
    quantity: int | None = None
    reason: str | None = None
    latency_ms: float | None = None
    city: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        s = self.show
        return {
            "event_id": self.event_id,
            "source": self.source,
            "kind": self.kind,
            "occurred_at": self.occurred_at,
            "day": self.day,
            "hour": self.hour,
            "theatre_id": s.theatre_id if s else None,
            "screen_id": s.screen_id if s else None,
            "movie_id": s.movie_id if s else None,
            "show_id": s.show_id if s else None,
            "city": s.city if s else self.city,
            "country": s.country if s else None,
            "language": s.language if s else None,
            "format": s.format if s else None,
            "customer_id": self.customer_id,
            "booking_id": self.booking_id,
            "currency": self.currency,
            "amount": self.amount,
            "quantity": self.quantity,
            "reason": self.reason[:200] if self.reason else None,
            "latency_ms": self.latency_ms,
            "payload": self.payload,
        }


def local_time(at: datetime, show: ShowDims | None) -> datetime:
    """`at` on the theatre's wall clock (UTC when the fact names no theatre)."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(show.timezone)) if show else at.astimezone(UTC)


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _fact(
    event_id: str,
    source: str,
    kind: str,
    payload: dict[str, Any],
    occurred_at: datetime,
    show: ShowDims | None,
    **values: Any,
) -> Fact:
    local = local_time(occurred_at, show)
    return Fact(
        event_id=event_id,
        source=source,
        kind=kind,
        occurred_at=occurred_at,
        payload=payload,
        day=local.date(),
        hour=local.hour,
        show=show,
        **values,
    )


def from_domain_event(
    topic: str, event_id: str, payload: dict[str, Any], lookups: Lookups
) -> Fact | None:
    """The fact an outbox message states, or None when analytics does not count that topic."""
    if topic not in DOMAIN_KINDS:
        return None
    event = ev.from_message(topic, payload)
    at = event.occurred_at
    match event:
        case ev.HoldPlaced():
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=event.customer_id,
                quantity=len(event.seat_ids),
            )
        case ev.HoldReleased() | ev.HoldExpired():
            reason = event.reason if isinstance(event, ev.HoldReleased) else "expired"
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                quantity=len(event.seat_ids),
                reason=reason,
            )
        case ev.BookingCreated():
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=event.customer_id,
                booking_id=event.booking_id,
                currency=event.total.currency,
                amount=event.total.amount,
            )
        case ev.BookingConfirmed():
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=event.customer_id,
                booking_id=event.booking_id,
                currency=event.total.currency,
                amount=event.total.amount,
                quantity=len(event.seat_ids),
            )
        case ev.BookingFailed():
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=event.customer_id,
                booking_id=event.booking_id,
                reason=event.reason,
            )
        case ev.BookingCancelled():
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=event.customer_id,
                booking_id=event.booking_id,
                currency=event.refund.currency,
                amount=event.refund.amount,
                quantity=len(event.seat_ids),
                extra={"fee": event.fee.amount},
            )
        case ev.SaleCommitFailed():
            booking = lookups.booking(event.booking_id)
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                lookups.show(event.show_id),
                customer_id=booking.customer_id if booking else None,
                booking_id=event.booking_id,
                quantity=booking.seats if booking else 0,
                reason=event.reason,
            )
        case ev.PaymentSucceeded() | ev.PaymentFailed() | ev.RefundIssued():
            booking = lookups.booking(event.booking_id)
            show = lookups.show(booking.show_id if booking else None)
            money = getattr(event, "amount", None)
            return _fact(
                event_id,
                "outbox",
                topic,
                payload,
                at,
                show,
                customer_id=booking.customer_id if booking else None,
                booking_id=event.booking_id,
                currency=money.currency if money else (booking.currency if booking else None),
                amount=money.amount if money else None,
                reason=getattr(event, "reason", None),
            )
    return None


def from_tracked(event_id: str, payload: dict[str, Any], lookups: Lookups) -> Fact | None:
    """A tracked activity: {"kind", "occurred_at", "show_id"?, "city"?, "latency_ms"?, ...}."""
    kind = payload.get("kind")
    if kind not in TRACKED_KINDS:
        return None
    at = _parse_time(payload["occurred_at"])
    if kind == "search":
        return _fact(
            event_id,
            "tracked",
            kind,
            payload,
            at,
            None,
            latency_ms=float(payload.get("latency_ms") or 0.0),
            city=(payload.get("city") or "")[:100],
            customer_id=payload.get("customer_id"),
        )
    show = lookups.show(payload.get("show_id"))
    if show is None:
        return None  # a view of a show that does not exist counts for nothing
    return _fact(
        event_id, "tracked", kind, payload, at, show, customer_id=payload.get("customer_id")
    )
