"""A small, realistic sample theatre (for the demo seed and for tests).

Screen layout (area 0, row 0 nearest the screen):
    rows A..(n-2): "standard", `per_row` seats, columns 0..per_row-1
      row A: column 0 is a wheelchair space, column 1 its companion seat
    last row: "premium" sofas, two seats per sofa (group "sofa-<n>")
Seat ids are "<row letter><column + 1>" (A1, A2, ...), which is also the label.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from canonical.catalog import (
    GridPosition,
    Seat,
    SeatArea,
    SeatFlag,
    SeatLayout,
    SeatRow,
    Show,
    Theatre,
    TheatreRules,
    TicketType,
)
from canonical.money import Money

ROWS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def sample_layout(
    layout_id: str = "lay_sample",
    screen_id: str = "scr_sample",
    *,
    rows: int = 5,
    per_row: int = 10,
    sofas: bool = True,
) -> SeatLayout:
    seat_rows = []
    for r in range(rows):
        name = ROWS[r]
        is_sofa_row = sofas and r == rows - 1
        seats = []
        for c in range(per_row):
            flags: frozenset[SeatFlag] = frozenset()
            if r == 0 and c == 0:
                flags = frozenset({SeatFlag.WHEELCHAIR})
            elif r == 0 and c == 1:
                flags = frozenset({SeatFlag.COMPANION})
            seats.append(
                Seat(
                    id=f"{name}{c + 1}",
                    label=f"{name}{c + 1}",
                    position=GridPosition(area=0, row=r, column=c),
                    category="premium" if is_sofa_row else "standard",
                    flags=flags,
                    group=f"sofa-{c // 2 + 1}" if is_sofa_row and per_row % 2 == 0 else None,
                )
            )
        seat_rows.append(SeatRow(name=name, index=r, seats=tuple(seats)))
    return SeatLayout(
        id=layout_id,
        screen_id=screen_id,
        areas=(SeatArea(number=0, name="Main", rows=tuple(seat_rows)),),
    )


def sample_theatre(
    theatre_id: str = "thr_sample",
    *,
    rules: TheatreRules | None = None,
    connector_id: str | None = None,
) -> Theatre:
    return Theatre(
        id=theatre_id,
        name="Sample Cinema",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        rules=rules or TheatreRules(),
        connector_id=connector_id,
    )


def sample_show(
    show_id: str = "shw_sample",
    *,
    start: datetime,
    theatre_id: str = "thr_sample",
    screen_id: str = "scr_sample",
    sales_cutoff_minutes: int = 0,
    booking_fee: Money | None = None,
) -> Show:
    return Show.scheduled(
        tz="Asia/Kolkata",
        id=show_id,
        movie_id="mov_sample",
        theatre_id=theatre_id,
        screen_id=screen_id,
        start=start,
        end=start + timedelta(hours=2, minutes=30),
        language="ta",
        sales_cutoff_minutes=sales_cutoff_minutes,
        booking_fee=booking_fee,
        ticket_types=(
            TicketType(
                code="ADULT",
                name="Adult",
                category="standard",
                price=Money(amount=25000, currency="INR"),
            ),
            TicketType(
                code="CHILD",
                name="Child",
                category="standard",
                price=Money(amount=15000, currency="INR"),
            ),
            TicketType(
                code="ADULT",
                name="Adult",
                category="premium",
                price=Money(amount=40000, currency="INR"),
            ),
        ),
    )
