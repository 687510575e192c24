"""Shows that vanished from a POS schedule: cancelled at the theatre.

Called at the end of a catalog import (connectors.catalog.import_catalog). A future show of
this connector's theatres inside the import window that the POS no longer lists becomes
`status='cancelled'`, unless it has bookings (confirmed, or pending: a payment under way), in
which case nothing is cancelled and a `pos_cancelled_show_with_bookings` conflict is recorded
for an admin (once per show while it is open). A cancelled show the POS lists again is
scheduled again.

What "listed" means: the canonical ids the POS's current schedule maps to, resolved the way the
import resolves them (the show itself, or the show a renumbered POS id was matched to). The
import does not hand its ids over, so the sweep reads the schedule again through the same
adapter and mapping (`listed_show_ids` on the report, when an import provides it, is used
instead). Sweeping is skipped, never guessed, when the listing is not complete: a payload of
shows became dead letters, or reading it again failed. A connector can turn the sweep off with
the setting `schedule_sweep: false`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from adapters.mapping import DeadLetter
from canonical import Show
from canonical.time import utcnow
from connectors.connector import Connector
from store import sync as sql
from store.tables import bookings, shows, sync_conflicts, theatres

log = logging.getLogger(__name__)
CONFLICT_KIND = "pos_cancelled_show_with_bookings"
BLOCKING_BOOKINGS = ("confirmed", "pending")


@dataclass
class SweepReport:
    connector_id: str
    cancelled: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"cancelled": self.cancelled, "reinstated": self.reinstated,
                "conflicts": self.conflicts, "skipped": self.skipped}


def sweep_vanished_shows(connector: Connector, report: Any, *, days: int) -> SweepReport:
    """Cancel the window's future shows the POS no longer lists (see the module docstring).
    `report` is the import's ImportReport; the sweep's own report is attached to it as
    `report.schedule_sweep` and returned."""
    out = SweepReport(connector.id)
    try:
        out = _sweep(connector, report, days, out)
    except Exception as exc:  # noqa: BLE001 - a failed sweep must not fail the import
        log.warning("connector %s: schedule sweep skipped: %s", connector.id, exc)
        out.skipped = f"{type(exc).__name__}: {exc}"[:300]
    report.schedule_sweep = out
    return out


def _sweep(connector: Connector, report: Any, days: int, out: SweepReport) -> SweepReport:
    if not connector.has("show") or connector.config.settings.get("schedule_sweep") is False:
        out.skipped = "no show entity, or the sweep is turned off"
        return out
    if getattr(report, "dead_letters", 0):
        # A rejected payload (of any entity) may have been the one listing a show: the
        # listing is not known to be complete.
        out.skipped = "the import had dead letters: the listing is incomplete"
        return out
    now = utcnow()
    # Conservative end: the window's last day may end later in some zones; shows on it are
    # left for the next import's window.
    end = datetime.combine(date.today() + timedelta(days=days), time(0), tzinfo=UTC)
    with connector.engine.connect() as conn:
        stored = _stored(conn, connector.id, now, end)
    if not stored:
        return out
    listed = getattr(report, "listed_show_ids", None)
    if listed is None:
        listed = _listed(connector, days)
        if listed is None:
            out.skipped = "the schedule could not be read again completely"
            return out
    listed = set(listed)
    if not listed:
        # An empty schedule (a file not written yet, a glitch) is not trusted to cancel all.
        out.skipped = "the POS listed no shows at all"
        return out
    with connector.engine.begin() as conn:
        for show_id, status in stored.items():
            if show_id in listed:
                if status == "cancelled":
                    conn.execute(update(shows).where(shows.c.id == show_id,
                                                     shows.c.status == "cancelled")
                                 .values(status="scheduled", updated_at=now))
                    out.reinstated.append(show_id)
                continue
            if status != "scheduled":
                continue
            if _has_bookings(conn, show_id):
                conflict = _conflict(conn, connector.id, show_id)
                if conflict:
                    out.conflicts.append(conflict)
                continue
            if conn.execute(update(shows).where(shows.c.id == show_id,
                                                shows.c.status == "scheduled")
                            .values(status="cancelled", updated_at=now)).rowcount:
                out.cancelled.append(show_id)
    if out.cancelled or out.conflicts:
        log.info("connector %s: %d shows cancelled at the POS, %d with bookings (conflicts)",
                 connector.id, len(out.cancelled), len(out.conflicts))
    return out


def _stored(conn: Connection, connector_id: str, start: datetime,
            end: datetime) -> dict[str, str]:
    """Show id -> status of the connector's shows starting in [start, end)."""
    return {r.id: r.status for r in conn.execute(
        select(shows.c.id, shows.c.status).join(theatres, theatres.c.id == shows.c.theatre_id)
        .where(theatres.c.connector_id == connector_id, shows.c.start_at >= start,
               shows.c.start_at < end))}


