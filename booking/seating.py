"""Seat-selection rules and best-available search. Pure functions over a layout and seat states.

These are advisory checks made on a snapshot of the seat states: they decide whether a request is
*acceptable*. Whether the seats are *still free* is decided atomically by the database when they
are taken (SeatInventory.take), never here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from booking.errors import (
    CompanionWithoutWheelchair,
    OrphanSeat,
    SeatGroupIncomplete,
    SeatsUnavailable,
    TooManySeats,
    UnknownSeat,
)
from canonical.catalog import Seat, SeatFlag, SeatLayout, TheatreRules
from canonical.inventory import SeatState, SeatStatus

NOT_FOR_SALE = frozenset({SeatFlag.BLOCKED, SeatFlag.HOUSE})


def status_of(seat: Seat, states: Mapping[str, SeatState]) -> SeatStatus:
    if seat.flags & NOT_FOR_SALE:
        return SeatStatus.BLOCKED
    state = states.get(seat.id)
    return state.status if state else SeatStatus.AVAILABLE


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


def rows_of(layout: SeatLayout) -> list[RowSeats]:
    rows: dict[tuple[int, int], list[Seat]] = {}
    for seat in layout.seats():
        rows.setdefault((seat.position.area, seat.position.row), []).append(seat)
    return [
        RowSeats(area, row, tuple(sorted(seats, key=lambda s: s.position.column)))
        for (area, row), seats in sorted(rows.items())
    ]


def seats_to_check(layout: SeatLayout, seat_ids: list[str], rules: TheatreRules) -> set[str]:
    """The seats whose state `check_selection` reads: the chosen ones, and with the no-orphan
    rule every seat in their rows."""
    needed = set(seat_ids)
    if rules.no_orphan_seats:
        chosen_rows = {(s.position.area, s.position.row)
                       for s in layout.seats() if s.id in needed}
        needed |= {s.id for s in layout.seats()
                   if (s.position.area, s.position.row) in chosen_rows}
    return needed


def check_selection(layout: SeatLayout, seat_ids: list[str], states: Mapping[str, SeatState],
                    rules: TheatreRules) -> list[Seat]:
    """Validate a customer's chosen seats against the theatre's rules; returns the seats."""
    seat_map = layout.seat_map()
    unknown = [s for s in seat_ids if s not in seat_map]
    if unknown:
        raise UnknownSeat(unknown)
    if len(seat_ids) > rules.max_seats_per_hold:
        raise TooManySeats(len(seat_ids), rules.max_seats_per_hold)
    seats = [seat_map[s] for s in seat_ids]
    taken = [s.id for s in seats if status_of(s, states) != SeatStatus.AVAILABLE]
    if taken:
        raise SeatsUnavailable(taken)
    chosen = set(seat_ids)
    # Sofa groups sell together.
    groups = {s.group for s in seats if s.group}
    missing = sorted(s.id for s in layout.seats() if s.group in groups and s.id not in chosen)
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


def orphans_left(layout: SeatLayout, chosen: set[str], states: Mapping[str, SeatState],
                 rows: Iterable[RowSeats] | None = None) -> list[str]:
    """Single free seats that taking `chosen` would strand between taken seats, aisles or walls.
    Only seats next to the new selection count: an orphan that already exists is not the
    customer's doing."""

    def free(seat: Seat | None) -> bool:
        return seat is not None and seat.id not in chosen and \
            status_of(seat, states) == SeatStatus.AVAILABLE

    result: list[str] = []
    for row in rows if rows is not None else rows_of(layout):
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


def best_available(layout: SeatLayout, count: int, states: Mapping[str, SeatState],
                   category: str | None = None, *, exclude: Iterable[str] = ()) -> list[str] | None:
    """N adjacent free seats in one row, closest to the screen's centre line, avoiding single
    orphans; None if no row has N together.

    Ranking, best first: windows that strand no single seat, then the smallest horizontal distance
    from the centre line of the area, then the row closest to two thirds of the way back (the
    rows audiences pick first), then front to back. Wheelchair and companion spaces are never
    handed out by best-available; a sofa is only offered whole.
    """
    if count < 1:
        return None
    excluded = set(exclude)
    rows = rows_of(layout)
    by_area: dict[int, list[RowSeats]] = {}
    for row in rows:
        by_area.setdefault(row.area, []).append(row)
    group_sizes: dict[str, int] = {}
    for seat in layout.seats():
        if seat.group:
            group_sizes[seat.group] = group_sizes.get(seat.group, 0) + 1

    def usable(seat: Seat) -> bool:
        return (seat.id not in excluded
                and (category is None or seat.category == category)
                and not seat.flags & {SeatFlag.WHEELCHAIR, SeatFlag.COMPANION}
                and status_of(seat, states) == SeatStatus.AVAILABLE)

    best: tuple[tuple[float, ...], list[str]] | None = None
    for area, area_rows in by_area.items():
        columns = [s.position.column for r in area_rows for s in r.seats]
        centre = (min(columns) + max(columns)) / 2
        row_numbers = sorted(r.row for r in area_rows)
        ideal = row_numbers[0] + (row_numbers[-1] - row_numbers[0]) * 2 / 3
        for row in area_rows:
            for run in _runs(row, usable):
                for start in range(0, len(run) - count + 1):
                    window = run[start:start + count]
                    ids = [s.id for s in window]
                    groups = [s.group for s in window if s.group]
                    if any(groups.count(g) != group_sizes[g] for g in set(groups)):
                        continue  # would split a sofa
                    chosen = set(ids)
                    orphan = bool(orphans_left(layout, chosen, states, rows=[row]))
                    middle = (window[0].position.column + window[-1].position.column) / 2
                    score = (float(orphan), abs(middle - centre), abs(row.row - ideal),
                             float(row.row), float(area))
                    if best is None or score < best[0]:
                        best = (score, ids)
    return best[1] if best else None


def _runs(row: RowSeats, usable) -> list[list[Seat]]:
    """Maximal stretches of usable seats with consecutive columns."""
    runs: list[list[Seat]] = []
    current: list[Seat] = []
    for seat in row.seats:
        if usable(seat) and current and seat.position.column == current[-1].position.column + 1:
            current.append(seat)
        else:
            if current:
                runs.append(current)
            current = [seat] if usable(seat) else []
    if current:
        runs.append(current)
    return runs
