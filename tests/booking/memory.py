"""An in-memory unit of work: the ports' reference semantics, for fast tests.

One lock serialises units of work (a unit holds it from `__enter__` to `__exit__`), and a
snapshot taken on entry is restored on rollback, so it behaves like a SERIALIZABLE database.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from booking.events import Event
from booking.ports import PaymentTransition, ShowRecord
from canonical.catalog import SeatLayout, Show, Theatre
from canonical.inventory import SeatState, SeatStatus
from canonical.orders import (
    Booking,
    BookingStatus,
    Customer,
    Hold,
    HoldStatus,
    Payment,
    PaymentStatus,
)

# One live booking per hold, one attempt in flight per booking: the SQL store's partial unique
# indexes, mirrored.
_LIVE_BOOKING = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
_IN_FLIGHT = (PaymentStatus.INITIATED, PaymentStatus.IN_PROGRESS)


@dataclass
class InMemoryStore:
    theatres: dict[str, Theatre] = field(default_factory=dict)
    shows: dict[str, Show] = field(default_factory=dict)
    layouts: dict[str, SeatLayout] = field(default_factory=dict)  # by screen id
    seats: dict[str, dict[str, SeatState]] = field(default_factory=dict)  # show -> seat -> state
    holds: dict[str, Hold] = field(default_factory=dict)
    seat_expiry: dict[tuple[str, str], datetime | None] = field(default_factory=dict)
    seat_booking: dict[tuple[str, str], str | None] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    payment_keys: dict[str, str] = field(default_factory=dict)
    transitions: list[PaymentTransition] = field(default_factory=list)
    seen_events: set[tuple[str, str]] = field(default_factory=set)
    customers: dict[str, Customer] = field(default_factory=dict)
    cancelled_shows: set[str] = field(default_factory=set)
    outbox: list[Event] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    _STATE = (
        "theatres",
        "shows",
        "layouts",
        "seats",
        "holds",
        "seat_expiry",
        "seat_booking",
        "bookings",
        "payments",
        "payment_keys",
        "transitions",
        "seen_events",
        "customers",
        "outbox",
    )

    def snapshot(self) -> dict[str, Any]:
        return {
            name: copy.copy(getattr(self, name))
            if name != "seats"
            else {k: dict(v) for k, v in self.seats.items()}
            for name in self._STATE
        }

    def restore(self, snap: dict[str, Any]) -> None:
        for name, value in snap.items():
            setattr(self, name, value)

    # Catalog set-up (what sync or the partner API would write).
    def add_show(self, theatre: Theatre, layout: SeatLayout, show: Show) -> None:
        with self.lock:
            self.theatres[theatre.id] = theatre
            self.layouts[layout.screen_id] = layout
            self.shows[show.id] = show
            self.seats[show.id] = {
                s.id: SeatState(seat_id=s.id, status=SeatStatus.AVAILABLE) for s in layout.seats()
            }


class _Catalog:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def show(self, show_id: str) -> Show | None:
        return self.s.shows.get(show_id)

    def theatre(self, theatre_id: str) -> Theatre | None:
        return self.s.theatres.get(theatre_id)

    def layout_for_show(self, show: Show) -> SeatLayout | None:
        return self.s.layouts.get(show.screen_id)

    def show_context(self, show_id: str) -> ShowRecord | None:
        show = self.show(show_id)
        if show is None:
            return None
        return ShowRecord(
            show,
            self.theatre(show.theatre_id),
            self.layout_for_show(show),
            show_id in self.s.cancelled_shows,
        )


class _Seats:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def _free(self, show_id: str, state: SeatState, now: datetime) -> bool:
        if state.status == SeatStatus.AVAILABLE:
            return True
        expiry = self.s.seat_expiry.get((show_id, state.seat_id))
        return state.status == SeatStatus.HELD and expiry is not None and expiry <= now

    def states(
        self, show_id: str, now: datetime, seat_ids: Iterable[str] | None = None
    ) -> dict[str, SeatStatus]:
        wanted = set(seat_ids) if seat_ids is not None else None
        return {
            sid: st.status
            for sid, st in self.s.seats.get(show_id, {}).items()
            if (wanted is None or sid in wanted) and not self._free(show_id, st, now)
        }

    def _set(
        self,
        show_id: str,
        sid: str,
        status: SeatStatus,
        hold_id: str | None = None,
        booking_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        old = self.s.seats[show_id][sid]
        self.s.seats[show_id][sid] = SeatState(
            seat_id=sid, status=status, hold_id=hold_id, version=old.version + 1
        )
        self.s.seat_expiry[(show_id, sid)] = expires_at
        self.s.seat_booking[(show_id, sid)] = booking_id

    def take(
        self,
        show_id: str,
        seat_ids: Sequence[str],
        hold_id: str,
        *,
        expires_at: datetime,
        now: datetime,
    ) -> list[str]:
        table = self.s.seats.get(show_id, {})
        bad = [
            sid for sid in seat_ids if sid not in table or not self._free(show_id, table[sid], now)
        ]
        if bad:
            return bad
        for sid in seat_ids:
            self._set(show_id, sid, SeatStatus.HELD, hold_id=hold_id, expires_at=expires_at)
        return []

    def sell(
        self, show_id: str, seat_ids: Sequence[str], hold_id: str, booking_id: str
    ) -> list[str]:
        table = self.s.seats.get(show_id, {})
        bad = [
            sid
            for sid in seat_ids
            if sid not in table
            or table[sid].status != SeatStatus.HELD
            or table[sid].hold_id != hold_id
        ]
        if bad:
            return bad
        for sid in seat_ids:
            self._set(show_id, sid, SeatStatus.SOLD, booking_id=booking_id)
        return []

    def extend(self, show_id: str, hold_id: str, expires_at: datetime) -> int:
        n = 0
        for sid, st in self.s.seats.get(show_id, {}).items():
            if st.status == SeatStatus.HELD and st.hold_id == hold_id:
                self.s.seat_expiry[(show_id, sid)] = expires_at
                n += 1
        return n

    def release(self, show_id: str, seat_ids: Sequence[str], hold_id: str) -> int:
        table = self.s.seats.get(show_id, {})
        mine = [
            sid
            for sid in seat_ids
            if sid in table
            and table[sid].status == SeatStatus.HELD
            and table[sid].hold_id == hold_id
        ]
        for sid in mine:
            self._set(show_id, sid, SeatStatus.AVAILABLE)
        return len(mine)

    def unsell(self, show_id: str, booking_id: str) -> int:
        mine = [
            sid
            for sid, st in self.s.seats.get(show_id, {}).items()
            if st.status == SeatStatus.SOLD
            and self.s.seat_booking.get((show_id, sid)) == booking_id
        ]
        for sid in mine:
            self._set(show_id, sid, SeatStatus.AVAILABLE)
        return len(mine)

    def force(self, show_id: str, seat_ids: Sequence[str], status: SeatStatus) -> int:
        table = self.s.seats.get(show_id, {})
        n = 0
        for sid in seat_ids:
            if sid in table and self.s.seat_booking.get((show_id, sid)) is None:
                self._set(show_id, sid, status)
                n += 1
        return n


class _Holds:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def add(self, hold: Hold) -> None:
        self.s.holds[hold.id] = hold

    def get(self, hold_id: str) -> Hold | None:
        return self.s.holds.get(hold_id)

    def customer_load(self, customer_id: str, show_id: str, now: datetime) -> tuple[int, int]:
        live = [
            h
            for h in self.s.holds.values()
            if h.customer_id == customer_id and h.status == HoldStatus.ACTIVE and h.expires_at > now
        ]
        return sum(len(h.seat_ids) for h in live if h.show_id == show_id), len(live)

    def save(self, hold: Hold, *, expect: HoldStatus) -> bool:
        current = self.s.holds.get(hold.id)
        if current is None or current.status != expect:
            return False
        self.s.holds[hold.id] = hold
        return True

    def expired(self, now: datetime, limit: int) -> list[Hold]:
        due = [
            h
            for h in self.s.holds.values()
            if h.status == HoldStatus.ACTIVE and h.expires_at <= now
        ]
        return sorted(due, key=lambda h: h.expires_at)[:limit]


class _Bookings:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def add(self, booking: Booking) -> bool:
        if any(b.code == booking.code for b in self.s.bookings.values()):
            raise ValueError(f"duplicate booking code {booking.code}")
        if (
            booking.hold_id is not None
            and booking.status in _LIVE_BOOKING
            and any(
                b.hold_id == booking.hold_id and b.status in _LIVE_BOOKING
                for b in self.s.bookings.values()
            )
        ):
            return False
        self.s.bookings[booking.id] = booking
        return True

    def get(self, booking_id: str) -> Booking | None:
        return self.s.bookings.get(booking_id)

    def by_code(self, code: str) -> Booking | None:
        return next((b for b in self.s.bookings.values() if b.code == code), None)

    def by_hold(self, hold_id: str) -> Booking | None:
        mine = [b for b in self.s.bookings.values() if b.hold_id == hold_id]
        live = [b for b in mine if b.status in _LIVE_BOOKING]
        candidates = live or sorted(mine, key=lambda b: b.created_at)
        return candidates[-1] if candidates else None

    def stale_pending(self, before: datetime, limit: int) -> list[Booking]:
        due = [
            b
            for b in self.s.bookings.values()
            if b.status == BookingStatus.PENDING and b.created_at < before
        ]
        return sorted(due, key=lambda b: b.created_at)[:limit]

    def save(self, booking: Booking, *, expect: str) -> bool:
        current = self.s.bookings.get(booking.id)
        if current is None or current.status.value != expect:
            return False
        self.s.bookings[booking.id] = booking
        return True


class _Payments:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def add(self, payment: Payment, *, idempotency_key: str | None = None) -> bool:
        if payment.status in _IN_FLIGHT and any(
            p.booking_id == payment.booking_id and p.status in _IN_FLIGHT
            for p in self.s.payments.values()
        ):
            return False
        self.s.payments[payment.id] = payment
        self.s.payment_keys[payment.id] = idempotency_key or f"{payment.id}:create"
        return True

    def idempotency_key(self, payment_id: str) -> str | None:
        return self.s.payment_keys.get(payment_id)

    def unresolved(self, before: datetime, limit: int) -> list[Payment]:
        due = [
            p for p in self.s.payments.values() if p.status in _IN_FLIGHT and p.created_at < before
        ]
        return sorted(due, key=lambda p: p.created_at)[:limit]

    def get(self, payment_id: str) -> Payment | None:
        return self.s.payments.get(payment_id)

    def by_gateway_ref(self, gateway: str, gateway_ref: str) -> Payment | None:
        return next(
            (
                p
                for p in self.s.payments.values()
                if p.gateway == gateway and p.gateway_ref == gateway_ref
            ),
            None,
        )

    def for_booking(self, booking_id: str) -> list[Payment]:
        return sorted(
            (p for p in self.s.payments.values() if p.booking_id == booking_id),
            key=lambda p: p.created_at,
        )

    def save(self, payment: Payment, *, expect: PaymentStatus, expect_refunded: int) -> bool:
        current = self.s.payments.get(payment.id)
        if (
            current is None
            or current.status != expect
            or (current.refunded.amount if current.refunded else 0) != expect_refunded
        ):
            return False
        self.s.payments[payment.id] = payment
        return True

    def add_transition(self, transition: PaymentTransition) -> None:
        self.s.transitions.append(transition)

    def transitions(self, payment_id: str) -> list[PaymentTransition]:
        return [t for t in self.s.transitions if t.payment_id == payment_id]

    def mark_event_seen(
        self, gateway: str, event_id: str, type: str = "", payload: Mapping[str, Any] | None = None
    ) -> bool:
        if (gateway, event_id) in self.s.seen_events:
            return False
        self.s.seen_events.add((gateway, event_id))
        return True


class _Customers:
    def __init__(self, store: InMemoryStore) -> None:
        self.s = store

    def get(self, customer_id: str) -> Customer | None:
        return self.s.customers.get(customer_id)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.catalog = _Catalog(store)
        self.seats = _Seats(store)
        self.holds = _Holds(store)
        self.bookings = _Bookings(store)
        self.payments = _Payments(store)
        self.customers = _Customers(store)
        self._pending: list[Event] = []
        self._committed: list[Event] = []
        self._snapshot: dict[str, Any] | None = None

    def __enter__(self) -> Self:
        self.store.lock.acquire()
        self._snapshot = self.store.snapshot()
        self._pending = []
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._snapshot is not None:
                self.rollback()
        finally:
            self.store.lock.release()

    def emit(self, *events: Event) -> None:
        self._pending.extend(events)

    def commit(self) -> None:
        self.store.outbox.extend(self._pending)
        self._committed = self._pending
        self._pending = []
        self._snapshot = self.store.snapshot()

    def rollback(self) -> None:
        if self._snapshot is not None:
            self.store.restore(self._snapshot)
        self._pending = []

    def collect_new_events(self) -> Iterator[Event]:
        events, self._committed = self._committed, []
        yield from events


class InMemoryUnitOfWorkFactory:
    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)
