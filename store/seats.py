"""Per-show seat inventory and the atomic hold primitive.

Taking seats is one conditional UPDATE: it moves every requested seat that is free (available,
or held by a hold that has expired) to `held`, and the caller keeps the result only if the
number of rows changed equals the number of seats asked for. Otherwise the caller's
transaction is rolled back and nothing was taken. No seat is read in Python and then written:
the database decides, so two customers can never both win a seat.

On PostgreSQL the candidate rows are locked in seat-id order first (a `FOR UPDATE` CTE), so
two overlapping holds queue behind each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.selectable import FromClause

from canonical import SeatFlag, SeatLayout, SeatStatus
from store.tables import seat_layouts, show_seats, shows


class SeatsNotTaken(Exception):
    """Some requested seats were not free. The transaction must be rolled back."""

    def __init__(self, unavailable: Sequence[str], unknown: Sequence[str]) -> None:
        self.unavailable = list(unavailable)
        self.unknown = list(unknown)
        self.retryable = False
        parts = []
        if unknown:
            parts.append(f"unknown seats: {', '.join(unknown)}")
        if unavailable:
            parts.append(f"seats not available: {', '.join(unavailable)}")
        super().__init__("; ".join(parts))


@dataclass(frozen=True)
class SeatRow:
    seat_id: str
    category: str
    status: SeatStatus
    hold_id: str | None
    hold_expires_at: datetime | None
    booking_id: str | None
    version: int


def seed_show(conn: Connection, show_id: str, layout: SeatLayout) -> int:
    """Create the inventory rows of a new show from its layout (blocked seats start blocked)."""
    rows = [
        {
            "show_id": show_id,
            "seat_id": seat.id,
            "category": seat.category,
            "status": "blocked" if SeatFlag.BLOCKED in seat.flags else "available",
            "version": 0,
        }
        for seat in layout.seats()
    ]
    if rows:
        conn.execute(insert(show_seats), rows)
    return len(rows)


def _layout_plan(conn: Connection, show_id: str) -> list[tuple[str, str, str]] | None:
    """(seat id, category, initial status) of every seat in the show's layout."""
    body = conn.execute(
        select(seat_layouts.c.body)
        .join(shows, shows.c.layout_id == seat_layouts.c.id)
        .where(shows.c.id == show_id)
    ).scalar()
    if body is None:
        return None
    # Walk the stored JSON directly: validating the whole layout again costs more than the
    # insert it precedes, and it was validated when it was saved.
    return [
        (
            seat["id"],
            seat.get("category", "standard"),
            "blocked" if SeatFlag.BLOCKED.value in seat.get("flags", ()) else "available",
        )
        for area in body["areas"]
        for row in area["rows"]
        for seat in row["seats"]
    ]


def _has_rows(conn: Connection, show_id: str) -> bool:
    """Whether the show's seat rows exist (its first write created them)."""
    found = select(show_seats.c.seat_id).where(show_seats.c.show_id == show_id).limit(1)
    return conn.execute(found).first() is not None


def ensure_inventory(conn: Connection, show_id: str) -> int:
    """Create a show's seat rows on first write, if it has none yet.

    Bulk catalog imports (a country has ~130 million seat-shows a week) do not create
    inventory up front; the first hold, sale or POS delta does. Concurrent first writers are
    safe: ON CONFLICT DO NOTHING lets one insert win and the others find the rows.
    """
    if _has_rows(conn, show_id):
        return 0
    plan = _layout_plan(conn, show_id)
    if not plan:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(show_seats).on_conflict_do_nothing(index_elements=["show_id", "seat_id"])
    return conn.execute(
        stmt,
        [
            {"show_id": show_id, "seat_id": sid, "category": cat, "status": st, "version": 0}
            for sid, cat, st in plan
        ],
    ).rowcount


