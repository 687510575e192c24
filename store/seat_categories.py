"""SQL of seat category names per theatre (table `seat_category_names`)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from booking.seat_categories import CategoryName
from canonical.time import utcnow
from store.tables_venue import seat_category_names
from store.upsert import upsert


def names(conn: Connection, theatre_id: str) -> dict[str, CategoryName]:
    return {
        r.code: CategoryName(r.name, r.sort_order)
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
    return bool(
        conn.execute(
            delete(seat_category_names).where(
                seat_category_names.c.theatre_id == theatre_id,
                seat_category_names.c.code == code,
            )
        ).rowcount
    )
