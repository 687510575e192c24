"""Shows that vanished from a POS schedule, or that it reports cancelled: cancelled at the
theatre.

Called at the end of a catalog import (connectors.catalog.import_catalog). A future show of
this connector's theatres inside the import window that the POS no longer lists, or still
lists with the status `cancelled`, becomes `status='cancelled'`, unless it has bookings
(confirmed, or pending: a payment under way), in which case nothing is cancelled and a
`pos_cancelled_show_with_bookings` conflict is recorded for an admin (once per show while it
is open). A cancelled show the POS lists again (not as cancelled) is scheduled again.

What "listed" means: the canonical ids the POS's current schedule maps to, resolved the way the
import resolves them (the show itself, or the show a renumbered POS id was matched to). The
import records them as it writes (`listed_shows` on the report: a temp table, see
connectors.listed_shows) and the comparison is one UPDATE ... WHERE NOT EXISTS, so memory does
not grow with the catalog; without it the sweep reads the schedule again through the same
adapter and mapping into such a table. Sweeping is skipped, never guessed, when the listing
is not complete: a payload of shows became dead letters, or reading it again failed. A
connector can turn the sweep off with the setting `schedule_sweep: false`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, or_, select, update

from adapters.mapping import DeadLetter
from canonical import Show, ShowStatus
from canonical.time import utcnow
from connectors.catalog import fetch_payloads
from connectors.connector import Connector
from connectors.listed_shows import ListedShows, listed
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
        return {
            "cancelled": self.cancelled,
            "reinstated": self.reinstated,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
        }


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
    full_payloads: int = getattr(report, "full_payloads", 1)
    delta_payloads: int = getattr(report, "delta_payloads", 0)
    if not full_payloads and delta_payloads:
        out.skipped = "delta export: it changes only the shows it names"
        return out
    now = utcnow()
    # Conservative end: the window's last day may end later in some zones; shows on it are
    # left for the next import's window.
    end = datetime.combine(date.today() + timedelta(days=days), time(0), tzinfo=UTC)
    with connector.engine.connect() as conn:
        if conn.execute(_window(connector.id, now, end).limit(1)).first() is None:
            return out
    listing = getattr(report, "listed_shows", None)
    if listing is not None:
        return _apply(listing, connector.id, now, end, out, _scope(connector, report))
    with ListedShows(connector.engine) as listing:
        if not _listed(connector, days, listing):
            out.skipped = "the schedule could not be read again completely"
            return out
        return _apply(listing, connector.id, now, end, out)


def _window(connector_id: str, start: datetime, end: datetime) -> Select:
    """The connector's shows starting in [start, end)."""
    return select(shows.c.id, shows.c.status).where(
        shows.c.theatre_id.in_(
            select(theatres.c.id).where(theatres.c.connector_id == connector_id)
        ),
        shows.c.start_at >= start,
        shows.c.start_at < end,
    )


@dataclass
class SweepScope:
    """What the import's full exports covered: the sweep cancels nothing outside it."""

    theatre_ids: set[str] | None = None  # None: every theatre of the connector
    first_date: date | None = None
    last_date: date | None = None


def _scope(connector: Connector, report: Any) -> SweepScope | None:
    asked = getattr(report, "asked_theatres", None)
    files = getattr(report, "listed_theatres", None)
    if not asked and not files:
        return None
    ids: set[str] = set(files or ())
    if asked:
        with connector.engine.connect() as conn:
            by_ext = {r["external_id"]: r["id"] for r in sql.theatre_refs(conn, connector.id)}
        ids |= {by_ext[e] for e in asked if e in by_ext}
    dates = getattr(report, "listed_dates", None) or []
    if asked or not dates:
        return SweepScope(ids)  # per-theatre calls are bounded by the import window
    return SweepScope(ids, dates[0], dates[-1])