def take_seats(
    conn: Connection,
    show_id: str,
    seat_ids: Iterable[str],
    hold_id: str,
    expires_at: datetime,
    now: datetime,
) -> int:
    """Hold all the seats for `hold_id` or raise SeatsNotTaken. One statement takes every seat
    or none, so a refusal changes nothing and needs no savepoint. Seats this hold already has
    count as free for it (a late payment re-takes its own seats)."""
    wanted = sorted(set(seat_ids))
    if not wanted:
        raise ValueError("no seats requested")
    if _take(conn, show_id, wanted, hold_id, expires_at, now) == len(wanted):
        return len(wanted)
    problem = _explain(conn, show_id, wanted, hold_id, now)
    if problem.retryable:
        # An imported show has no inventory rows until its first write: create them (or find
        # that a concurrent first writer just did) and retry once. On PostgreSQL the retry is
        # a new statement, so it sees rows the other writer committed meanwhile.
        ensure_inventory(conn, show_id)
        if _take(conn, show_id, wanted, hold_id, expires_at, now) == len(wanted):
            return len(wanted)
        problem = _explain(conn, show_id, wanted, hold_id, now)
    raise problem


def _free_for(table: FromClause, now: BindParameter, hold_id: BindParameter) -> ColumnElement[bool]:
    """Free for this hold: available, held by an expired hold, or already held by this one."""
    return or_(
        table.c.status == "available",
        and_(
            table.c.status == "held",
            or_(table.c.hold_expires_at <= now, table.c.hold_id == hold_id),
        ),
    )


def _take_statements() -> dict[str, Update]:
    # Built once with bind parameters (constructing them per hold cost more than running them).
    show: BindParameter[str] = bindparam("take_show")
    wanted: BindParameter[list[str]] = bindparam("take_seats", expanding=True)
    now: BindParameter[datetime] = bindparam("now")
    hold: BindParameter[str] = bindparam("new_hold")
    values = {
        "status": "held",
        "hold_id": hold,
        "hold_expires_at": bindparam("new_expiry"),
        "booking_id": None,
        "version": show_seats.c.version + 1,
    }
    # PostgreSQL: lock the requested rows once, in seat order (a CTE with FOR UPDATE runs
    # exactly once and returns each row's latest committed version), count the free ones, and
    # update them all only if every requested seat is there and free.
    locked = (
        select(
            show_seats.c.seat_id,
            show_seats.c.status,
            show_seats.c.hold_id,
            show_seats.c.hold_expires_at,
        )
        .where(show_seats.c.show_id == show, show_seats.c.seat_id.in_(wanted))
        .order_by(show_seats.c.seat_id)
        .with_for_update()
        .cte("locked")
    )
    free_locked = (
        select(func.count())
        .select_from(locked)
        .where(_free_for(locked, now, hold))
        .scalar_subquery()
    )
    postgres = (
        update(show_seats)
        .where(
            show_seats.c.show_id == show,
            show_seats.c.seat_id == locked.c.seat_id,
            free_locked == bindparam("n"),
        )
        .values(**values)
    )
    # SQLite has one writer at a time: the same verdict as a sub-select.
    free_count = (
        select(func.count())
        .select_from(show_seats)
        .where(
            show_seats.c.show_id == show,
            show_seats.c.seat_id.in_(wanted),
            _free_for(show_seats, now, hold),
        )
        .scalar_subquery()
    )
    other = (
        update(show_seats)
        .where(
            show_seats.c.show_id == show,
            show_seats.c.seat_id.in_(wanted),
            free_count == bindparam("n"),
        )
        .values(**values)
    )
    return {"postgresql": postgres, "other": other}


_TAKE = _take_statements()


def _take(
    conn: Connection,
    show_id: str,
    wanted: list[str],
    hold_id: str,
    expires_at: datetime,
    now: datetime,
) -> int:
    """Rows taken: all of `wanted`, or 0."""
    stmt = _TAKE["postgresql" if conn.dialect.name == "postgresql" else "other"]
    return conn.execute(
        stmt,
        {
            "take_show": show_id,
            "take_seats": wanted,
            "n": len(wanted),
            "now": now,
            "new_hold": hold_id,
            "new_expiry": expires_at,
        },
    ).rowcount


