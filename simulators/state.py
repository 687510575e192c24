"""The state core shared by the three simulated POS systems.

A `State` is one POS's world: cinemas, films, screens with seat layouts, sessions and the seat
inventory and orders of those sessions. The catalog is *procedural*: cinemas are a short list,
layouts come from a few shared templates, and sessions are computed from (cinema, screen, day,
slot) on demand rather than stored, so a country-sized catalog (840,000 sessions) costs almost no
memory. Seat inventory is lazy: a session has no per-seat record until one of its seats changes,
and then only the changed seats are stored.

Everything is deterministic for a given seed, size and first day, so tests can name ids.
Every public method takes the state's lock; listeners (push, snapshot writers) are called after
the lock is released, with the seat events the call produced.
"""

from __future__ import annotations

import heapq
import itertools
import string
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from simulators.flavours import FLAVOURS, Category, City, Film, Flavour, TicketType

SeatPos = tuple[int, int, int]  # (area number, row index, column index)

BOX_OFFICE = "BOX"  # owner of seats sold at the box office


class SeatStatus(StrEnum):
    FREE = "free"
    HELD = "held"
    SOLD = "sold"
    BROKEN = "broken"
    HOUSE = "house"


# --------------------------------------------------------------------------------------- errors
class SimError(Exception):
    """A request the POS refuses. Subclasses say which protocol answer to give."""


class InvalidRequest(SimError):
    pass


class UnknownSession(InvalidRequest):
    pass


class OrderNotFound(SimError):
    pass


class OrderExpired(SimError):
    pass


class SeatsUnavailable(SimError):
    def __init__(self, seats: Sequence[SeatPos]):
        super().__init__(f"seats unavailable: {list(seats)}")
        self.seats = list(seats)


# --------------------------------------------------------------------------------------- clock
class SimClock:
    """Wall-clock time plus an offset that tests can advance instead of sleeping."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


# --------------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class LayoutSeat:
    area: int
    row: int  # row index, unique across the whole screen
    col: int  # column index (aisles leave gaps)
    ordinal: int  # 0-based position among the row's seats, left to right
    number: int  # seat number counted right to left (soapbox label, reelfeed SeatNo)
    style: str  # Normal, Wheelchair, Companion, Sofa
    group: str | None = None  # sofas share a group
    broken: bool = False
    house: bool = False

    @property
    def pos(self) -> SeatPos:
        return (self.area, self.row, self.col)

    @property
    def base_status(self) -> SeatStatus:
        if self.broken:
            return SeatStatus.BROKEN
        return SeatStatus.HOUSE if self.house else SeatStatus.FREE


@dataclass(frozen=True)
class LayoutRow:
    index: int
    letter: str
    seats: tuple[LayoutSeat, ...]


@dataclass(frozen=True)
class LayoutArea:
    number: int
    category: Category
    rows: tuple[LayoutRow, ...]


@dataclass(frozen=True)
class Layout:
    key: str
    areas: tuple[LayoutArea, ...]

    @cached_property
    def seats(self) -> dict[SeatPos, LayoutSeat]:
        return {s.pos: s for a in self.areas for r in a.rows for s in r.seats}

    @cached_property
    def by_row_col(self) -> dict[tuple[int, int], LayoutSeat]:
        return {(s.row, s.col): s for s in self.seats.values()}

    @cached_property
    def groups(self) -> dict[str, tuple[SeatPos, ...]]:
        out: dict[str, list[SeatPos]] = {}
        for s in self.seats.values():
            if s.group:
                out.setdefault(s.group, []).append(s.pos)
        return {k: tuple(v) for k, v in out.items()}


# (standard rows, premium rows, seats per row): small, medium, large auditoria
_SIZES = ((6, 2, 12), (8, 2, 16), (11, 3, 20))
LAYOUT_VARIANTS = len(_SIZES) * 2


def row_letters(skip_io: bool) -> list[str]:
    letters = [c for c in string.ascii_uppercase if not (skip_io and c in "IO")]
    return letters + [a + b for a in letters for b in letters]


def build_layout(flavour: Flavour, variant: int) -> Layout:
    """One of a few auditorium templates: a standard area with an aisle, wheelchair places and
    companions in the front row, a broken seat; a premium area whose last row is sofas for two;
    house seats where the flavour has them."""
    std_rows, prem_rows, width = _SIZES[variant // 2]
    half = width // 2
    columns = list(range(half)) + list(range(half + 1, width + 1))  # aisle at column `half`
    letters = row_letters(flavour.skip_io_rows)
    broken_at = (2, columns[3 + (variant % 2) * 5])
    areas = []
    row_index = 0
    for area_no, (category, n_rows) in enumerate(
        zip(flavour.categories, (std_rows, prem_rows), strict=True), start=1
    ):
        rows = []
        for k in range(n_rows):
            r = row_index
            sofa_row = area_no == 2 and k == n_rows - 1
            seats = []
            for ordinal, col in enumerate(columns):
                style, group = "Normal", None
                if area_no == 1 and r == 0:
                    if ordinal in (0, width - 1):
                        style = "Wheelchair"
                    elif ordinal in (1, width - 2):
                        style = "Companion"
                if sofa_row:
                    style, group = "Sofa", f"R{r}S{ordinal // 2 + 1}"
                seats.append(
                    LayoutSeat(
                        area=area_no,
                        row=r,
                        col=col,
                        ordinal=ordinal,
                        number=width - ordinal,
                        style=style,
                        group=group,
                        broken=(r, col) == broken_at,
                        house=flavour.house_seats
                        and area_no == 1
                        and k == n_rows - 1
                        and ordinal in (half - 2, half - 1),
                    )
                )
            rows.append(LayoutRow(index=r, letter=letters[r], seats=tuple(seats)))
            row_index += 1
        areas.append(LayoutArea(number=area_no, category=category, rows=tuple(rows)))
    return Layout(key=f"{flavour.system}-{variant}", areas=tuple(areas))


# --------------------------------------------------------------------------------------- catalog
def _mix(*values: int) -> int:
    """A small deterministic hash of integers (splitmix64 steps); stable across processes."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (v & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h