def _has_bookings(conn: Connection, show_id: str) -> bool:
    return conn.execute(select(bookings.c.id).where(
        bookings.c.show_id == show_id, bookings.c.status.in_(BLOCKING_BOOKINGS)).limit(1)
    ).first() is not None


def _conflict(conn: Connection, connector_id: str, show_id: str) -> str | None:
    """Record the conflict once: an open one for this show is not repeated each import."""
    if conn.execute(select(sync_conflicts.c.id).where(
            sync_conflicts.c.show_id == show_id, sync_conflicts.c.kind == CONFLICT_KIND,
            sync_conflicts.c.status == "open")).first() is not None:
        return None
    booked = list(conn.execute(select(bookings.c.id).where(
        bookings.c.show_id == show_id, bookings.c.status.in_(BLOCKING_BOOKINGS))).scalars())
    return sql.add_conflict(
        conn, connector_id=connector_id, show_id=show_id, seat_id="", kind=CONFLICT_KIND,
        detail={"bookings": booked, "reason": "the POS no longer lists this show"},
        action="kept the show scheduled: its bookings need the theatre or an admin")


# ---------------------------------------------------------------------------------- listing
def _calls(connector: Connector, days: int) -> Iterator[dict[str, Any]]:
    """The call variables of the show entity, as the import makes them."""
    needs = connector.transport_vars("show")
    today = date.today()
    window = {"from_date": today.isoformat(), "to_date": (today + timedelta(days)).isoformat()}
    if "cinema_id" not in needs:
        yield dict(window)
        return
    with connector.engine.connect() as conn:
        refs = sql.theatre_refs(conn, connector.id)
        screens_of = sql.screen_refs(conn, connector.id) if "screen_number" in needs else {}
    for theatre in refs:
        if "screen_number" in needs:
            for screen_ext, _ in screens_of.get(theatre["id"], []):
                yield {**window, "cinema_id": theatre["external_id"],
                       "screen_number": screen_ext}
        else:
            yield {**window, "cinema_id": theatre["external_id"]}


def _listed(connector: Connector, days: int) -> set[str] | None:
    """Canonical ids of every show the POS lists now; None if any part failed to map."""
    mapping = connector.mapping
    found: list[Show] = []
    for vars in _calls(connector, days):
        for payload in connector.fetch("show", vars):
            payload.vars = {**vars, **payload.vars}
            ctx = connector.context(payload.vars)
            with payload.opener() as stream:
                if mapping.protocol == "csv_sftp":
                    items: Iterable[Any] = mapping.stream("show", stream, ctx)
                else:
                    result = mapping.read("show", stream.read(), ctx, partial=True)
                    if result.dead_letters:
                        return None
                    items = result.records
                for item in items:
                    if isinstance(item, DeadLetter):
                        return None
                    if isinstance(item, Show):
                        found.append(item)
    return _canonical(connector, found)


def _canonical(connector: Connector, listed: list[Show]) -> set[str]:
    """Resolve mapped ids like the import: the show itself, a recorded alias, or the show at
    the same screen, movie and start."""
    out: set[str] = set()
    chunk = sql.CHUNK
    with connector.engine.connect() as conn:
        for i in range(0, len(listed), chunk):
            part = listed[i:i + chunk]
            ids = [s.id for s in part]
            existing = sql.existing_ids(conn, shows, ids)
            alias = sql.aliases(conn, connector.id, ids)
            rest = [s for s in part if s.id not in existing and s.id not in alias]
            at = sql.shows_at(conn, [(s.screen_id, s.movie_id, s.start) for s in rest])
            out |= existing | set(alias.values())
            out |= {t for s in rest
                    if (t := at.get((s.screen_id, s.movie_id, s.start.timestamp())))}
    return out
