"""What customers read for a seat category. Legacy POSes name categories by codes
(`0000000001`); a theatre's partner or an admin may set a display name and a sort order, else the
layout's area name is used (what the POS itself calls the area: "Gold"), else a readable form
of the code. A partner may also give a category its colour (with the seat layout); without one
the seat map picks from its own palette."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from canonical import SeatLayout


@dataclass(frozen=True)
class CategoryLabel:
    code: str
    name: str
    sort_order: int
    colour: str | None = None


@dataclass(frozen=True)
class CategoryName:
    """What a partner or admin set for one code at one theatre: a name (and where it sorts),
    a colour, or both."""

    name: str | None
    sort_order: int
    colour: str | None = None


def readable(code: str) -> str:
    """A code no one named: `premium_plus` -> "Premium plus", `0000000001` -> "Category 1"."""
    if code.isdigit():
        return f"Category {int(code)}"
    words = re.sub(r"[_\-]+", " ", code).strip()
    return words[:1].upper() + words[1:] if words else code


def labels(layout: SeatLayout, named: Mapping[str, CategoryName]) -> list[CategoryLabel]:
    """Every category of the layout, in display order: named ones by their sort order, the rest
    after them in the order their areas appear in the layout (front to back as the POS lists
    them)."""
    area_names: dict[str, str] = {}
    for area in layout.areas:
        codes = {seat.category for row in area.rows for seat in row.seats} or {area.category}
        for code in sorted(codes):
            if area.name and code == area.category:
                area_names.setdefault(code, area.name)
            else:
                area_names.setdefault(code, "")
    unnamed_start = max((n.sort_order for n in named.values() if n.name), default=0) + 1
    out = []
    for position, (code, area_name) in enumerate(area_names.items()):
        chosen = named.get(code)
        colour = chosen.colour if chosen else None
        if chosen is not None and chosen.name:
            out.append(CategoryLabel(code, chosen.name, chosen.sort_order, colour))
        else:
            # A colour alone names nothing: the category reads and sorts as unnamed.
            name = area_name or readable(code)
            out.append(CategoryLabel(code, name, unnamed_start + position, colour))
    return sorted(out, key=lambda c: (c.sort_order, c.name))