@dataclass(frozen=True)
class Cinema:
    id: str
    index: int
    name: str
    city: City
    screens: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.city.tz)


@dataclass(frozen=True)
class Screen:
    number: int
    name: str
    formats: tuple[str, ...]
    layout: Layout


@dataclass(frozen=True)
class Price:
    ticket_type: TicketType
    category: Category
    minor: int


@dataclass(frozen=True)
class Session:
    cinema: Cinema
    number: int  # the cinema-scoped session number (restline/soapbox SessionId)
    screen: int
    day: int
    slot: int
    film: Film
    start: datetime  # aware, in the cinema's zone
    end: datetime
    language: str
    format: str
    prices: tuple[Price, ...]
    revision: int = 0  # how many times the POS re-issued this show under a new id

    @property
    def key(self) -> tuple[str, int]:
        return (self.cinema.id, self.number)


@dataclass
class Order:
    order_id: str
    key: str | None  # idempotency key (UserSessionId / RequestId)
    cinema_id: str
    session_no: int
    seats: tuple[SeatPos, ...]
    expires_at: datetime
    state: str = "held"  # held, completed, cancelled, expired
    booking_ref: str | None = None
    booking_number: str | None = None
    payment_minor: int | None = None


@dataclass(frozen=True)
class SeatEvent:
    seq: int
    cinema_id: str
    session_no: int
    pos: SeatPos
    status: SeatStatus
    at: datetime
    source: str  # boxoffice, order, expiry


Listener = Callable[[list[SeatEvent]], None]


@dataclass(frozen=True)
class CatalogSize:
    cinemas: int = 2
    screens: int = 2  # per cinema
    shows_per_day: int = 4
    days: int = 7


