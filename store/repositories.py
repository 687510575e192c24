"""SQL implementations of booking's repository ports, on one connection (one transaction).

Every state change is a conditional UPDATE (compare-and-set on status, or the seat primitive in
store/seats.py); nothing is read in Python and then written back unconditionally. A take is one
all-or-nothing statement; a sale (seats plus the live-booking rows the unique index guards) runs
inside a SAVEPOINT, so a failed attempt leaves the surrounding transaction usable (a payment that
arrives after its hold expired tries `sell`, then `take`, in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter

from booking.bounded import BoundedDict
from booking.ports import PaymentTransition, ShowRecord
from canonical.catalog import SeatLayout, Show, Theatre
from canonical.inventory import SeatStatus
from canonical.money import Money
from canonical.orders import (
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
from canonical.time import utcnow
from store import catalog as catalog_store
from store import seats as seat_store
from store.tables import (
    booking_seats,
    bookings,
    gateway_events,
    holds,
    payment_transitions,
    payments,
    seat_layouts,
    show_seats,
    shows,
    theatres,
    users,
)

# Parsed catalog objects kept per process, keyed by (id, updated_at): every writer of these rows
# stamps updated_at, so a changed row is a new key. Layouts are the costliest to parse (a country
# has ~20,000; a hot sale needs a handful); shows and theatres are re-read by every hold.
LAYOUT_CACHE_SIZE = 512
SHOW_CACHE_SIZE = 4096
THEATRE_CACHE_SIZE = 1024


class CatalogCache:
    """Bounded per-process caches of parsed shows, theatres and layouts (oldest out first)."""

    def __init__(self) -> None:
        self.shows: BoundedDict[tuple, Show] = BoundedDict(SHOW_CACHE_SIZE)
        self.theatres: BoundedDict[tuple, Theatre] = BoundedDict(THEATRE_CACHE_SIZE)
        self.layouts: BoundedDict[tuple, SeatLayout] = BoundedDict(LAYOUT_CACHE_SIZE)


def _show_stamps_query() -> Select:
    # Built once: constructing the expression cost more than running it.
    return (
        select(
            shows.c.updated_at,
            shows.c.status,
            shows.c.theatre_id,
            theatres.c.updated_at.label("t_at"),
            shows.c.layout_id,
            seat_layouts.c.version.label("l_version"),
            seat_layouts.c.updated_at.label("l_at"),
        )
        .select_from(
            shows.outerjoin(theatres, theatres.c.id == shows.c.theatre_id).outerjoin(
                seat_layouts, seat_layouts.c.id == shows.c.layout_id
            )
        )
        .where(shows.c.id == bindparam("show_id"))
    )


_SHOW_STAMPS = _show_stamps_query()


class SqlCatalog:
    def __init__(self, conn: Connection, cache: CatalogCache) -> None:
        self.conn = conn
        self._cache = cache

    def show(self, show_id: str) -> Show | None:
        return catalog_store.get_show(self.conn, show_id)

    def theatre(self, theatre_id: str) -> Theatre | None:
        return catalog_store.get_theatre(self.conn, theatre_id)

    def layout_for_show(self, show: Show) -> SeatLayout | None:
        found = self.show_context(show.id)
        return found[2] if found else None

    def show_context(self, show_id: str) -> ShowRecord | None:
        """The show with its theatre and seat layout in one round trip: only the rows' stamps
        are read, and each object is parsed once per version."""
        row = self.conn.execute(_SHOW_STAMPS, {"show_id": show_id}).first()
        if row is None:
            return None
        cache = self._cache
        show_key = (show_id, row.updated_at)
        show = cache.shows.get(show_key)
        if show is None:
            show = catalog_store.get_show(self.conn, show_id)
            if show is None:
                return None
            cache.shows.put(show_key, show)
        theatre = None
        if row.t_at is not None:
            theatre_key = (row.theatre_id, row.t_at)
            theatre = cache.theatres.get(theatre_key)
            if theatre is None:
                theatre = catalog_store.get_theatre(self.conn, row.theatre_id)
                if theatre is not None:
                    cache.theatres.put(theatre_key, theatre)
        layout = None
        if row.l_at is not None:
            layout_key = (row.layout_id, row.l_version, row.l_at)
            layout = cache.layouts.get(layout_key)
            if layout is None:
                layout = catalog_store.get_layout(self.conn, row.layout_id)
                if layout is not None:
                    cache.layouts.put(layout_key, layout)
        return ShowRecord(show, theatre, layout, row.status == "cancelled")


class SqlSeats:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def states(
        self, show_id: str, now: datetime, seat_ids: Iterable[str] | None = None
    ) -> dict[str, SeatStatus]:
        # Only seats that are not free (the port's contract: a missing seat is available).
        return seat_store.unavailable_seats(self.conn, show_id, now, seat_ids)

    def take(
        self,
        show_id: str,
        seat_ids: Sequence[str],
        hold_id: str,
        *,
        expires_at: datetime,
        now: datetime,
    ) -> list[str]:
        try:
            # All or nothing in one statement: a refusal changes no seat, so no savepoint.
            seat_store.take_seats(self.conn, show_id, seat_ids, hold_id, expires_at, now)
        except seat_store.SeatsNotTaken as err:
            # Never report success here, even for an empty error.
            return sorted(set(err.unavailable) | set(err.unknown)) or sorted(seat_ids)
        return []

    def sell(
        self, show_id: str, seat_ids: Sequence[str], hold_id: str, booking_id: str
    ) -> list[str]:
        try:
            with self.conn.begin_nested():
                seat_store.sell_hold(self.conn, show_id, hold_id, booking_id, seat_ids)
                # The live-booking unique index is the last line of defence against a seat in
                # two bookings, whatever happened above.
                self.conn.execute(
                    insert(booking_seats),
                    [
                        {"booking_id": booking_id, "show_id": show_id, "seat_id": s, "active": True}
                        for s in seat_ids
                    ],
                )
        except seat_store.SeatsNotTaken as err:
            return sorted(set(err.unavailable) | set(err.unknown)) or list(seat_ids)
        except IntegrityError:
            return list(seat_ids)
        return []

    def extend(self, show_id: str, hold_id: str, expires_at: datetime) -> int:
        return self.conn.execute(
            update(show_seats)
            .where(
                show_seats.c.show_id == show_id,
                show_seats.c.hold_id == hold_id,
                show_seats.c.status == "held",
            )
            .values(hold_expires_at=expires_at, version=show_seats.c.version + 1)
        ).rowcount

    def release(self, show_id: str, seat_ids: Sequence[str], hold_id: str) -> int:
        return seat_store.release_hold(self.conn, hold_id)

    def unsell(self, show_id: str, booking_id: str) -> int:
        self.conn.execute(
            update(booking_seats)
            .where(booking_seats.c.booking_id == booking_id)
            .values(active=False)
        )
        return seat_store.release_booking(self.conn, booking_id)

    def force(self, show_id: str, seat_ids: Sequence[str], status: SeatStatus) -> int:
        return seat_store.set_external_status(self.conn, show_id, seat_ids, status)


def _hold(row: Any) -> Hold:
    return Hold(
        id=row.id,
        show_id=row.show_id,
        seat_ids=tuple(row.seat_ids),
        customer_id=row.customer_id,
        status=HoldStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        extended=bool(row.extended),
        remote_ref=row.remote_ref,
    )


# The partial unique indexes' predicates (store/tables.py): one live booking per hold, one
# payment attempt in flight per booking.
LIVE_BOOKING = ("pending", "confirmed")
IN_FLIGHT = ("initiated", "in_progress")


def _customer_load_query() -> Select:
    """One read for the per-customer hold limits: seats the customer holds on the show (from the
    seat rows, so no JSON is parsed) and live holds the customer has anywhere."""
    now: BindParameter[datetime] = bindparam("now")
    mine = and_(
        holds.c.customer_id == bindparam("customer"),
        holds.c.status == "active",
        holds.c.expires_at > now,
    )
    seats = (
        select(func.count())
        .select_from(show_seats.join(holds, show_seats.c.hold_id == holds.c.id))
        .where(mine, holds.c.show_id == bindparam("show"), show_seats.c.status == "held")
        .scalar_subquery()
    )
    live = select(func.count()).select_from(holds).where(mine).scalar_subquery()
    return select(seats, live)


class SqlHolds:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, hold: Hold) -> None:
        self.conn.execute(
            insert(holds).values(
                id=hold.id,
                show_id=hold.show_id,
                customer_id=hold.customer_id,
                seat_ids=list(hold.seat_ids),
                status=hold.status.value,
                created_at=hold.created_at,
                expires_at=hold.expires_at,
                extended=hold.extended,
                remote_ref=hold.remote_ref,
            )
        )

    def get(self, hold_id: str) -> Hold | None:
        row = self.conn.execute(select(holds).where(holds.c.id == hold_id)).first()
        return _hold(row) if row else None

    def customer_load(self, customer_id: str, show_id: str, now: datetime) -> tuple[int, int]:
        row = self.conn.execute(
            _customer_load_query(), {"customer": customer_id, "show": show_id, "now": now}
        ).one()
        return int(row[0] or 0), int(row[1] or 0)

    def save(self, hold: Hold, *, expect: HoldStatus) -> bool:
        return (
            self.conn.execute(
                update(holds)
                .where(holds.c.id == hold.id, holds.c.status == expect.value)
                .values(
                    status=hold.status.value,
                    expires_at=hold.expires_at,
                    extended=hold.extended,
                    remote_ref=hold.remote_ref,
                )
            ).rowcount
            == 1
        )

    def expired(self, now: datetime, limit: int) -> list[Hold]:
        rows = self.conn.execute(
            select(holds)
            .where(holds.c.status == "active", holds.c.expires_at <= now)
            .order_by(holds.c.expires_at)
            .limit(limit)
        )
        return [_hold(r) for r in rows]


def _booking(row: Any) -> Booking:
    return Booking(
        id=row.id,
        code=row.code,
        show_id=row.show_id,
        customer_id=row.customer_id,
        hold_id=row.hold_id,
        tickets=tuple(Ticket.model_validate(t) for t in row.tickets),
        total=Money(amount=row.total_amount, currency=row.currency),
        status=BookingStatus(row.status),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        cancelled_at=row.cancelled_at,
        remote_ref=row.remote_ref,
    )


class SqlBookings:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, booking: Booking) -> bool:
        try:
            # A savepoint: losing the race for a hold's one live booking leaves the caller's
            # transaction usable (it reads the winner's booking next).
            with self.conn.begin_nested():
                self._insert(booking)
        except IntegrityError:
            return False
        return True

    def _insert(self, booking: Booking) -> None:
        self.conn.execute(
            insert(bookings).values(
                id=booking.id,
                code=booking.code,
                show_id=booking.show_id,
                customer_id=booking.customer_id,
                hold_id=booking.hold_id,
                status=booking.status.value,
                total_amount=booking.total.amount,
                currency=booking.total.currency,
                tickets=[t.model_dump(mode="json") for t in booking.tickets],
                created_at=booking.created_at,
                confirmed_at=booking.confirmed_at,
                cancelled_at=booking.cancelled_at,
                remote_ref=booking.remote_ref,
            )
        )

    def _one(self, *where: Any) -> Booking | None:
        row = self.conn.execute(select(bookings).where(*where)).first()
        return _booking(row) if row else None

    def get(self, booking_id: str) -> Booking | None:
        return self._one(bookings.c.id == booking_id)

    def by_code(self, code: str) -> Booking | None:
        return self._one(bookings.c.code == code)

    def by_hold(self, hold_id: str) -> Booking | None:
        live = bookings.c.status.in_(LIVE_BOOKING)
        row = self.conn.execute(
            select(bookings)
            .where(bookings.c.hold_id == hold_id)
            .order_by(case((live, 0), else_=1), bookings.c.created_at.desc())
            .limit(1)
        ).first()
        return _booking(row) if row else None

    def stale_pending(self, before: datetime, limit: int) -> list[Booking]:
        rows = self.conn.execute(
            select(bookings)
            .where(bookings.c.status == "pending", bookings.c.created_at < before)
            .order_by(bookings.c.created_at)
            .limit(limit)
        )
        return [_booking(r) for r in rows]

    def save(self, booking: Booking, *, expect: str) -> bool:
        return (
            self.conn.execute(
                update(bookings)
                .where(bookings.c.id == booking.id, bookings.c.status == expect)
                .values(
                    status=booking.status.value,
                    confirmed_at=booking.confirmed_at,
                    cancelled_at=booking.cancelled_at,
                    remote_ref=booking.remote_ref,
                )
            ).rowcount
            == 1
        )


def _payment(row: Any) -> Payment:
    return Payment(
        id=row.id,
        booking_id=row.booking_id,
        gateway=row.gateway,
        amount=Money(amount=row.amount, currency=row.currency),
        refunded=Money(amount=row.refunded_amount, currency=row.currency)
        if row.refunded_amount
        else None,
        status=PaymentStatus(row.status),
        method=PaymentMethod(row.method),
        gateway_ref=row.gateway_ref,
        created_at=row.created_at,
    )


class SqlPayments:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, payment: Payment, *, idempotency_key: str | None = None) -> bool:
        try:
            with self.conn.begin_nested():
                self._insert(payment, idempotency_key or f"{payment.id}:create")
        except IntegrityError:
            return False  # the booking has an attempt in flight already
        return True

    def idempotency_key(self, payment_id: str) -> str | None:
        return self.conn.execute(
            select(payments.c.idempotency_key).where(payments.c.id == payment_id)
        ).scalar()

    def unresolved(self, before: datetime, limit: int) -> list[Payment]:
        rows = self.conn.execute(
            select(payments)
            .where(payments.c.status.in_(IN_FLIGHT), payments.c.updated_at < before)
            .order_by(payments.c.updated_at)
            .limit(limit)
        )
        return [_payment(r) for r in rows]

    def _insert(self, payment: Payment, key: str) -> None:
        self.conn.execute(
            insert(payments).values(
                id=payment.id,
                booking_id=payment.booking_id,
                gateway=payment.gateway,
                amount=payment.amount.amount,
                currency=payment.amount.currency,
                refunded_amount=payment.refunded.amount if payment.refunded else 0,
                status=payment.status.value,
                method=payment.method.value,
                gateway_ref=payment.gateway_ref,
                idempotency_key=key,
                created_at=payment.created_at,
                updated_at=payment.created_at,
            )
        )

    def get(self, payment_id: str) -> Payment | None:
        row = self.conn.execute(select(payments).where(payments.c.id == payment_id)).first()
        return _payment(row) if row else None

    def by_gateway_ref(self, gateway: str, gateway_ref: str) -> Payment | None:
        row = self.conn.execute(
            select(payments).where(
                payments.c.gateway == gateway, payments.c.gateway_ref == gateway_ref
            )
        ).first()
        return _payment(row) if row else None

    def for_booking(self, booking_id: str) -> list[Payment]:
        rows = self.conn.execute(
            select(payments)
            .where(payments.c.booking_id == booking_id)
            .order_by(payments.c.created_at, payments.c.id)
        )
        return [_payment(r) for r in rows]

    def save(self, payment: Payment, *, expect: PaymentStatus, expect_refunded: int) -> bool:
        return (
            self.conn.execute(
                update(payments)
                .where(
                    payments.c.id == payment.id,
                    payments.c.status == expect.value,
                    payments.c.refunded_amount == expect_refunded,
                )
                .values(
                    status=payment.status.value,
                    gateway_ref=payment.gateway_ref,
                    refunded_amount=payment.refunded.amount if payment.refunded else 0,
                    updated_at=utcnow(),
                )
            ).rowcount
            == 1
        )

    def add_transition(self, transition: PaymentTransition) -> None:
        self.conn.execute(
            insert(payment_transitions).values(
                payment_id=transition.payment_id,
                from_status=transition.from_status.value,
                to_status=transition.to_status.value,
                at=transition.at,
                cause=transition.cause
                + (f" [{transition.event_id}]" if transition.event_id else ""),
            )
        )

    def transitions(self, payment_id: str) -> list[PaymentTransition]:
        rows = self.conn.execute(
            select(payment_transitions)
            .where(payment_transitions.c.payment_id == payment_id)
            .order_by(payment_transitions.c.id)
        )
        return [
            PaymentTransition(
                payment_id=r.payment_id,
                from_status=PaymentStatus(r.from_status),
                to_status=PaymentStatus(r.to_status),
                at=r.at,
                cause=r.cause,
            )
            for r in rows
        ]

    def mark_event_seen(
        self, gateway: str, event_id: str, type: str = "", payload: Mapping[str, Any] | None = None
    ) -> bool:
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(gateway_events).values(
                        gateway=gateway,
                        event_id=event_id,
                        type=type or "unknown",
                        received_at=utcnow(),
                        payload=dict(payload or {}),
                    )
                )
        except IntegrityError:
            return False
        return True


class SqlCustomers:
    """Customers are users with role 'customer'. Their email is stored encrypted; `decrypt`
    (from the wiring layer, which holds the key) turns it back into an address."""

    def __init__(self, conn: Connection, decrypt: Callable[[str], str] | None) -> None:
        self.conn = conn
        self._decrypt = decrypt

    def get(self, customer_id: str) -> Customer | None:
        if self._decrypt is None:
            return None
        row = self.conn.execute(
            select(users).where(and_(users.c.id == customer_id, users.c.active))
        ).first()
        if row is None:
            return None
        return Customer(
            id=row.id,
            email=self._decrypt(row.email_enc),
            name=row.name,
            phone=self._decrypt(row.phone_enc) if row.phone_enc else None,
            language=row.language,
        )