def _explain(
    conn: Connection,
    show_id: str,
    wanted: list[str],
    hold_id: str,
    now: datetime | None = None,
    *,
    owned: bool = False,
) -> SeatsNotTaken:
    """Why a take failed: the seats that are missing, and those another hold, a sale or a block
    has (free seats are not named: the take failed for the others). With `owned` (a sale), every
    seat the hold does not hold is named."""
    rows = conn.execute(
        select(
            show_seats.c.seat_id,
            show_seats.c.hold_id,
            show_seats.c.status,
            show_seats.c.hold_expires_at,
        ).where(show_seats.c.show_id == show_id, show_seats.c.seat_id.in_(wanted))
    )
    found = {row.seat_id: row for row in rows}

    def free(row) -> bool:  # noqa: ANN001 - a result row
        return row.status == "available" or (
            row.status == "held"
            and (
                row.hold_id == hold_id
                or (
                    now is not None
                    and row.hold_expires_at is not None
                    and row.hold_expires_at <= now
                )
            )
        )

    unknown = [s for s in wanted if s not in found]
    if owned:
        unavailable = [
            s
            for s in wanted
            if s in found and not (found[s].status == "held" and found[s].hold_id == hold_id)
        ]
    else:
        unavailable = [s for s in wanted if s in found and not free(found[s])]
    error = SeatsNotTaken(unavailable, unknown)
    # Missing rows may be an imported show's inventory not written yet; all seats reading free
    # means they changed since the update ran (a concurrent first writer created them, or a
    # hold ended): both are worth one retry.
    error.retryable = bool(unknown) or not unavailable
    return error


def release_hold(conn: Connection, hold_id: str) -> int:
    """Free the seats a hold still has. Seats already sold or re-taken are left alone."""
    return conn.execute(
        update(show_seats)
        .where(show_seats.c.hold_id == hold_id, show_seats.c.status == "held")
        .values(
            status="available", hold_id=None, hold_expires_at=None, version=show_seats.c.version + 1
        )
    ).rowcount


def sell_hold(
    conn: Connection, show_id: str, hold_id: str, booking_id: str, seat_ids: Sequence[str]
) -> int:
    """Turn a hold's seats into sold seats of a booking, only if the hold still owns them all.

    Expiry is deliberately not checked here: a payment that succeeded is honoured as long as
    nobody else took the seats meanwhile (the hold still owns them).
    """
    count = conn.execute(
        update(show_seats)
        .where(
            show_seats.c.show_id == show_id,
            show_seats.c.hold_id == hold_id,
            show_seats.c.status == "held",
            show_seats.c.seat_id.in_(list(seat_ids)),
        )
        .values(
            status="sold",
            booking_id=booking_id,
            hold_id=None,
            hold_expires_at=None,
            version=show_seats.c.version + 1,
        )
    ).rowcount
    if count != len(set(seat_ids)):
        raise _explain(conn, show_id, sorted(set(seat_ids)), hold_id, owned=True)
    return count


def release_booking(conn: Connection, booking_id: str) -> int:
    return conn.execute(
        update(show_seats)
        .where(show_seats.c.booking_id == booking_id)
        .values(status="available", booking_id=None, version=show_seats.c.version + 1)
    ).rowcount


def set_external_status(
    conn: Connection, show_id: str, seat_ids: Sequence[str], status: SeatStatus
) -> int:
    """Apply what a POS says about seats it owns (box-office sales, releases, blocks).

    Seats sold by a Marquee booking are never overwritten here; the caller detects and records
    those as conflicts.
    """
    ensure_inventory(conn, show_id)
    values: dict = {
        "status": status.value,
        "pos_status": status.value,
        "version": show_seats.c.version + 1,
    }
    if status != SeatStatus.HELD:
        values |= {"hold_id": None, "hold_expires_at": None}
    return conn.execute(
        update(show_seats)
        .where(
            show_seats.c.show_id == show_id,
            show_seats.c.seat_id.in_(list(seat_ids)),
            show_seats.c.booking_id.is_(None),
        )
        .values(**values)
    ).rowcount