@dataclass
class State:
    """One POS's world. See the module docstring."""

    system: str
    seed: int = 1
    size: CatalogSize = field(default_factory=CatalogSize)
    start_date: date | None = None
    clock: SimClock = field(default_factory=SimClock)

    def __post_init__(self) -> None:
        self.flavour: Flavour = FLAVOURS[self.system]
        if self.start_date is None:
            home = ZoneInfo(self.flavour.cities[0].tz)
            self.start_date = self.clock.now().astimezone(home).date()
        self.lock = threading.RLock()
        self.layouts = [build_layout(self.flavour, v) for v in range(LAYOUT_VARIANTS)]
        self.cinemas: list[Cinema] = [self._make_cinema(i) for i in range(self.size.cinemas)]
        self._cinema_by_id = {c.id: c for c in self.cinemas}
        self._interval = (
            180
            if self.size.shows_per_day <= 5
            else max(45, (17 * 60 // self.size.shows_per_day) // 5 * 5)
        )
        fitting = [f for f in self.flavour.films if f.runtime <= self._interval - 15]
        self._slot_films = fitting or list(self.flavour.films)
        self._price_cache: dict[tuple[str, bool], tuple[Price, ...]] = {}
        # inventory: (cinema id, session no) -> {seat: (status, owner)}; only changed seats
        self._inventory: dict[tuple[str, int], dict[SeatPos, tuple[SeatStatus, str]]] = {}
        self._orders: dict[str, Order] = {}
        self._orders_by_key: dict[str, str] = {}
        self._expiry_heap: list[tuple[datetime, str]] = []
        self._order_counter = itertools.count(17)
        self._booking_counter = itertools.count(42)
        self._seq = 0
        self.events: deque[SeatEvent] = deque(maxlen=200_000)
        self._listeners: list[Listener] = []
        # Schedule changes made at the POS's back office. Keys use the procedural number a
        # session was born with: (cinema id, base number) -> (current number, revision).
        self._renumbered: dict[tuple[str, int], tuple[int, int]] = {}
        self._base_of: dict[tuple[str, int], int] = {}  # (cinema id, current no) -> base no
        self._cancelled: set[tuple[str, int]] = set()  # (cinema id, base number)
        self._next_number = itertools.count(
            self.flavour.first_session_no
            + self.size.days * self.size.screens * self.size.shows_per_day
            + 1000
        )

    # ----------------------------------------------------------------------------- catalog
    def _make_cinema(self, i: int) -> Cinema:
        cities = self.flavour.cities
        city = cities[i % len(cities)]
        venue = city.venue_names[(i // len(cities)) % len(city.venue_names)]
        round_no = i // (len(cities) * len(city.venue_names))
        brand = self.system.capitalize()
        name = f"{brand} {venue}" + (f" {round_no + 1}" if round_no else "")
        return Cinema(
            id=self.flavour.cinema_id(i), index=i, name=name, city=city, screens=self.size.screens
        )

    def cinema(self, cinema_id: str) -> Cinema:
        try:
            return self._cinema_by_id[cinema_id]
        except KeyError:
            raise InvalidRequest(f"unknown cinema {cinema_id!r}") from None

    def screen(self, cinema: Cinema, number: int) -> Screen:
        if not 1 <= number <= cinema.screens:
            raise InvalidRequest(f"unknown screen {number} at cinema {cinema.id}")
        layout = self.layouts[_mix(self.seed, cinema.index, number) % LAYOUT_VARIANTS]
        formats = ("2D", "3D") if number % 3 == 1 else ("2D",)
        label = {"restline": "Audi", "soapbox": "Screen", "reelfeed": "Saal"}[self.system]
        return Screen(number=number, name=f"{label} {number}", formats=formats, layout=layout)

    def screens(self, cinema: Cinema) -> list[Screen]:
        return [self.screen(cinema, n) for n in range(1, cinema.screens + 1)]

    def film(self, code: str) -> Film:
        for f in self.flavour.films:
            if f.code == code:
                return f
        raise InvalidRequest(f"unknown film {code!r}")

    def _prices(self, cinema: Cinema, evening: bool) -> tuple[Price, ...]:
        key = (cinema.city.currency, evening)
        cached = self._price_cache.get(key)
        if cached is None:
            factor = self.flavour.currency_factor.get(cinema.city.currency, 1.0)
            out = []
            for tt in self.flavour.ticket_types:
                for cat in self.flavour.categories:
                    minor = cat.base_minor * factor * tt.percent / 100 * (1.1 if evening else 1)
                    out.append(Price(tt, cat, int(round(minor / 50)) * 50))
            cached = self._price_cache[key] = tuple(out)
        return cached

    def session_number(self, screen: int, day: int, slot: int) -> int:
        return self.flavour.first_session_no + (
            (day * self.size.screens + screen - 1) * self.size.shows_per_day + slot
        )

    def _session(self, cinema: Cinema, screen: int, day: int, slot: int) -> Session:
        seed = self.seed
        film = self._slot_films[
            _mix(seed, cinema.index, screen, day, slot // 2) % len(self._slot_films)
        ]
        assert self.start_date is not None
        start = datetime.combine(self.start_date + timedelta(days=day), time(9, 0)) + timedelta(
            minutes=slot * self._interval
        )
        start = start.replace(tzinfo=cinema.tz)
        end = start + timedelta(minutes=film.runtime + 15)  # trailers before the film
        language = film.original_language
        dub = [t for t in film.titles if t.split("-")[0] == cinema.city.language]
        if dub and dub[0] != film.original_language and slot % 2:
            language = cinema.city.language
        fmt = "3D" if film.three_d and screen % 3 == 1 and slot % 2 == 0 else "2D"
        number, revision = self.session_number(screen, day, slot), 0
        if self._renumbered:
            number, revision = self._renumbered.get((cinema.id, number), (number, 0))
        return Session(
            cinema=cinema,
            number=number,
            screen=screen,
            day=day,
            slot=slot,
            film=film,
            start=start,
            end=end,
            language=language,
            format=fmt,
            prices=self._prices(cinema, start.hour >= 18),
            revision=revision,
        )

    def _live(self, cinema: Cinema, screen: int, day: int, slot: int) -> bool:
        return (
            not self._cancelled
            or (cinema.id, self.session_number(screen, day, slot)) not in self._cancelled
        )

    def session(self, cinema_id: str, number: int) -> Session:
        cinema = self.cinema(cinema_id)
        base = self._base_of.get((cinema_id, number), number)
        if (base == number and (cinema_id, number) in self._renumbered) or (
            cinema_id,
            base,
        ) in self._cancelled:
            # Re-issued under another id, or cancelled: the old id is gone.
            raise UnknownSession(f"unknown session {number} at cinema {cinema_id}")
        number = base
        k = number - self.flavour.first_session_no
        spd, screens = self.size.shows_per_day, self.size.screens
        if k < 0 or k >= self.size.days * screens * spd:
            raise UnknownSession(f"unknown session {number} at cinema {cinema_id}")
        slot, k = k % spd, k // spd
        return self._session(cinema, k % screens + 1, k // screens, slot)

    def session_at(self, cinema_id: str, screen: int, local_start: datetime) -> Session:
        """The session that starts on `screen` at the naive local time `local_start`."""
        cinema = self.cinema(cinema_id)
        assert self.start_date is not None
        day = (local_start.date() - self.start_date).days
        minutes = (local_start.hour - 9) * 60 + local_start.minute
        slot, rest = divmod(minutes, self._interval)
        if (
            rest
            or not 0 <= day < self.size.days
            or not 0 <= slot < self.size.shows_per_day
            or not 1 <= screen <= cinema.screens
        ):
            raise UnknownSession(f"no session at {local_start:%Y-%m-%d %H:%M} on screen {screen}")
        if not self._live(cinema, screen, day, slot):
            raise UnknownSession(
                f"the session at {local_start:%Y-%m-%d %H:%M} on screen {screen} was cancelled"
            )
        return self._session(cinema, screen, day, slot)

    def sessions(self, cinema: Cinema, days: Iterable[int] | None = None) -> Iterator[Session]:
        """Sessions of a cinema in (day, screen, slot) order, computed lazily."""
        for day in range(self.size.days) if days is None else days:
            if not 0 <= day < self.size.days:
                continue
            for screen in range(1, cinema.screens + 1):
                for slot in range(self.size.shows_per_day):
                    if self._live(cinema, screen, day, slot):
                        yield self._session(cinema, screen, day, slot)

    def session_count(self, cinemas: Sequence[Cinema]) -> int:
        """How many sessions `sessions()` yields for these cinemas (cancelled ones excluded)."""
        ids = {c.id for c in cinemas}
        size = self.size
        return sum(c.screens for c in cinemas) * size.shows_per_day * size.days - sum(
            1 for cinema_id, _ in self._cancelled if cinema_id in ids
        )

    # ----------------------------------------------------------------------------- back office
    def reschedule(self, cinema_id: str, number: int) -> Session:
        """Re-issue a session under a new number: the same screen, film and start; the old
        number disappears from the schedule. Its seats and orders move with it."""
        with self.lock:
            old = self.session(cinema_id, number)
            base = self._base_of.pop((cinema_id, old.number), old.number)
            new_no = next(self._next_number)
            self._renumbered[(cinema_id, base)] = (new_no, old.revision + 1)
            self._base_of[(cinema_id, new_no)] = base
            seats = self._inventory.pop(old.key, None)
            if seats is not None:
                self._inventory[(cinema_id, new_no)] = seats
            for order in self._orders.values():
                if order.cinema_id == cinema_id and order.session_no == old.number:
                    order.session_no = new_no
            return self.session(cinema_id, new_no)

    def cancel_session(self, cinema_id: str, number: int) -> Session:
        """The theatre cancels a session: it disappears from the schedule (and every call
        naming it answers unknown session). Returns the session as it was."""
        with self.lock:
            session = self.session(cinema_id, number)
            base = self._base_of.get((cinema_id, session.number), session.number)
            self._cancelled.add((cinema_id, base))
            return session

    def day_index(self, local_day: date) -> int:
        assert self.start_date is not None
        return (local_day - self.start_date).days

    # ----------------------------------------------------------------------------- listeners
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, events: list[SeatEvent]) -> None:
        if events:
            for listener in list(self._listeners):
                listener(events)

    # ----------------------------------------------------------------------------- inventory
    def _layout_seat(self, session: Session, pos: SeatPos) -> LayoutSeat:
        layout = self.screen(session.cinema, session.screen).layout
        seat = layout.seats.get(tuple(pos))  # type: ignore[arg-type]
        if seat is None:
            raise InvalidRequest(f"no seat {pos} in screen {session.screen}")
        return seat

    def _status(self, session: Session, seat: LayoutSeat) -> tuple[SeatStatus, str | None]:
        changed = self._inventory.get(session.key)
        if changed and seat.pos in changed:
            return changed[seat.pos]
        return seat.base_status, None

    def _set(
        self,
        session: Session,
        seat: LayoutSeat,
        status: SeatStatus,
        owner: str | None,
        source: str,
        out: list[SeatEvent],
    ) -> None:
        inv = self._inventory.setdefault(session.key, {})
        if status == seat.base_status:
            inv.pop(seat.pos, None)
        else:
            inv[seat.pos] = (status, owner or "")
        self._seq += 1
        ev = SeatEvent(
            self._seq, session.cinema.id, session.number, seat.pos, status, self.clock.now(), source
        )
        self.events.append(ev)
        out.append(ev)

    def seat_status(self, cinema_id: str, session_no: int, pos: SeatPos) -> SeatStatus:
        with self.lock:
            self._expire_due_locked([])
            session = self.session(cinema_id, session_no)
            return self._status(session, self._layout_seat(session, pos))[0]

    def seat_plan(self, cinema_id: str, session_no: int) -> list[tuple[LayoutSeat, SeatStatus]]:
        """Every seat of the session with its status, in layout order."""
        events: list[SeatEvent] = []
        with self.lock:
            self._expire_due_locked(events)
            session = self.session(cinema_id, session_no)
            layout = self.screen(session.cinema, session.screen).layout
            changed = self._inventory.get(session.key) or {}
            plan = [
                (s, changed[s.pos][0] if s.pos in changed else s.base_status)
                for a in layout.areas
                for r in a.rows
                for s in r.seats
            ]
        self._notify(events)
        return plan

    def events_since(self, seq: int, limit: int = 1000) -> list[SeatEvent]:
        events: list[SeatEvent] = []
        with self.lock:
            self._expire_due_locked(events)
            out = [e for e in self.events if e.seq > seq][:limit]
        self._notify(events)
        return out

    @property
    def last_seq(self) -> int:
        return self._seq

    def _resolve(
        self, cinema_id: str, session_no: int, seats: Sequence[SeatPos]
    ) -> tuple[Session, list[LayoutSeat]]:
        session = self.session(cinema_id, session_no)
        if not seats:
            raise InvalidRequest("no seats given")
        if len(seats) > 50:
            raise InvalidRequest("too many seats (at most 50)")
        resolved = []
        for pos in seats:
            seat = self._layout_seat(session, pos)
            if seat not in resolved:
                resolved.append(seat)
        return session, resolved

    # ----------------------------------------------------------------------------- orders
    def order(self, order_id: str) -> Order:
        events: list[SeatEvent] = []
        with self.lock:
            self._expire_due_locked(events)
            order = self._orders.get(order_id)
        self._notify(events)
        if order is None:
            raise OrderNotFound(f"order {order_id!r} not found")
        return order

    def order_by_key(self, key: str) -> Order | None:
        with self.lock:
            oid = self._orders_by_key.get(key)
            return self._orders.get(oid) if oid else None

    def hold(
        self,
        cinema_id: str,
        session_no: int,
        seats: Sequence[SeatPos],
        hold_seconds: float,
        key: str | None = None,
        order_id: str | None = None,
    ) -> Order:
        """Hold seats for an online order: all or none. The same `key` returns the same order.
        Raises SeatsUnavailable naming the seats that are not free."""
        events: list[SeatEvent] = []
        try:
            with self.lock:
                self._expire_due_locked(events)
                if key is not None and key in self._orders_by_key:
                    return self._orders[self._orders_by_key[key]]
                if not 0 < hold_seconds <= 3600:
                    raise InvalidRequest("hold time must be between 1 second and 60 minutes")
                session, resolved = self._resolve(cinema_id, session_no, seats)
                unavailable = [
                    s.pos for s in resolved if self._status(session, s)[0] != SeatStatus.FREE
                ]
                if unavailable:
                    raise SeatsUnavailable(unavailable)
                if order_id is None:
                    order_id = f"ORD-{next(self._order_counter):06d}"
                elif order_id in self._orders:
                    raise InvalidRequest(f"order {order_id!r} exists already")
                order = Order(
                    order_id=order_id,
                    key=key,
                    cinema_id=cinema_id,
                    session_no=session_no,
                    seats=tuple(s.pos for s in resolved),
                    expires_at=self.clock.now() + timedelta(seconds=hold_seconds),
                )
                for s in resolved:
                    self._set(session, s, SeatStatus.HELD, order_id, "order", events)
                self._orders[order_id] = order
                if key is not None:
                    self._orders_by_key[key] = order_id
                heapq.heappush(self._expiry_heap, (order.expires_at, order_id))
                return order
        finally:
            self._notify(events)

    def complete(
        self, order_id: str, booking_ref: str | None = None, payment_minor: int | None = None
    ) -> Order:
        """Sell a held order's seats. Completing a completed order again is a no-op."""
        events: list[SeatEvent] = []
        try:
            with self.lock:
                self._expire_due_locked(events)
                order = self._orders.get(order_id)
                if order is None:
                    raise OrderNotFound(f"order {order_id!r} not found")
                if order.state == "completed":
                    return order
                if order.state == "expired":
                    raise OrderExpired(f"order {order_id} expired at {order.expires_at:%H:%M:%S}Z")
                if order.state == "cancelled":
                    raise InvalidRequest(f"order {order_id} was cancelled")
                session = self.session(order.cinema_id, order.session_no)
                seats = [self._layout_seat(session, p) for p in order.seats]
                lost = [
                    s.pos for s in seats if self._status(session, s) != (SeatStatus.HELD, order_id)
                ]
                if lost:  # the box office forced a sale over the hold
                    raise SeatsUnavailable(lost)
                for s in seats:
                    self._set(session, s, SeatStatus.SOLD, order_id, "order", events)
                order.state = "completed"
                order.booking_ref = booking_ref
                order.payment_minor = payment_minor
                order.booking_number = f"RB-{next(self._booking_counter):05d}"
                return order
        finally:
            self._notify(events)

    def cancel(self, order_id: str) -> Order:
        """Release a hold or refund a completed order. Cancelling twice is a no-op."""
        events: list[SeatEvent] = []
        try:
            with self.lock:
                self._expire_due_locked(events)
                order = self._orders.get(order_id)
                if order is None:
                    raise OrderNotFound(f"order {order_id!r} not found")
                if order.state in ("held", "completed"):
                    self._free_order_seats(order, "order", events)
                    order.state = "cancelled"
                return order
        finally:
            self._notify(events)

    def _free_order_seats(self, order: Order, source: str, events: list[SeatEvent]) -> None:
        session = self.session(order.cinema_id, order.session_no)
        for pos in order.seats:
            seat = self._layout_seat(session, pos)
            status, owner = self._status(session, seat)
            if owner == order.order_id:
                self._set(session, seat, seat.base_status, None, source, events)

    def _expire_due_locked(self, events: list[SeatEvent]) -> None:
        now = self.clock.now()
        heap = self._expiry_heap
        while heap and heap[0][0] <= now:
            _, order_id = heapq.heappop(heap)
            order = self._orders.get(order_id)
            if order is not None and order.state == "held" and order.expires_at <= now:
                self._free_order_seats(order, "expiry", events)
                order.state = "expired"

    def expire_due(self) -> None:
        """Release holds whose time is up (also done lazily by every other call)."""
        events: list[SeatEvent] = []
        with self.lock:
            self._expire_due_locked(events)
        self._notify(events)

    # ----------------------------------------------------------------------------- box office
    def box_office_sell(
        self, cinema_id: str, session_no: int, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        """A cashier sells seats: all or none. Only free (or house) seats, unless `force`, which
        sells over holds and online sales to create the drift reconciliation must repair."""
        return self._box_office(cinema_id, session_no, seats, SeatStatus.SOLD, force)

    def box_office_reserve(
        self, cinema_id: str, session_no: int, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        """A cashier reserves free seats for a customer who pays at the counter: held by the
        box office with no expiry, until released or sold there."""
        return self._box_office(cinema_id, session_no, seats, SeatStatus.HELD, force)

    def box_office_release(
        self, cinema_id: str, session_no: int, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        """A cashier refunds seats sold at the box office (any seat with `force`)."""
        return self._box_office(cinema_id, session_no, seats, SeatStatus.FREE, force)

    def _box_office(
        self,
        cinema_id: str,
        session_no: int,
        seats: Sequence[SeatPos],
        target: SeatStatus,
        force: bool,
    ) -> list[SeatEvent]:
        events: list[SeatEvent] = []
        try:
            with self.lock:
                self._expire_due_locked(events)
                session, resolved = self._resolve(cinema_id, session_no, seats)
                refused = []
                for s in resolved:
                    status, owner = self._status(session, s)
                    if force:
                        continue
                    if target in (SeatStatus.SOLD, SeatStatus.HELD) and status not in (
                        SeatStatus.FREE,
                        SeatStatus.HOUSE,
                    ):
                        refused.append(s.pos)
                    if target == SeatStatus.FREE and owner != BOX_OFFICE:
                        refused.append(s.pos)
                if refused:
                    raise SeatsUnavailable(refused)
                mark = len(events)
                for s in resolved:
                    if target == SeatStatus.FREE:
                        self._set(session, s, s.base_status, None, "boxoffice", events)
                    else:
                        self._set(session, s, target, BOX_OFFICE, "boxoffice", events)
                return events[mark:]
        finally:
            self._notify(events)
