"""Build regular seat layouts (rows of seats, front row nearest the screen) from a few numbers.

Used for demo data, simulators and tests; real layouts come from a POS or a partner upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from canonical.catalog import GridPosition, Seat, SeatArea, SeatFlag, SeatLayout, SeatRow

ROW_LETTERS = [c for c in "ABCDEFGHJKLMNPQRSTUVWXYZ"]  # I and O look like 1 and 0


@dataclass(frozen=True)
class RowSpec:
    seats: int
    category: str = "standard"
    wheelchair: Sequence[int] = ()  # column indexes
    companion: Sequence[int] = ()
    sofas: int = 0  # number of 2-seat sofas from the left edge
    blocked: Sequence[int] = ()


@dataclass(frozen=True)
class LayoutSpec:
    rows: Sequence[RowSpec] = field(default_factory=list)


def row_letter(index: int) -> str:
    if index < len(ROW_LETTERS):
        return ROW_LETTERS[index]
    return ROW_LETTERS[index // len(ROW_LETTERS) - 1] + ROW_LETTERS[index % len(ROW_LETTERS)]


def build_layout(layout_id: str, screen_id: str, spec: LayoutSpec) -> SeatLayout:
    rows = []
    for r, row in enumerate(spec.rows):
        letter = row_letter(r)
        seats = []
        for c in range(row.seats):
            flags = set()
            if c in row.wheelchair:
                flags.add(SeatFlag.WHEELCHAIR)
            if c in row.companion:
                flags.add(SeatFlag.COMPANION)
            if c in row.blocked:
                flags.add(SeatFlag.BLOCKED)
            group = f"{letter}-sofa-{c // 2 + 1}" if c < row.sofas * 2 else None
            seats.append(
                Seat(
                    id=f"{letter}{c + 1}",
                    label=f"{letter}{c + 1}",
                    position=GridPosition(area=0, row=r, column=c),
                    category=row.category,
                    flags=frozenset(flags),
                    group=group,
                )
            )
        rows.append(SeatRow(name=letter, index=r, seats=tuple(seats)))
    return SeatLayout(
        id=layout_id,
        screen_id=screen_id,
        areas=(SeatArea(number=0, name="Main", rows=tuple(rows)),),
    )


def standard_layout(
    layout_id: str, screen_id: str, rows: int = 12, seats_per_row: int = 16
) -> SeatLayout:
    """Front rows standard, back rows premium, a recliner row with sofas at the very back,
    wheelchair spaces with companions on the first row's aisle ends."""
    specs = []
    for r in range(rows):
        if r == rows - 1:
            specs.append(
                RowSpec(seats=seats_per_row, category="recliner", sofas=seats_per_row // 2)
            )
        elif r >= rows * 2 // 3:
            specs.append(RowSpec(seats=seats_per_row, category="premium"))
        elif r == 0:
            specs.append(
                RowSpec(
                    seats=seats_per_row,
                    wheelchair=(0, seats_per_row - 1),
                    companion=(1, seats_per_row - 2),
                )
            )
        else:
            specs.append(RowSpec(seats=seats_per_row))
    return build_layout(layout_id, screen_id, LayoutSpec(rows=specs))
