"""Read models of the booking side: the seat map customers see, built from a show's context
and its seat states, and the per-process cache of the last map built per show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from booking import seating
from booking.bounded import BoundedDict
from booking.show_context import ShowContext
from canonical.catalog import SeatLayout, Show, Theatre, TicketType
from canonical.inventory import SeatStatus

MAPS_KEPT = 1024  # last seat map built per show, for that many shows


@dataclass(frozen=True)
class SeatView:
    seat_id: str
    label: str
    area: int
    row: int
    column: int
    category: str
    status: SeatStatus
    flags: tuple[str, ...] = ()
    group: str | None = None
    row_name: str = ""


@dataclass(frozen=True)
class CategoryView:
    category: str
    prices: tuple[TicketType, ...]
    available: int
    total: int


@dataclass(frozen=True)
class SeatMap:
    show_id: str
    theatre_id: str
    sales_open: bool
    max_seats_per_hold: int
    categories: tuple[CategoryView, ...]
    seats: tuple[SeatView, ...]
    layout_id: str = ""

    def status(self, seat_id: str) -> SeatStatus:
        for seat in self.seats:
            if seat.seat_id == seat_id:
                return seat.status
        raise KeyError(seat_id)


@dataclass(frozen=True)
class _Built:
    show: Show
    theatre: Theatre
    layout: SeatLayout
    inputs: tuple[bool, frozenset[tuple[str, SeatStatus]]]
    seat_map: SeatMap


class SeatMaps:
    """Builds seat maps and keeps the last one per show: a map is a function of the show's
    catalog objects and seat states alone, so while none changed (same objects, same states)
    the last one built is the answer. In a sale most reads find it."""

    def __init__(self, kept: int = MAPS_KEPT) -> None:
        self._last: BoundedDict[str, _Built] = BoundedDict(kept)

    def build(self, ctx: ShowContext, states: Mapping[str, SeatStatus], now: datetime) -> SeatMap:
        show_id = ctx.show.id
        states = ctx.online_states(states)
        sales_open = ctx.window_open(now) and ctx.sells_online()
        inputs = (sales_open, frozenset(states.items()))
        last = self._last.get(show_id)
        if (
            last is not None
            and last.show is ctx.show
            and last.theatre is ctx.theatre
            and last.layout is ctx.layout
            and last.inputs == inputs
        ):
            return last.seat_map
        seats = []
        counts: dict[str, list[int]] = {}
        plan = seating.plan_for(ctx.layout)
        for seat, row_name, flags in plan.listing:
            status = plan.status(seat.id, states)
            seats.append(
                SeatView(
                    seat_id=seat.id,
                    label=seat.label,
                    area=seat.position.area,
                    row=seat.position.row,
                    column=seat.position.column,
                    category=seat.category,
                    status=status,
                    flags=flags,
                    group=seat.group,
                    row_name=row_name,
                )
            )
            c = counts.setdefault(seat.category, [0, 0])
            c[1] += 1
            c[0] += status == SeatStatus.AVAILABLE
        categories = tuple(
            CategoryView(
                category=cat,
                prices=tuple(t for t in ctx.show.ticket_types if t.category == cat),
                available=c[0],
                total=c[1],
            )
            for cat, c in sorted(counts.items())
        )
        built = SeatMap(
            show_id=show_id,
            theatre_id=ctx.theatre.id,
            sales_open=sales_open,
            max_seats_per_hold=ctx.theatre.rules.max_seats_per_hold,
            categories=categories,
            seats=tuple(seats),
            layout_id=ctx.layout.id,
        )
        self._last.put(show_id, _Built(ctx.show, ctx.theatre, ctx.layout, inputs, built))
        return built
