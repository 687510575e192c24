"""Seat-selection rules and best-available search. Pure functions over a layout and seat states.

These are advisory checks made on a snapshot of the seat states: they decide whether a request is
*acceptable*. Whether the seats are *still free* is decided atomically by the database when they
are taken (SeatInventory.take), never here.

`states` maps seat ids to their status; a seat missing from it is available (inventory is created
lazily, and the SQL store lists only the seats that are not free).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from booking.bounded import BoundedDict
from booking.errors import (
    CompanionWithoutWheelchair,
    OrphanSeat,
    SeatGroupIncomplete,
    SeatsUnavailable,
    TooManySeats,
    UnknownSeat,
)
from canonical.catalog import Seat, SeatFlag, SeatLayout, TheatreRules
from canonical.inventory import SeatStatus

NOT_FOR_SALE = frozenset({SeatFlag.BLOCKED, SeatFlag.HOUSE})
# Wheelchair spaces and their companion seats are chosen by people who need them, never handed
# out by best-available.
NOT_FOR_BEST = frozenset({SeatFlag.WHEELCHAIR, SeatFlag.COMPANION})
AVAILABLE = SeatStatus.AVAILABLE


@dataclass(frozen=True)
class RowSeats:
    """The seats of one row, in column order. Adjacent means consecutive column numbers: a gap
    in the columns is an aisle."""

    area: int
    row: int
    seats: tuple[Seat, ...]

    def neighbours(self, index: int) -> tuple[Seat | None, Seat | None]:
        seat = self.seats[index]
        left = self.seats[index - 1] if index > 0 else None
        right = self.seats[index + 1] if index + 1 < len(self.seats) else None
        if left is not None and left.position.column != seat.position.column - 1:
            left = None
        if right is not None and right.position.column != seat.position.column + 1:
            right = None
        return left, right


@dataclass(frozen=True)
class AreaPlan:
    number: int
    rows: tuple[RowSeats, ...]
    centre: float  # the screen's centre line, in columns
    ideal_row: float  # two thirds of the way back: the rows audiences pick first


@dataclass(frozen=True)
class SeatingPlan:
    """What the rules need from a layout, worked out once per layout object: a hot sale checks
    the same layout thousands of times a minute, and the layout is immutable."""

    layout: SeatLayout
    by_id: dict[str, Seat]
    rows: tuple[RowSeats, ...]
    row_of: dict[str, RowSeats]
    index_in_row: dict[str, int]
    areas: tuple[AreaPlan, ...]
    group_members: dict[str, tuple[str, ...]]
    not_for_sale: frozenset[str]
    not_for_best: frozenset[str]
    # (seat, row name, sorted flag values) in layout order: what a seat map prints per seat.
    listing: tuple[tuple[Seat, str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, layout: SeatLayout) -> SeatingPlan:
        grouped: dict[tuple[int, int], list[Seat]] = {}
        members: dict[str, list[str]] = {}
        for seat in layout.seats():
            grouped.setdefault((seat.position.area, seat.position.row), []).append(seat)
            if seat.group:
                members.setdefault(seat.group, []).append(seat.id)
        rows = tuple(
            RowSeats(area, row, tuple(sorted(seats, key=lambda s: s.position.column)))
            for (area, row), seats in sorted(grouped.items())
        )
        by_area: dict[int, list[RowSeats]] = {}
        for row in rows:
            by_area.setdefault(row.area, []).append(row)
        areas = []
        for number, area_rows in by_area.items():
            columns = [s.position.column for r in area_rows for s in r.seats]
            numbers = sorted(r.row for r in area_rows)
            areas.append(
                AreaPlan(
                    number,
                    tuple(area_rows),
                    (min(columns) + max(columns)) / 2,
                    numbers[0] + (numbers[-1] - numbers[0]) * 2 / 3,
                )
            )
        seats = layout.seats()
        return cls(
            layout=layout,
            by_id={s.id: s for s in seats},
            rows=rows,
            row_of={s.id: row for row in rows for s in row.seats},
            index_in_row={s.id: i for row in rows for i, s in enumerate(row.seats)},
            areas=tuple(areas),
            group_members={g: tuple(ids) for g, ids in members.items()},
            not_for_sale=frozenset(s.id for s in seats if s.flags & NOT_FOR_SALE),
            not_for_best=frozenset(s.id for s in seats if s.flags & NOT_FOR_BEST),
            listing=tuple(
                (seat, row.name, tuple(sorted(f.value for f in seat.flags)))
                for area in layout.areas
                for row in area.rows
                for seat in row.seats
            ),
        )

    def status(self, seat_id: str, states: Mapping[str, SeatStatus]) -> SeatStatus:
        if seat_id in self.not_for_sale:
            return SeatStatus.BLOCKED
        return states.get(seat_id, AVAILABLE)

    def free(self, seat_id: str, states: Mapping[str, SeatStatus]) -> bool:
        if seat_id in self.not_for_sale:
            return False
        return states.get(seat_id, AVAILABLE) == AVAILABLE


_PLAN_CACHE_SIZE = 512
_plans: BoundedDict[int, SeatingPlan] = BoundedDict(_PLAN_CACHE_SIZE)


def plan_for(layout: SeatLayout) -> SeatingPlan:
    """The layout's plan, cached by object identity (the store's layout cache hands out the same
    object while the layout is unchanged; the plan keeps it alive, so the id is not reused)."""
    plan = _plans.get(id(layout))
    if plan is not None and plan.layout is layout:
        return plan
    return _plans.put(id(layout), SeatingPlan.of(layout))


def seats_to_check(layout: SeatLayout, seat_ids: list[str], rules: TheatreRules) -> set[str]:
    """The seats whose state `check_selection` reads: the chosen ones, and with the no-orphan
    rule every seat in their rows."""
    needed = set(seat_ids)
    if rules.no_orphan_seats:
        row_of = plan_for(layout).row_of
        for sid in seat_ids:
            row = row_of.get(sid)
            if row is not None:
                needed.update(s.id for s in row.seats)
    return needed


def check_count(count: int, rules: TheatreRules) -> None:
    """More seats than one hold may have is a bad request whatever the seat map looks like."""
    if count > rules.max_seats_per_hold:
        raise TooManySeats(count, rules.max_seats_per_hold)


def check_selection(
    layout: SeatLayout, seat_ids: list[str], states: Mapping[str, SeatStatus], rules: TheatreRules
) -> list[Seat]:
    """Validate a customer's chosen seats against the theatre's rules; returns the seats."""
    plan = plan_for(layout)
    unknown = [s for s in seat_ids if s not in plan.by_id]
    if unknown:
        raise UnknownSeat(unknown)
    if len(seat_ids) > rules.max_seats_per_hold:
        raise TooManySeats(len(seat_ids), rules.max_seats_per_hold)
    seats = [plan.by_id[s] for s in seat_ids]
    taken = [s for s in seat_ids if not plan.free(s, states)]
    if taken:
        raise SeatsUnavailable(taken)
    chosen = set(seat_ids)
    # Sofa groups sell together.
    missing = sorted(
        {m for s in seats if s.group for m in plan.group_members[s.group] if m not in chosen}
    )
    if missing:
        raise SeatGroupIncomplete(missing)
    # A companion seat is for someone accompanying a wheelchair user in the same party.
    if rules.companion_requires_wheelchair:
        companions = [s.id for s in seats if SeatFlag.COMPANION in s.flags]
        if companions and not any(SeatFlag.WHEELCHAIR in s.flags for s in seats):
            raise CompanionWithoutWheelchair(companions)
    if rules.no_orphan_seats:
        orphans = orphans_left(layout, chosen, states)
        if orphans:
            raise OrphanSeat(orphans)
    return seats


def orphans_left(
    layout: SeatLayout,
    chosen: set[str],
    states: Mapping[str, SeatStatus],
    rows: Iterable[RowSeats] | None = None,
) -> list[str]:
    """Single free seats that taking `chosen` would strand between taken seats, aisles or walls.
    Only seats next to the new selection count: an orphan that already exists is not the
    customer's doing."""
    plan = plan_for(layout)

    def free(seat: Seat | None) -> bool:
        return seat is not None and seat.id not in chosen and plan.free(seat.id, states)

    if rows is None:
        rows = list({id(r): r for s in chosen if (r := plan.row_of.get(s))}.values())
    result: list[str] = []
    for row in rows:
        if not any(s.id in chosen for s in row.seats):
            continue
        for i, seat in enumerate(row.seats):
            if not free(seat):
                continue
            left, right = row.neighbours(i)
            if free(left) or free(right):
                continue
            if any(n is not None and n.id in chosen for n in (left, right)):
                result.append(seat.id)
    return result


