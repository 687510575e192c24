"""SQL of the sync services: connectors, external ids, cursors, dead letters, conflicts, bulk
catalog writes that know what changed, and inbound inventory deltas.

Every function takes a Connection and runs inside the caller's transaction: the caller decides
what one unit is (a delta, a theatre's catalog, a whole schedule file) and nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, or_, select, tuple_, update
from sqlalchemy.types import JSON

from booking import pos_reports
from canonical import (
    InventoryDelta,
    Movie,
    Screen,
    SeatLayout,
    SeatStatus,
    Show,
    Theatre,
    new_id,
)
from canonical.time import utcnow
from store import movie_matching, push_order, seats
from store.tables import (
    bookings,
    connectors,
    dead_letters,
    external_ids,
    holds,
    movie_translations,
    movies,
    screens,
    seat_layouts,
    show_seats,
    shows,
    sync_conflicts,
    sync_cursors,
    theatres,
)
from store.upsert import upsert

# A seat the POS reports as held carries this marker as its hold id: the hold is the POS's
# (a box-office reservation), not a Marquee customer's. It has no expiry of Marquee's: it lasts
# until the POS reports the seat otherwise, so Marquee never re-sells a seat the box office
# reserved. A missed release is healed by the next snapshot or reconciliation.
POS_HOLD_PREFIX = "pos:"
CHUNK = 2000
BULK_CHUNK = 10000  # rows per COPY + upsert on PostgreSQL


# ------------------------------------------------------------------------------ connectors
def save_connector(conn: Connection, row: Mapping[str, Any]) -> None:
    now = utcnow()
    data = {"secret_refs": {}, "settings": {}, "health": {}, "status": "active", **row}
    existing = conn.execute(
        select(connectors.c.created_at).where(connectors.c.id == data["id"])
    ).scalar()
    data["created_at"] = existing or now
    data["updated_at"] = now
    upsert(conn, connectors, data, ["id"])


def get_connector(conn: Connection, connector_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(connectors).where(connectors.c.id == connector_id)).first()
    return dict(row._mapping) if row else None


def list_connectors(conn: Connection, *, active_only: bool = True) -> list[dict[str, Any]]:
    query = select(connectors).order_by(connectors.c.id)
    if active_only:
        query = query.where(connectors.c.status == "active")
    return [dict(r._mapping) for r in conn.execute(query)]


def set_health(conn: Connection, connector_id: str, health: Mapping[str, Any]) -> None:
    conn.execute(
        update(connectors)
        .where(connectors.c.id == connector_id)
        .values(health=dict(health), updated_at=utcnow())
    )


# ------------------------------------------------------------------------------ external ids
def map_external(conn: Connection, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
    """Record (connector, entity, scope, external id) -> canonical id pairs."""
    now = utcnow()
    if conn.dialect.name == "postgresql":
        # COPY into a staging table, then one upsert: a page of shows is two round trips.
        unique = {(c, e, s, x): cid for c, e, s, x, cid in rows}
        if unique:
            _copy_upsert(
                conn,
                external_ids,
                ["connector_id", "entity", "scope", "external_id", "canonical_id", "updated_at"],
                [(*key, cid, now) for key, cid in unique.items()],
                ["connector_id", "entity", "scope", "external_id"],
                ["canonical_id"],
            )
        return
    batch = [
        {
            "connector_id": c,
            "entity": e,
            "scope": s,
            "external_id": x,
            "canonical_id": cid,
            "updated_at": now,
        }
        for c, e, s, x, cid in rows
    ]
    for i in range(0, len(batch), CHUNK):
        upsert(
            conn,
            external_ids,
            batch[i : i + CHUNK],
            ["connector_id", "entity", "scope", "external_id"],
            update=["canonical_id"],
        )


def canonical_for(
    conn: Connection, connector_id: str, entity: str, external_id: str, scope: str = ""
) -> str | None:
    return conn.execute(
        select(external_ids.c.canonical_id).where(
            external_ids.c.connector_id == connector_id,
            external_ids.c.entity == entity,
            external_ids.c.scope == scope,
            external_ids.c.external_id == external_id,
        )
    ).scalar()


def external_for(
    conn: Connection, connector_id: str, entity: str, canonical_id: str
) -> tuple[str, str] | None:
    """(scope, external id) of a canonical record; the newest mapping wins (a rescheduled show
    answers to its current POS id)."""
    row = conn.execute(
        select(external_ids.c.scope, external_ids.c.external_id)
        .where(
            external_ids.c.connector_id == connector_id,
            external_ids.c.entity == entity,
            external_ids.c.canonical_id == canonical_id,
        )
        .order_by(external_ids.c.updated_at.desc())
    ).first()
    return (row.scope, row.external_id) if row else None


def resolve_show(conn: Connection, connector_id: str | None, show_id: str) -> str | None:
    """The canonical show for an id a mapping derived: itself if it exists, else the show it
    was matched to when the POS renumbered it (an alias recorded at import)."""
    if conn.execute(select(shows.c.id).where(shows.c.id == show_id)).scalar():
        return show_id
    if connector_id is None:
        return None
    return canonical_for(conn, connector_id, "show_alias", show_id)


# ------------------------------------------------------------------------------ cursors
def get_cursor(conn: Connection, connector_id: str, stream: str) -> str | None:
    return conn.execute(
        select(sync_cursors.c.cursor).where(
            sync_cursors.c.connector_id == connector_id, sync_cursors.c.stream == stream
        )
    ).scalar()


def set_cursor(conn: Connection, connector_id: str, stream: str, cursor: str | None) -> None:
    upsert(
        conn,
        sync_cursors,
        {"connector_id": connector_id, "stream": stream, "cursor": cursor, "updated_at": utcnow()},
        ["connector_id", "stream"],
    )


def cursors(conn: Connection, connector_id: str) -> dict[str, tuple[str | None, datetime]]:
    return {
        r.stream: (r.cursor, r.updated_at)
        for r in conn.execute(
            select(sync_cursors).where(sync_cursors.c.connector_id == connector_id)
        )
    }


# ------------------------------------------------------------------------------ dead letters
def add_dead_letter(
    conn: Connection,
    *,
    connector_id: str | None,
    system: str,
    mapping_version: str | int,
    entity: str,
    field: str | None,
    reason: str,
    payload: str,
    vars: dict[str, Any] | None = None,
) -> str:
    dead_id = new_id("dlq")
    # Bad input may hold NUL bytes (a UTF-16 file read as Latin-1): PostgreSQL text refuses
    # them, and the dead letter must still be kept, so they are escaped.
    payload, reason = payload.replace("\x00", "\\x00"), reason.replace("\x00", "\\x00")
    conn.execute(
        insert(dead_letters).values(
            id=dead_id,
            connector_id=connector_id,
            mapping_system=system,
            mapping_version=str(mapping_version),
            entity=entity[:40],
            field=(field or "")[:200] or None,
            reason=reason,
            payload=payload,
            vars=_json_vars(vars),
            status="open",
            created_at=utcnow(),
        )
    )
    return dead_id


def _json_vars(vars: dict[str, Any] | None) -> dict[str, Any] | None:
    """Call variables as JSON: text, numbers and booleans as they are, anything else (a date)
    as its text, which is how a template reads it."""
    if not vars:
        return None
    plain = (str, int, float, bool)
    return {str(k): v if v is None or isinstance(v, plain) else str(v) for k, v in vars.items()}


def list_dead_letters(
    conn: Connection, connector_id: str | None = None, status: str = "open"
) -> list[dict[str, Any]]:
    query = select(dead_letters).where(dead_letters.c.status == status)
    if connector_id:
        query = query.where(dead_letters.c.connector_id == connector_id)
    return [dict(r._mapping) for r in conn.execute(query.order_by(dead_letters.c.created_at))]


# ------------------------------------------------------------------------------ conflicts
def add_conflict(
    conn: Connection,
    *,
    connector_id: str | None,
    show_id: str,
    seat_id: str,
    kind: str,
    detail: Mapping[str, Any],
    action: str,
) -> str:
    conflict_id = new_id("cfl")
    conn.execute(
        insert(sync_conflicts).values(
            id=conflict_id,
            connector_id=connector_id,
            show_id=show_id,
            seat_id=seat_id,
            kind=kind,
            detail=dict(detail),
            action_taken=action,
            status="open",
            created_at=utcnow(),
        )
    )
    return conflict_id


def list_conflicts(conn: Connection, connector_id: str | None = None) -> list[dict[str, Any]]:
    query = select(sync_conflicts)
    if connector_id:
        query = query.where(sync_conflicts.c.connector_id == connector_id)
    return [dict(r._mapping) for r in conn.execute(query.order_by(sync_conflicts.c.created_at))]


# ------------------------------------------------------------------------------ catalog rows
def _norm(value: Any) -> Any:
    """A comparable form of a column value, the same whichever way it was read or written."""
    if isinstance(value, datetime):
        return _aware(value).timestamp()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def theatre_row(theatre: Theatre) -> dict[str, Any]:
    return theatre.model_dump(mode="json", exclude={"external_refs"})


def screen_row(screen: Screen) -> dict[str, Any]:
    row = screen.model_dump(mode="json", exclude={"external_refs"})
    row["formats"] = list(screen.formats)
    return row


def layout_row(layout: SeatLayout) -> dict[str, Any]:
    return {
        "id": layout.id,
        "screen_id": layout.screen_id,
        "version": layout.version,
        "seat_count": len(layout.seats()),
        "body": layout.model_dump(mode="json"),
    }


def movie_row(movie: Movie) -> dict[str, Any]:
    return {
        "id": movie.id,
        "original_language": movie.original_language,
        "runtime_minutes": movie.runtime_minutes,
        "genres": list(movie.genres),
        "rating": movie.rating,
        "release_date": movie.release_date,
    }


def show_row(show: Show, layout_id: str) -> dict[str, Any]:
    row = show.model_dump(mode="json", exclude={"external_refs", "start", "end", "status"})
    row |= {
        # The theatre's word; `status` is Marquee's own lifecycle (store/tables.py).
        "reported_status": show.status.value,
        "experiences": list(show.experiences),
        "start_at": show.start,
        "end_at": show.end,
        "business_date": show.business_date,
        "layout_id": layout_id,
        "format": show.format.value,
        "sales_channels": sorted(c.value for c in show.sales_channels),
    }
    return row


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: list[str] = field(default_factory=list)

    def add(self, other: Written) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def write_rows(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str] = ("id",)
) -> Written:
    """Insert new rows and update changed ones; rows equal to what is stored are not touched,
    so a re-import writes nothing (and `updated_at` keeps meaning "last real change")."""
    out = Written()
    has_stamp = "updated_at" in table.c
    now = utcnow()
    for i in range(0, len(rows), CHUNK):
        chunk = list({tuple(r[k] for k in keys): r for r in rows[i : i + CHUNK]}.values())
        key_cols = [table.c[k] for k in keys]
        wanted = [tuple(r[k] for k in keys) for r in chunk]
        cond = (
            key_cols[0].in_([w[0] for w in wanted])
            if len(keys) == 1
            else tuple_(*key_cols).in_(wanted)
        )
        columns = list(chunk[0])
        stored = {
            tuple(r._mapping[k] for k in keys): r._mapping
            for r in conn.execute(select(*[table.c[c] for c in columns]).where(cond))
        }
        new, changed = [], []
        for row in chunk:
            old = stored.get(tuple(row[k] for k in keys))
            if old is None:
                new.append(row)
            elif any(_norm(old[c]) != _norm(row[c]) for c in columns):
                changed.append(row)
            else:
                out.unchanged += 1
        if has_stamp:
            new = [{**r, "updated_at": now} for r in new]
            changed = [{**r, "updated_at": now} for r in changed]
        if new:
            conn.execute(insert(table), new)
            out.created += len(new)
            if "id" in keys:
                out.new_ids.extend(r["id"] for r in new)
        if changed:
            upsert(conn, table, changed, list(keys))
            out.updated += len(changed)
    return out


def write_theatres(conn: Connection, items: Sequence[Theatre]) -> Written:
    return write_rows(conn, theatres, [theatre_row(t) for t in items])


def write_screens(conn: Connection, items: Sequence[Screen]) -> Written:
    return write_rows(conn, screens, [screen_row(s) for s in items])


def write_layouts(conn: Connection, items: Sequence[SeatLayout]) -> Written:
    """Upsert layouts. A layout whose seats changed is a new version; shows that already have
    seat rows (a hold, a sale, a POS report) are never moved under their sold seats: they go
    to a frozen copy of the version they were sold on (a new id, the same seats) first."""
    # The last of a repeated id wins, as in write_rows.
    rows = list({x.id: layout_row(x) for x in items}.values())
    _freeze_sold_versions(conn, rows)
    return write_rows(conn, seat_layouts, rows)


def _freeze_sold_versions(conn: Connection, rows: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    stored: dict[str, Any] = {}
    for i in range(0, len(ids), CHUNK):
        for r in conn.execute(
            select(seat_layouts).where(seat_layouts.c.id.in_(ids[i : i + CHUNK]))
        ):
            stored[r.id] = r
    now = utcnow()
    for row in rows:
        old = stored.get(row["id"])
        if old is None:
            continue
        same = _seats_of(old.body) == _seats_of(row["body"])
        # The version counts changes of the seats, whatever number the POS sends.
        row["version"] = row["body"]["version"] = max(row["version"], old.version + (not same))
        if same:
            continue
        sold = list(
            conn.execute(
                select(shows.c.id)
                .where(shows.c.layout_id == old.id)
                .where(
                    select(show_seats.c.show_id).where(show_seats.c.show_id == shows.c.id).exists()
                )
            ).scalars()
        )
        if not sold:
            continue
        frozen = new_id("lay")
        conn.execute(
            insert(seat_layouts).values(
                id=frozen,
                screen_id=old.screen_id,
                version=old.version,
                seat_count=old.seat_count,
                body={**old.body, "id": frozen},
                updated_at=now,
            )
        )
        conn.execute(
            update(shows).where(shows.c.id.in_(sold)).values(layout_id=frozen, updated_at=now)
        )


def _seats_of(body: Mapping[str, Any]) -> Any:
    """What a layout is, apart from its id and version number."""
    return {k: v for k, v in body.items() if k not in ("id", "version")}


def write_movies(conn: Connection, items: Sequence[Movie]) -> Written:
    out = write_rows(conn, movies, [movie_row(m) for m in items])
    texts = []
    for m in items:
        for lang in sorted(set(m.title.values) | set(m.synopsis.values)):
            texts.append(
                {
                    "movie_id": m.id,
                    "language": lang,
                    "title": m.title.values.get(lang),
                    "synopsis": m.synopsis.values.get(lang),
                }
            )
    write_translations(conn, texts)
    # One film, one movie: new movies are matched against those listed (global ids, else
    # title + year + runtime); sure matches merge, unsure ones wait for an admin.
    movie_matching.record_global_ids(conn, items)
    movie_matching.match_new(conn, out.new_ids, items)
    return out


def write_translations(conn: Connection, rows: Sequence[dict[str, Any]]) -> Written:
    """Translations by (movie, language). A feed that carries only a title keeps the stored
    synopsis (and the other way round)."""
    existing: dict[tuple[str, str], Any] = {}
    keys = list({(r["movie_id"], r["language"]) for r in rows})
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        for r in conn.execute(
            select(movie_translations).where(
                tuple_(movie_translations.c.movie_id, movie_translations.c.language).in_(part)
            )
        ):
            existing[(r.movie_id, r.language)] = r
    merged = []
    for row in rows:
        old = existing.get((row["movie_id"], row["language"]))
        merged.append(
            {
                **row,
                "title": row.get("title") or (old.title if old else None),
                "synopsis": row.get("synopsis") or (old.synopsis if old else None),
            }
        )
    return write_rows(conn, movie_translations, merged, keys=("movie_id", "language"))


def write_shows(conn: Connection, items: Sequence[tuple[Show, str]]) -> Written:
    """Upsert shows (changed ones only); `items` pairs each show with its layout id.

    No seat inventory is written here: a show's seat rows are created by its first hold, sale
    or POS delta (store.seats.ensure_inventory). A country-sized import would otherwise write
    ~155 rows per show, 130 million a week, for shows most of which never sell online.
    """
    rows = [show_row(show, layout_id) for show, layout_id in items]
    _keep_sold_layouts(conn, rows)
    # A movie merged into another (store.movie_matching) is shown as that one.
    merged = movie_matching.resolve(conn, {r["movie_id"] for r in rows})
    if merged:
        for row in rows:
            row["movie_id"] = merged.get(row["movie_id"], row["movie_id"])
    if conn.dialect.name != "postgresql" or not rows:
        return write_rows(conn, shows, rows)
    now = utcnow()
    columns = [*rows[0], "updated_at"]
    unique = {r["id"]: r for r in rows}  # the last of a repeated id wins, as in write_rows
    json_cols = {c for c in columns if isinstance(shows.c[c].type, JSON)}
    values = [
        tuple(dumps(r[c]) if c in json_cols else r[c] for c in columns[:-1]) + (now,)
        for r in unique.values()
    ]
    out = Written()
    for i in range(0, len(values), BULK_CHUNK):
        changed = _copy_upsert(
            conn,
            shows,
            columns,
            values[i : i + BULK_CHUNK],
            ["id"],
            columns[1:-1],
            stamp="updated_at",
            returning=True,
        )
        for show_id, inserted in changed:
            if inserted:
                out.created += 1
                out.new_ids.append(show_id)
            else:
                out.updated += 1
        out.unchanged += len(values[i : i + BULK_CHUNK]) - len(changed)
    return out


def _keep_sold_layouts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """A stored show that has seat rows keeps the layout it has: its seats were held or sold
    on it (a changed layout reaches it only as a frozen copy, see write_layouts)."""
    ids = list({r["id"] for r in rows})
    kept: dict[str, str] = {}
    has_seats = select(show_seats.c.show_id).where(show_seats.c.show_id == shows.c.id).exists()
    for i in range(0, len(ids), CHUNK):
        for r in conn.execute(
            select(shows.c.id, shows.c.layout_id).where(
                shows.c.id.in_(ids[i : i + CHUNK]), has_seats
            )
        ):
            kept[r.id] = r.layout_id
    if kept:
        for row in rows:
            row["layout_id"] = kept.get(row["id"], row["layout_id"])


def _copy_upsert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    values: Sequence[tuple],
    keys: Sequence[str],
    update_cols: Sequence[str],
    *,
    stamp: str | None = None,
    returning: bool = False,
) -> list[tuple]:
    """PostgreSQL: COPY `values` into a session temp table shaped like `table`, then one
    INSERT ... ON CONFLICT that updates only rows whose `update_cols` differ (IS DISTINCT FROM:
    jsonb and timestamptz compare by value), so an unchanged row is not rewritten. With
    `returning`, gives (key, inserted?) of every row inserted or changed. Runs in the
    caller's transaction; the staging rows go at commit or rollback (ON COMMIT DELETE ROWS)
    and are truncated before each use."""
    stage = f"_stage_{table.name}"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} "  # noqa: S608 - our names
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {stage}")
        cols = ", ".join(columns)
        with cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*update_cols, *([stamp] if stamp else [])])
        differs = " OR ".join(
            f"{table.name}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in update_cols
        )
        conflict = f"DO UPDATE SET {sets} WHERE {differs}" if update_cols else "DO NOTHING"
        sql_text = (
            f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {stage} "
            f"ON CONFLICT ({', '.join(keys)}) {conflict}"
        )
        if returning:
            sql_text += f" RETURNING {keys[0]}, (xmax = 0)"
        cursor.execute(sql_text)
        return cursor.fetchall() if returning else []
    finally:
        cursor.close()


def screen_layouts(conn: Connection, screen_ids: Iterable[str]) -> dict[str, str | None]:
    ids = list(set(screen_ids))
    out: dict[str, str | None] = {}
    for i in range(0, len(ids), CHUNK):
        out.update(
            {
                r.id: r.layout_id
                for r in conn.execute(
                    select(screens.c.id, screens.c.layout_id).where(
                        screens.c.id.in_(ids[i : i + CHUNK])
                    )
                )
            }
        )
    return out


def shows_at(
    conn: Connection, keys: Sequence[tuple[str, str, datetime]]
) -> dict[tuple[str, str, float], str]:
    """Existing shows by (screen, movie, start): how a renumbered POS show is recognised."""
    if not keys:
        return {}
    screens_ = list({k[0] for k in keys})
    starts = [k[2] for k in keys]
    out: dict[tuple[str, str, float], str] = {}
    for i in range(0, len(screens_), 500):
        for r in conn.execute(
            select(shows.c.id, shows.c.screen_id, shows.c.movie_id, shows.c.start_at).where(
                shows.c.screen_id.in_(screens_[i : i + 500]),
                shows.c.start_at >= min(starts),
                shows.c.start_at <= max(starts),
            )
        ):
            out[(r.screen_id, r.movie_id, _aware(r.start_at).timestamp())] = r.id
    return out


def aliases(conn: Connection, connector_id: str, show_ids: Sequence[str]) -> dict[str, str]:
    # Aliases are recorded with an empty scope: saying so lets the primary key find them.
    out: dict[str, str] = {}
    for i in range(0, len(show_ids), CHUNK):
        out.update(
            {
                r.external_id: r.canonical_id
                for r in conn.execute(
                    select(external_ids.c.external_id, external_ids.c.canonical_id).where(
                        external_ids.c.connector_id == connector_id,
                        external_ids.c.entity == "show_alias",
                        external_ids.c.scope == "",
                        external_ids.c.external_id.in_(show_ids[i : i + CHUNK]),
                    )
                )
            }
        )
    return out


def find_show_at(
    conn: Connection, screen_id: str, movie_id: str, start: datetime, exclude: str
) -> str | None:
    """A show already on this screen for this movie at this start, under another id."""
    return conn.execute(
        select(shows.c.id).where(
            shows.c.screen_id == screen_id,
            shows.c.movie_id == movie_id,
            shows.c.start_at == start,
            shows.c.id != exclude,
        )
    ).scalar()


def existing_ids(conn: Connection, table: Table, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        found.update(
            conn.execute(select(table.c.id).where(table.c.id.in_(ids[i : i + CHUNK]))).scalars()
        )
    return found


# ------------------------------------------------------------------------------ inventory
@dataclass
class Applied:
    """What applying one delta did."""

    show_id: str
    changed: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


class UnknownSeats(ValueError):
    def __init__(self, show_id: str, seat_ids: Sequence[str]) -> None:
        super().__init__(f"show {show_id} has no seats {', '.join(sorted(seat_ids)[:20])}")
        self.seat_ids = list(seat_ids)


class UnknownShowError(ValueError):
    pass


def apply_delta(
    conn: Connection,
    delta: InventoryDelta,
    now: datetime | None = None,
    *,
    show_id: str | None = None,
    superseded: frozenset[str] = frozenset(),
) -> Applied:
    """Apply what a POS says about seats of one show, in the caller's transaction.

    What each report means (our own step echoed, the POS's own business, or a conflict) is
    booking.pos_reports.judge's call; this reads the facts it needs and writes its verdict.
    `superseded` names seats a later delta of the same batch reports again.

    The read and the write are not one statement, so each write is conditional on the seat's
    row version being the one judged: a seat a Marquee hold or sale changed meanwhile is read
    and judged again, never overwritten by a decision made for what it was.
    Unknown seat ids reject the whole delta (UnknownSeats), so nothing is half applied.
    """
    now = now or utcnow()
    target = show_id or delta.show_id
    wanted = {c.seat_id: c for c in delta.changes}
    seats.ensure_inventory(conn, target)
    result = Applied(target)
    if not push_order.accept_sequence(conn, delta.connector_id, target, delta.sequence):
        # Older than what this POS already said about the show (a late or replayed push, a
        # re-read feed page): it never rolls a seat back.
        result.unchanged += len(wanted)
        return result
    pending = list(wanted)
    for attempt in range(RACE_ATTEMPTS):
        rows = _seat_facts(conn, target, pending, now)
        if attempt == 0:
            if (
                not rows
                and not conn.execute(select(shows.c.id).where(shows.c.id == target)).scalar()
            ):
                raise UnknownShowError(f"no show {target}")
            missing = [s for s in pending if s not in rows]
            if missing:
                raise UnknownSeats(target, missing)
        writes: dict[SeatStatus, list[tuple[str, int]]] = {}
        confirmed: dict[SeatStatus, list[str]] = {}
        conflicts: dict[str, tuple[pos_reports.Decision, pos_reports.Report, dict[str, Any]]] = {}
        for seat_id in pending:
            change = wanted[seat_id]
            row, facts = rows[seat_id]
            report = pos_reports.Report(
                status=SeatStatus(change.status),
                source=delta.source,
                observed_at=_aware(delta.observed_at),
                external_ref=change.external_ref,
                superseded=seat_id in superseded,
            )
            decision = pos_reports.judge(facts, report)
            detail = pos_reports.conflict_detail(facts, report, row.hold_id, delta.sequence)
            if decision.verdict == pos_reports.Verdict.CONFLICT_KEEP:
                result.conflicts.append(_conflict(conn, delta, target, seat_id, decision, detail))
            elif decision.verdict == pos_reports.Verdict.IGNORE:
                result.unchanged += 1
                if decision.reason == pos_reports.ALREADY_SO:
                    confirmed.setdefault(report.status, []).append(seat_id)
            else:
                writes.setdefault(report.status, []).append((seat_id, row.version))
                if decision.conflict:
                    conflicts[seat_id] = (decision, report, detail)
        for status, same in confirmed.items():
            _remember_pos_status(conn, target, status, same)
        pending = []
        for status, targets in writes.items():
            written = _write_pos_status(conn, target, status, targets, delta.connector_id, now)
            result.changed += len(written)
            for seat_id, _ in targets:
                if seat_id not in written:
                    pending.append(seat_id)  # changed since it was read: judge it again
                elif seat_id in conflicts:
                    decision, _, detail = conflicts[seat_id]
                    result.conflicts.append(
                        _conflict(conn, delta, target, seat_id, decision, detail)
                    )
        if not pending:
            return result
    raise ConcurrentSeatChange(f"seats {', '.join(pending)} of {target} keep changing")


RACE_ATTEMPTS = 5


class ConcurrentSeatChange(RuntimeError):
    """A seat changed under every attempt to apply a report to it (the delta is retried)."""


def _seat_facts(
    conn: Connection, show_id: str, seat_ids: Sequence[str], now: datetime
) -> dict[str, tuple[Any, pos_reports.SeatFacts]]:
    """Each seat's row with what booking.pos_reports needs to know about it."""
    rows = {
        r.seat_id: r
        for r in conn.execute(
            select(show_seats).where(
                show_seats.c.show_id == show_id, show_seats.c.seat_id.in_(list(seat_ids))
            )
        )
    }
    hold_ids = {
        r.hold_id for r in rows.values() if r.hold_id and not r.hold_id.startswith(POS_HOLD_PREFIX)
    }
    booking_ids = {r.booking_id for r in rows.values() if r.booking_id}
    booked = {}
    if booking_ids:
        booked = {
            b.id: b
            for b in conn.execute(
                select(
                    bookings.c.id, bookings.c.hold_id, bookings.c.status, bookings.c.remote_ref
                ).where(bookings.c.id.in_(list(booking_ids)))
            )
        }
        hold_ids |= {b.hold_id for b in booked.values() if b.hold_id}
    held = {}
    if hold_ids:
        held = {
            h.id: h
            for h in conn.execute(
                select(holds.c.id, holds.c.remote_ref, holds.c.created_at).where(
                    holds.c.id.in_(list(hold_ids))
                )
            )
        }
    out: dict[str, tuple[Any, pos_reports.SeatFacts]] = {}
    for seat_id, row in rows.items():
        # A POS hold has no expiry: it is live until the POS releases it.
        live = row.status == "held" and (
            row.hold_expires_at is None or _aware(row.hold_expires_at) > now
        )
        booking = booked.get(row.booking_id) if row.booking_id else None
        hold = held.get(booking.hold_id if booking else row.hold_id)
        own_hold = live and not (row.hold_id or "").startswith(POS_HOLD_PREFIX)
        out[seat_id] = (
            row,
            pos_reports.SeatFacts(
                status=SeatStatus("held" if live else "available")
                if row.status == "held"
                else SeatStatus(row.status),
                booking_id=row.booking_id,
                commit_pending=booking is not None
                and booking.status == "confirmed"
                and booking.remote_ref is None,
                own_hold=own_hold and row.booking_id is None,
                claimed_at=_aware(hold.created_at) if hold is not None else None,
                own_refs=pos_reports.own_refs(
                    hold_id=hold.id if hold is not None else None,
                    hold_remote_ref=hold.remote_ref if hold is not None else None,
                    booking_id=row.booking_id,
                    booking_remote_ref=booking.remote_ref if booking else None,
                ),
            ),
        )
    return out


def _write_pos_status(
    conn: Connection,
    show_id: str,
    status: SeatStatus,
    targets: Sequence[tuple[str, int]],
    connector_id: str | None,
    now: datetime,
) -> set[str]:
    """Set seats to the POS's status, each only if its row is still the version judged; the
    seats written."""
    values: dict[str, Any] = {
        "status": status.value,
        "pos_status": status.value,
        "version": show_seats.c.version + 1,
    }
    if status == SeatStatus.HELD:
        values |= {
            "hold_id": f"{POS_HOLD_PREFIX}{connector_id or 'pos'}"[:64],
            "hold_expires_at": None,
        }
    else:
        values |= {"hold_id": None, "hold_expires_at": None}
    written: set[str] = set()
    for i in range(0, len(targets), CHUNK):
        part = targets[i : i + CHUNK]
        written.update(
            conn.execute(
                update(show_seats)
                .where(
                    show_seats.c.show_id == show_id,
                    tuple_(show_seats.c.seat_id, show_seats.c.version).in_(list(part)),
                    show_seats.c.booking_id.is_(None),
                )
                .values(**values)
                .returning(show_seats.c.seat_id)
            ).scalars()
        )
    return written


def _remember_pos_status(
    conn: Connection, show_id: str, status: SeatStatus, seat_ids: Sequence[str]
) -> None:
    """Record the POS's word about seats that already were so (no version change: nothing a
    customer sees changed)."""
    for i in range(0, len(seat_ids), CHUNK):
        conn.execute(
            update(show_seats)
            .where(
                show_seats.c.show_id == show_id,
                show_seats.c.seat_id.in_(list(seat_ids[i : i + CHUNK])),
                or_(show_seats.c.pos_status.is_(None), show_seats.c.pos_status != status.value),
            )
            .values(pos_status=status.value)
        )


def _conflict(
    conn: Connection,
    delta: InventoryDelta,
    show_id: str,
    seat_id: str,
    decision: pos_reports.Decision,
    detail: dict[str, Any],
) -> str:
    return add_conflict(
        conn,
        connector_id=delta.connector_id,
        show_id=show_id,
        seat_id=seat_id,
        kind=decision.kind or "pos_report",
        detail=detail,
        action=decision.action or decision.reason,
    )


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def drifted_seats(
    conn: Connection, connector_id: str, since: datetime, now: datetime
) -> dict[str, dict[str, SeatStatus]]:
    """show id -> {seat id: what the POS last said} for seats of the connector's shows starting
    after `since` whose local state is no longer the POS's word: a seat the POS holds, sold or
    blocked that reads free here (or the other way round). Seats a Marquee customer booked or
    holds are booking's, and a seat Marquee blocked over a free POS seat is a house seat: neither
    is drift."""
    lapsed = and_(
        show_seats.c.status == "held",
        show_seats.c.hold_expires_at.is_not(None),
        show_seats.c.hold_expires_at <= now,
    )
    own_live_hold = and_(
        show_seats.c.status == "held",
        ~show_seats.c.hold_id.startswith(POS_HOLD_PREFIX),
        show_seats.c.hold_expires_at > now,
    )
    taken = ("held", "sold", "blocked")
    drift = or_(
        and_(
            show_seats.c.pos_status.in_(taken),
            or_(show_seats.c.status == "available", lapsed),
        ),
        and_(
            show_seats.c.pos_status == "available",
            or_(
                and_(
                    show_seats.c.status == "held",
                    show_seats.c.hold_id.startswith(POS_HOLD_PREFIX),
                ),
                show_seats.c.status == "sold",
            ),
        ),
        and_(
            show_seats.c.pos_status.in_(taken),
            show_seats.c.status.in_(taken),
            show_seats.c.status != show_seats.c.pos_status,
            ~own_live_hold,
            ~lapsed,
        ),
    )
    rows = conn.execute(
        select(show_seats.c.show_id, show_seats.c.seat_id, show_seats.c.pos_status)
        .join(shows, shows.c.id == show_seats.c.show_id)
        .join(theatres, theatres.c.id == shows.c.theatre_id)
        .where(
            theatres.c.connector_id == connector_id,
            shows.c.start_at >= since,
            show_seats.c.pos_status.is_not(None),
            show_seats.c.booking_id.is_(None),
            drift,
        )
        .order_by(show_seats.c.show_id, show_seats.c.seat_id)
    )
    out: dict[str, dict[str, SeatStatus]] = {}
    for r in rows:
        out.setdefault(r.show_id, {})[r.seat_id] = SeatStatus(r.pos_status)
    return out


def shows_between(conn: Connection, connector_id: str, start: datetime, end: datetime) -> list[str]:
    """Scheduled shows of a connector's theatres starting in [start, end)."""
    return list(
        conn.execute(
            select(shows.c.id)
            .join(theatres, theatres.c.id == shows.c.theatre_id)
            .where(
                theatres.c.connector_id == connector_id,
                shows.c.status == "scheduled",
                and_(shows.c.start_at >= start, shows.c.start_at < end),
            )
            .order_by(shows.c.start_at)
        ).scalars()
    )


def theatre_of_show(conn: Connection, show_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(theatres)
        .join(shows, shows.c.theatre_id == theatres.c.id)
        .where(shows.c.id == show_id)
    ).first()
    return dict(row._mapping) if row else None


def connector_theatres(conn: Connection, connector_id: str) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in conn.execute(
            select(theatres).where(theatres.c.connector_id == connector_id).order_by(theatres.c.id)
        )
    ]