def _apply(
    listing: ListedShows,
    connector_id: str,
    now: datetime,
    end: datetime,
    out: SweepReport,
    scope: SweepScope | None = None,
) -> SweepReport:
    """Compare in SQL against the listing's temp table (on the listing's own connection:
    temp tables are per session)."""
    if not listing:
        # An empty schedule (a file not written yet, a glitch) is not trusted to cancel all.
        out.skipped = "the POS listed no shows at all"
        return out
    listing.analyze()
    in_window = and_(
        shows.c.theatre_id.in_(
            select(theatres.c.id).where(theatres.c.connector_id == connector_id)
        ),
        shows.c.start_at >= now,
        shows.c.start_at < end,
    )
    if scope is not None and scope.theatre_ids is not None:
        in_window = and_(in_window, shows.c.theatre_id.in_(sorted(scope.theatre_ids)))
    if scope is not None and scope.first_date is not None:
        in_window = and_(
            in_window,
            shows.c.business_date >= scope.first_date,
            shows.c.business_date <= scope.last_date,
        )
    is_listed = exists().where(listed.c.id == shows.c.id)
    # A show the POS still lists but reports cancelled is cancelled as a vanished one is.
    reported_cancelled = shows.c.reported_status == ShowStatus.CANCELLED.value
    gone = or_(~is_listed, reported_cancelled)
    live = and_(
        is_listed,
        or_(shows.c.reported_status.is_(None), ~reported_cancelled),
    )
    booked = exists().where(
        bookings.c.show_id == shows.c.id, bookings.c.status.in_(BLOCKING_BOOKINGS)
    )
    conn = listing.conn
    try:
        out.reinstated = sorted(
            conn.execute(
                update(shows)
                .where(in_window, shows.c.status == "cancelled", live)
                .values(status="scheduled", updated_at=now)
                .returning(shows.c.id)
            ).scalars()
        )
        out.cancelled = sorted(
            conn.execute(
                update(shows)
                .where(in_window, shows.c.status == "scheduled", gone, ~booked)
                .values(status="cancelled", updated_at=now)
                .returning(shows.c.id)
            ).scalars()
        )
        # Few by nature (a vanished show that people booked): handled one by one.
        kept = sorted(
            conn.execute(
                select(shows.c.id).where(in_window, shows.c.status == "scheduled", gone, booked)
            ).scalars()
        )
        for show_id in kept:
            conflict = _conflict(conn, connector_id, show_id)
            if conflict:
                out.conflicts.append(conflict)
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    if out.cancelled or out.conflicts:
        log.info(
            "connector %s: %d shows cancelled at the POS, %d with bookings (conflicts)",
            connector_id,
            len(out.cancelled),
            len(out.conflicts),
        )
    return out


def _conflict(conn: Connection, connector_id: str, show_id: str) -> str | None:
    """Record the conflict once: an open one for this show is not repeated each import."""
    if (
        conn.execute(
            select(sync_conflicts.c.id).where(
                sync_conflicts.c.show_id == show_id,
                sync_conflicts.c.kind == CONFLICT_KIND,
                sync_conflicts.c.status == "open",
            )
        ).first()
        is not None
    ):
        return None
    booked = list(
        conn.execute(
            select(bookings.c.id).where(
                bookings.c.show_id == show_id, bookings.c.status.in_(BLOCKING_BOOKINGS)
            )
        ).scalars()
    )
    return sql.add_conflict(
        conn,
        connector_id=connector_id,
        show_id=show_id,
        seat_id="",
        kind=CONFLICT_KIND,
        detail={
            "bookings": booked,
            "reason": "the POS no longer lists this show, or reports it cancelled",
        },
        action="kept the show scheduled: its bookings need the theatre or an admin",
    )


# ---------------------------------------------------------------------------------- listing
def _listed(connector: Connector, days: int, listing: ListedShows) -> bool:
    """Put the canonical id of every show the POS lists now into `listing`, a chunk at a
    time; False if any part failed to map."""
    mapping = connector.mapping
    found: list[Show] = []
    for payload in fetch_payloads(connector, "show", days):
        ctx = connector.context(payload.vars)
        with payload.opener() as stream:
            if mapping.source_format("show") == "csv":
                items: Iterable[Any] = mapping.stream("show", stream, ctx)
            else:
                result = mapping.read("show", stream.read(), ctx, partial=True)
                if result.dead_letters:
                    return False
                items = result.records
            for item in items:
                if isinstance(item, DeadLetter):
                    return False
                if isinstance(item, Show):
                    found.append(item)
                    if len(found) >= sql.CHUNK:
                        listing.add(_canonical(connector, found))
                        found = []
    listing.add(_canonical(connector, found))
    return True


def _canonical(connector: Connector, listed: list[Show]) -> set[str]:
    """Resolve mapped ids like the import: the show itself, a recorded alias, or the show at
    the same screen, movie and start."""
    out: set[str] = set()
    chunk = sql.CHUNK
    with connector.engine.connect() as conn:
        for i in range(0, len(listed), chunk):
            part = listed[i : i + chunk]
            ids = [s.id for s in part]
            existing = sql.existing_ids(conn, shows, ids)
            alias = sql.aliases(conn, connector.id, ids)
            rest = [s for s in part if s.id not in existing and s.id not in alias]
            at = sql.shows_at(conn, [(s.screen_id, s.movie_id, s.start) for s in rest])
            out |= existing | set(alias.values())
            out |= {
                t for s in rest if (t := at.get((s.screen_id, s.movie_id, s.start.timestamp())))
            }
    return out