def _unavailable_query(only_some: bool):
    # Built once: constructing the expression and its cache key cost more than running it.
    query = (
        select(show_seats.c.status, func.aggregate_strings(show_seats.c.seat_id, ","))
        .where(
            show_seats.c.show_id == bindparam("show_id"),
            show_seats.c.status != "available",
            or_(
                show_seats.c.status != "held",
                show_seats.c.hold_expires_at > bindparam("now"),
                # A POS hold has no expiry: it is taken until the POS releases it.
                show_seats.c.hold_expires_at.is_(None),
            ),
        )
        .group_by(show_seats.c.status)
    )
    if only_some:
        query = query.where(show_seats.c.seat_id.in_(bindparam("seat_ids", expanding=True)))
    return query


_UNAVAILABLE = _unavailable_query(False)
_UNAVAILABLE_OF = _unavailable_query(True)


def unavailable_seats(
    conn: Connection, show_id: str, now: datetime, seat_ids: Iterable[str] | None = None
) -> dict[str, SeatStatus]:
    """The status of each of the show's seats that is NOT free now: held (hold unexpired), sold
    or blocked. A seat not listed is free, including every seat of a show whose inventory has
    not been written yet. The booking rules only need these: early in a sale that is a handful
    of rows, not the whole house.

    The ids come back as one string per status (seat ids never hold a comma): a sold-out house
    is three rows to read instead of hundreds, and it is read on every refused request."""
    if seat_ids is None:
        rows = conn.execute(_UNAVAILABLE, {"show_id": show_id, "now": now})
    else:
        rows = conn.execute(
            _UNAVAILABLE_OF, {"show_id": show_id, "now": now, "seat_ids": sorted(set(seat_ids))}
        )
    out: dict[str, SeatStatus] = {}
    for status, ids in rows:
        out.update(dict.fromkeys(ids.split(","), SeatStatus(status)))
    return out


def seat_rows(
    conn: Connection, show_id: str, now: datetime, seat_ids: Iterable[str] | None = None
) -> list[SeatRow]:
    """The show's inventory as customers see it: an expired hold reads as available. With
    `seat_ids`, only those seats."""
    only = sorted(set(seat_ids)) if seat_ids is not None else None
    expired = and_(show_seats.c.status == "held", show_seats.c.hold_expires_at <= now)
    status = case((expired, literal("available")), else_=show_seats.c.status)
    hold_id = case((expired, None), else_=show_seats.c.hold_id)
    query = (
        select(
            show_seats.c.seat_id,
            show_seats.c.category,
            status.label("status"),
            hold_id.label("hold_id"),
            show_seats.c.hold_expires_at,
            show_seats.c.booking_id,
            show_seats.c.version,
        )
        .where(show_seats.c.show_id == show_id)
        .where(show_seats.c.seat_id.in_(only) if only is not None else true())
        .order_by(show_seats.c.seat_id)
    )

    def read() -> list[SeatRow]:
        return [
            SeatRow(
                r.seat_id,
                r.category,
                SeatStatus(r.status),
                r.hold_id,
                r.hold_expires_at if r.hold_id else None,
                r.booking_id,
                r.version,
            )
            for r in conn.execute(query)
        ]

    out = read()
    if not out:
        if _has_rows(conn, show_id):
            # The first write to the show committed between the two reads (outside a
            # transaction each statement sees the latest commit): its rows are there now.
            return read()
        # Nobody has written to this show yet: its seats are as the layout made them. A read
        # never creates the rows (it may run on a read-only connection).
        wanted = set(only) if only is not None else None
        out = [
            SeatRow(sid, cat, SeatStatus(st), None, None, None, 0)
            for sid, cat, st in sorted(_layout_plan(conn, show_id) or [])
            if wanted is None or sid in wanted
        ]
    return out