def theatre_refs(conn: Connection, connector_id: str) -> list[dict[str, Any]]:
    """The connector's theatres with their current external id, in one query (an import asks
    for them once per payload; a country has thousands of theatres)."""
    rows = conn.execute(
        select(
            external_ids.c.external_id,
            theatres.c.id,
            theatres.c.timezone,
            theatres.c.currency,
            theatres.c.business_day_cutover_hour,
        )
        .join(theatres, theatres.c.id == external_ids.c.canonical_id)
        .where(
            external_ids.c.connector_id == connector_id,
            external_ids.c.entity == "theatre",
            theatres.c.connector_id == connector_id,
        )
        .order_by(theatres.c.id, external_ids.c.updated_at.desc())
    )
    seen: set[str] = set()
    out = []
    for r in rows:
        if r.id not in seen:  # the newest mapping wins, as in external_for
            seen.add(r.id)
            out.append(dict(r._mapping))
    return out


def screen_refs(conn: Connection, connector_id: str) -> dict[str, list[tuple[str, str]]]:
    """theatre id -> [(screen external id, screen id)], in one query."""
    rows = conn.execute(
        select(screens.c.theatre_id, screens.c.id, external_ids.c.external_id)
        .join(screens, screens.c.id == external_ids.c.canonical_id)
        .where(external_ids.c.connector_id == connector_id, external_ids.c.entity == "screen")
        .order_by(screens.c.theatre_id, screens.c.id, external_ids.c.updated_at.desc())
    )
    out: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for r in rows:
        if r.id not in seen:
            seen.add(r.id)
            out.setdefault(r.theatre_id, []).append((r.external_id, r.id))
    return out


def forget_connector_data(conn: Connection, connector_id: str) -> None:
    """Test and demo helper: drop a connector's cursors (not its catalog)."""
    conn.execute(delete(sync_cursors).where(sync_cursors.c.connector_id == connector_id))


def dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)
