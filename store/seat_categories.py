"""SQL of seat category names and colours per theatre (table `seat_category_names`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, delete, select, update

from booking.seat_categories import CategoryName
from canonical.time import utcnow
from store.tables_venue import seat_category_names
from store.upsert import upsert


def names(conn: Connection, theatre_id: str) -> dict[str, CategoryName]:
    return {
        r.code: CategoryName(r.name, r.sort_order, r.colour)
        for r in conn.execute(
            select(seat_category_names).where(seat_category_names.c.theatre_id == theatre_id)
        )
    }


def set_name(conn: Connection, theatre_id: str, code: str, name: str, sort_order: int) -> None:
    upsert(
        conn,
        seat_category_names,
        {
            "theatre_id": theatre_id,
            "code": code,
            "name": name,
            "sort_order": sort_order,
            "updated_at": utcnow(),
        },
        ["theatre_id", "code"],
    )


def remove_name(conn: Connection, theatre_id: str, code: str) -> bool:
    """Back to the area's name; a colour set with the layout stays."""
    t = seat_category_names.c
    mine = (t.theatre_id == theatre_id, t.code == code)
    named = conn.execute(select(t.colour).where(*mine, t.name.is_not(None))).first()
    if named is None:
        return False
    if named.colour is None:
        conn.execute(delete(seat_category_names).where(*mine))
    else:
        conn.execute(
            update(seat_category_names).where(*mine).values(name=None, updated_at=utcnow())
        )
    return True


def colours(conn: Connection, theatre_id: str, codes: Iterable[str]) -> dict[str, str]:
    t = seat_category_names.c
    return {
        r.code: r.colour
        for r in conn.execute(
            select(t.code, t.colour).where(
                t.theatre_id == theatre_id, t.code.in_(list(codes)), t.colour.is_not(None)
            )
        )
    }


def set_colours(
    conn: Connection, theatre_id: str, chosen: Mapping[str, str], codes: Iterable[str]
) -> None:
    """The colours of a layout's categories (`codes`) as saved with it: each code in `chosen`
    gets its colour, the others lose theirs. Names and sort orders are left as they are."""
    t = seat_category_names.c
    now = utcnow()
    others = [c for c in codes if c not in chosen]
    if others:
        conn.execute(
            update(seat_category_names)
            .where(t.theatre_id == theatre_id, t.code.in_(others), t.colour.is_not(None))
            .values(colour=None, updated_at=now)
        )
        # A row that only held a colour holds nothing now.
        conn.execute(
            delete(seat_category_names).where(
                t.theatre_id == theatre_id, t.code.in_(others), t.name.is_(None)
            )
        )
    if chosen:
        upsert(
            conn,
            seat_category_names,
            [
                {"theatre_id": theatre_id, "code": code, "colour": colour, "updated_at": now}
                for code, colour in chosen.items()
            ],
            ["theatre_id", "code"],
        )
