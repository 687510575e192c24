"""What customers read for a seat category. Legacy POSes name categories by codes
(`0000000001`); a theatre's partner or an admin may set a display name and a sort order, else the
layout's area name is used (what the POS itself calls the area: "Gold"), else a readable form
of the code."""

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


@dataclass(frozen=True)
class CategoryName:
    """A name set by a partner or admin for one code at one theatre."""

    name: str
    sort_order: int


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
    unnamed_start = max((n.sort_order for n in named.values()), default=0) + 1
    out = []
    for position, (code, area_name) in enumerate(area_names.items()):
        chosen = named.get(code)
        if chosen is not None:
            out.append(CategoryLabel(code, chosen.name, chosen.sort_order))
        else:
            out.append(CategoryLabel(code, area_name or readable(code), unnamed_start + position))
    return sorted(out, key=lambda c: (c.sort_order, c.name))