def best_available(
    layout: SeatLayout,
    count: int,
    states: Mapping[str, SeatStatus],
    category: str | None = None,
    *,
    exclude: Iterable[str] = (),
) -> list[str] | None:
    """N adjacent free seats in one row, closest to the screen's centre line, avoiding single
    orphans; None if no row has N together.

    Ranking, best first: windows that strand no single seat, then the smallest horizontal distance
    from the centre line of the area, then the row closest to two thirds of the way back (the
    rows audiences pick first), then front to back. Wheelchair and companion spaces are never
    handed out by best-available; a sofa is only offered whole.
    """
    if count < 1:
        return None
    plan = plan_for(layout)
    # A sold-out house is the common case in a rush: count before searching.
    sellable = len(plan.by_id) - len(plan.not_for_sale)
    gone = sum(
        1
        for sid, status in states.items()
        if status != AVAILABLE and sid in plan.by_id and sid not in plan.not_for_sale
    )
    if sellable - gone < count:
        return None
    excluded = set(exclude)

    def usable(seat: Seat) -> bool:
        return (
            seat.id not in excluded
            and seat.id not in plan.not_for_best
            and (category is None or seat.category == category)
            and plan.free(seat.id, states)
        )

    def stranded(seat: Seat | None, beyond: Seat | None) -> bool:
        """`seat`, next to a chosen window, is free but has no free seat on its other side."""
        return (
            seat is not None
            and plan.free(seat.id, states)
            and (beyond is None or not plan.free(beyond.id, states))
        )

    best: tuple[tuple[float, ...], list[str]] | None = None
    for area in plan.areas:
        for row in area.rows:
            for run in _runs(row, usable):
                for start in range(0, len(run) - count + 1):
                    window = run[start : start + count]
                    if any(
                        len(plan.group_members[s.group]) != sum(w.group == s.group for w in window)
                        for s in window
                        if s.group
                    ):
                        continue  # would split a sofa
                    # Only the seats just outside a contiguous window can be stranded by it.
                    first, last = plan.index_in_row[window[0].id], plan.index_in_row[window[-1].id]
                    left, _ = row.neighbours(first)
                    _, right = row.neighbours(last)
                    orphan = (
                        left is not None and stranded(left, row.neighbours(first - 1)[0])
                    ) or (right is not None and stranded(right, row.neighbours(last + 1)[1]))
                    middle = (window[0].position.column + window[-1].position.column) / 2
                    score = (
                        float(orphan),
                        abs(middle - area.centre),
                        abs(row.row - area.ideal_row),
                        float(row.row),
                        float(area.number),
                    )
                    if best is None or score < best[0]:
                        best = (score, [s.id for s in window])
    return best[1] if best else None


def _runs(row: RowSeats, usable: Callable[[Seat], bool]) -> list[list[Seat]]:
    """Maximal stretches of usable seats with consecutive columns."""
    runs: list[list[Seat]] = []
    current: list[Seat] = []
    for seat in row.seats:
        ok = usable(seat)
        if ok and current and seat.position.column == current[-1].position.column + 1:
            current.append(seat)
        else:
            if current:
                runs.append(current)
            current = [seat] if ok else []
    if current:
        runs.append(current)
    return runs
