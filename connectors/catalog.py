"""Catalog and localization import for one connector, driven by its mapping.

Entities are read by the names the mappings share (theatre, movie, translation, screen,
seat_layout, show). What a call needs comes from the entity's transport: a transport that
names `{$cinema_id}` is called once per theatre, `{$screen_number}` once per screen,
`{$from_date}`/`{$to_date}` get the import window; a CSV transport lists its files instead.

Idempotent: canonical ids are derived from (connector, scope, external id), rows equal to what
is stored are not written, and the external_ids table records every pair. A show the POS
renumbered (same screen, movie and start under a new id) is matched to the show we have, not
duplicated: the new POS id is mapped to it, and the derived id becomes an alias.

Record isolation (the mapping's `isolation: record`, the default): a record that fails is a
dead letter with its own slice of the payload, the mapping version and the failing field, and
the payload's other records are written in one transaction; `isolation: payload` writes a
payload all-or-nothing. Records two pages both hold are applied once. Shows whose movie,
screen or layout has not arrived wait for the end of the import. A full export's payloads
bound what the schedule sweep may cancel; delta payloads cancel nothing (the entity's
`export`). A call the POS refused fails the import with a dead letter naming the call.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Connection

from adapters.base import AdapterError, Payload
from adapters.mapping import DeadLetter
from canonical import Movie, Screen, SeatLayout, Show, Theatre, Translation
from canonical.time import utcnow
from connectors.connector import Connector
from connectors.import_window import beyond_window
from connectors.listed_shows import ListedShows
from store import sync as sql
from store.tables import screens

log = logging.getLogger(__name__)
SHOW_CHUNK = 2000
GROUP_RECORDS = 2000  # records of small payloads (layout files, pages) written together
GROUP_PAYLOADS = 20
# Only entities whose payloads are independent (a record never merges with another payload's
# record of the same id, as translations do) are grouped.
GROUPED = frozenset({"seat_layout"})
# Entities whose records of one id merge (one translation per language) are never deduped.
MERGED = frozenset({"translation"})


@dataclass
class ImportReport:
    connector_id: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dead_letters: int = 0
    rejected_payloads: list[str] = field(default_factory=list)
    # Canonical ids of every show the POS listed in this import (after alias matching), so
    # the schedule sweep need not read and map the whole schedule a second time. Kept in a
    # temp table (connectors.listed_shows), not in memory; import_catalog closes it.
    listed_shows: ListedShows | None = None
    # Ids already taken in this import, per entity: a record that two pages (or files) both
    # hold is applied once and counted as a duplicate.
    seen: dict[str, set[str]] = field(default_factory=dict)
    duplicates: int = 0
    # Shows that named a movie or screen not stored yet: written at the end of the import.
    waiting: list[Show] = field(default_factory=list)
    # A POS that publishes layouts only per show: the first listed show of each screen (whose
    # seat map gives the screen's layout) and the screens whose layout this import has read.
    show_of_screen: dict[str, Show] = field(default_factory=dict)
    layouts_read: set[str] = field(default_factory=set)
    # What the schedule sweep may cancel: what full exports covered. Theatres asked for by
    # a per-theatre call (their external ids) or listed by a file; the business dates a file
    # listed (a per-theatre call is bounded by its window instead).
    full_payloads: int = 0
    delta_payloads: int = 0
    asked_theatres: set[str] = field(default_factory=set)
    listed_theatres: set[str] = field(default_factory=set)
    listed_dates: list[date] = field(default_factory=list)  # [first, last] of file listings
    # This run's id and the mapping it ran with (system, language version, file fingerprint).
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    mapping: dict[str, Any] = field(default_factory=dict)

    def first_time(self, entity: str, record: Any) -> bool:
        if entity in MERGED:
            return True
        ids = self.seen.setdefault(entity, set())
        key = getattr(record, "id", None)
        if key is None:
            return True
        if key in ids:
            self.duplicates += 1
            return False
        ids.add(key)
        return True

    def add(self, entity: str, written: sql.Written) -> None:
        slot = self.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
        for key, value in written.as_dict().items():
            slot[key] += value

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "connector": self.connector_id,
            "mapping": self.mapping,
            "counts": self.counts,
            "dead_letters": self.dead_letters,
            "rejected": self.rejected_payloads,
            "duplicates": self.duplicates,
        }


# ---------------------------------------------------------------------------------- helpers
def mapping_version(connector: Connector) -> dict[str, Any]:
    m = connector.mapping
    return {
        "system": m.system,
        "language_version": m.version,
        "fingerprint": getattr(m, "fingerprint", None),
        "path": connector.config.mapping,
    }


def _dead(
    conn: Connection,
    connector: Connector,
    letters: Iterable[DeadLetter],
    vars: dict[str, Any] | None = None,
) -> int:
    n = 0
    for d in letters:
        sql.add_dead_letter(
            conn,
            connector_id=connector.id,
            system=d.system,
            mapping_version=d.mapping_version,
            entity=d.entity,
            field=d.field_path,
            reason=d.reason,
            payload=d.payload,
            vars=vars,
        )
        n += 1
    return n


def record_dead(
    connector: Connector,
    letters: list[DeadLetter],
    report: Any | None,
    payload_name: str,
    vars: dict[str, Any] | None = None,
) -> None:
    """Persist dead letters in their own transaction (the batch itself was rolled back).
    `vars` are the call variables the payload was mapped with (file-name groups, the theatre
    called for): kept with each letter, so its replay reads the record as the import did."""
    if not letters:
        return
    with connector.engine.begin() as conn:
        n = _dead(conn, connector, letters, vars)
    if report is not None:
        report.dead_letters += n
        report.rejected_payloads.append(payload_name)
    log.warning(
        "connector %s: %d dead letters from %s (first: %s at %s)",
        connector.id,
        n,
        payload_name,
        letters[0].reason,
        letters[0].field_path,
    )


def _read(
    connector: Connector,
    entity: str,
    payload: Payload,
    report: ImportReport,
    vars: dict[str, Any] | None = None,
) -> list[BaseModel]:
    ctx = connector.context({**payload.vars, **(vars or {})})
    isolate = connector.mapping.isolation(entity) == "record"
    result = connector.mapping.read(entity, payload.read(), ctx, partial=isolate)
    if result.dead_letters:
        record_dead(connector, result.dead_letters, report, payload.name, ctx.vars)
        if not isolate:
            return []
    return result.records


def _ext(record: Any) -> list[tuple[str, str]]:
    return [(ref.scope, ref.external_id) for ref in getattr(record, "external_refs", ())]


def _map_ids(conn: Connection, connector: Connector, entity: str, records: Iterable[Any]) -> None:
    sql.map_external(
        conn, [(connector.id, entity, scope, ext, r.id) for r in records for scope, ext in _ext(r)]
    )


def _window(days: int, zone: str | None) -> dict[str, Any]:
    """The import window as call variables: today and today + days, in the theatre's zone when
    the call is per theatre (a vendor's "today" is its own), and that zone as `timezone` so a
    template can send them as epoch seconds of the local midnight."""
    today = datetime.now(ZoneInfo(zone)).date() if zone else date.today()
    window: dict[str, Any] = {
        "from_date": today.isoformat(),
        "to_date": (today + timedelta(days)).isoformat(),
        "date": today.isoformat(),
    }
    if zone:
        window["timezone"] = zone
    return window


def call_vars(connector: Connector, entity: str, days: int) -> Iterator[dict[str, Any]]:
    """The call variables an entity's fetches need, one dict per call."""
    needs = connector.transport_vars(entity)
    if "cinema_id" not in needs:
        yield _window(days, None)
        return
    with connector.engine.connect() as conn:
        theatres = sql.theatre_refs(conn, connector.id)
        screens_of = sql.screen_refs(conn, connector.id) if "screen_number" in needs else {}
    for theatre in theatres:
        ext = theatre["external_id"]
        window = _window(days, theatre.get("timezone"))
        if "screen_number" in needs:
            for screen_ext, _ in screens_of.get(theatre["id"], []):
                yield {**window, "cinema_id": ext, "screen_number": screen_ext}
        else:
            yield {**window, "cinema_id": ext}


def fetch_payloads(connector: Connector, entity: str, days: int) -> Iterator[Payload]:
    """Every payload of an entity over `days`, one fetch per call its transport needs (per
    theatre, per screen), with the call's variables on each payload.

    A call the POS refused (an HTTP error, or an error inside a 200 such as `ok: false` on a
    list page) is a dead letter naming the call, and the import fails: a list that was not
    read to its end must never look complete (the schedule sweep would cancel what it lacks).
    """
    for vars in call_vars(connector, entity, days):
        try:
            payloads = connector.fetch(entity, vars)
        except AdapterError as exc:
            record_failed_call(connector, entity, vars, exc)
            raise
        for payload in payloads:
            payload.vars = {**vars, **payload.vars}
            yield payload


def record_failed_call(
    connector: Connector, entity: str, vars: dict[str, Any], exc: Exception
) -> None:
    call = ", ".join(f"{k}={v}" for k, v in sorted(vars.items()))
    letter = DeadLetter(
        system=connector.mapping.system,
        mapping_version=connector.mapping.version,
        entity=entity,
        field_path="$call",
        reason=f"fetch failed: {type(exc).__name__}: {exc}",
        payload=f"fetch {entity} ({call})",
    )
    record_dead(connector, [letter], None, letter.payload, vars)


# ---------------------------------------------------------------------------------- import
def import_catalog(
    connector: Connector,
    *,
    days: int = 14,
    entities: tuple[str, ...] = ("theatre", "movie", "screen", "seat_layout", "show"),
) -> ImportReport:
    report = ImportReport(connector.id, mapping=mapping_version(connector))
    connector.forget_imported()  # joins read this import's records, not an older run's
    if "theatre" in entities:
        _simple(connector, "theatre", report, days)
    if "movie" in entities and connector.has("movie"):
        _simple(connector, "movie", report, days)
    if "screen" in entities:
        _simple(connector, "screen", report, days)
    if "seat_layout" in entities and not layouts_per_show(connector):
        _simple(connector, "seat_layout", report, days)
    if "show" in entities:
        try:
            for payload in fetch_payloads(connector, "show", days):
                full = connector.mapping.export_kind("show", payload.vars) == "full"
                import_shows(connector, payload, report, full=full)
            write_waiting(connector, report)
            if layouts_per_show(connector):
                refit_layouts_from_shows(connector, report)
            from connectors.schedule_sweep import sweep_vanished_shows  # shows the POS dropped

            sweep_vanished_shows(connector, report, days=days)
        finally:
            if report.listed_shows is not None:
                report.listed_shows.close()
                report.listed_shows = None
    with connector.engine.begin() as conn:
        sql.set_cursor(conn, connector.id, "catalog", utcnow().isoformat())
    return report


def _simple(connector: Connector, entity: str, report: ImportReport, days: int) -> None:
    """Each payload maps all-or-nothing; the payloads that mapped are written together, up to
    GROUP_RECORDS records or GROUP_PAYLOADS payloads per transaction (a country has 20,000
    layout files: one transaction each cost more than mapping them)."""
    pending: list[Payload] = []
    records: list[BaseModel] = []
    for payload in fetch_payloads(connector, entity, days):
        mapped = [
            r for r in _read(connector, entity, payload, report) if report.first_time(entity, r)
        ]
        if not mapped:
            continue
        pending.append(payload)
        records.extend(mapped)
        if entity not in GROUPED or len(records) >= GROUP_RECORDS or len(pending) >= GROUP_PAYLOADS:
            _flush(connector, entity, pending, records, report)
            pending, records = [], []
    if pending:
        _flush(connector, entity, pending, records, report)


def _flush(
    connector: Connector,
    entity: str,
    payloads: list[Payload],
    records: list[BaseModel],
    report: ImportReport,
) -> None:
    with connector.engine.begin() as conn:
        _write(conn, connector, entity, records, report)
    for payload in payloads:
        connector.adapter.acknowledge(payload)


def _write(
    conn: Connection, connector: Connector, entity: str, records: list[Any], report: ImportReport
) -> None:
    if entity == "theatre":
        theatres = [
            t.model_copy(update={"connector_id": connector.id})
            for t in records
            if isinstance(t, Theatre)
        ]
        report.add(entity, sql.write_theatres(conn, theatres))
        _map_ids(conn, connector, "theatre", theatres)
        connector.forget_theatres()
    elif entity == "movie":
        movies = [m for m in records if isinstance(m, Movie)]
        report.add(entity, sql.write_movies(conn, movies))
        _map_ids(conn, connector, "movie", movies)
    elif entity == "screen":
        items = [s for s in records if isinstance(s, Screen)]
        report.add(entity, sql.write_screens(conn, items))
        _map_ids(conn, connector, "screen", items)
    elif entity == "seat_layout":
        layouts = [x for x in records if isinstance(x, SeatLayout)]
        # A layout file may arrive before its screen row exists (CSV): skip what has no screen.
        known = sql.existing_ids(conn, screens, [x.screen_id for x in layouts])
        report.add(entity, sql.write_layouts(conn, [x for x in layouts if x.screen_id in known]))
    elif entity == "translation":
        rows = [
            {
                "movie_id": t.movie_id,
                "language": t.language,
                "title": t.title,
                "synopsis": t.synopsis,
            }
            for t in records
            if isinstance(t, Translation)
        ]
        from store.tables import movies as movies_table

        known = sql.existing_ids(conn, movies_table, [r["movie_id"] for r in rows])
        report.add(
            entity, sql.write_translations(conn, [r for r in rows if r["movie_id"] in known])
        )


# ---------------------------------------------------------------------------------- shows
class _ShowWriter:
    """Writes shows of one payload in chunks inside the caller's transaction.

    Dependency order: a show whose movie, screen or seat layout is not stored yet waits
    (`report.waiting`) when `defer` is set, instead of dying on a foreign key; the import
    writes the waiting shows once everything else of the import has arrived
    (`write_waiting`), and only then makes the ones still missing something dead letters.
    Without `defer` (a replay, the final pass) such a show raises `_NoLayout`/`_Missing`.
    """

    def __init__(
        self, conn: Connection, connector: Connector, report: ImportReport, defer: bool = False
    ) -> None:
        self.conn, self.connector, self.report = conn, connector, report
        self.defer = defer
        self.covers = False
        self.known_layouts: set[str] = set()
        self.known_movies: set[str] = set()
        self.layout_of_screen: dict[str, str | None] = {}

    def _ready(self, batch: list[Show]) -> list[Show]:
        """The shows whose movie, screen and layout are stored; the others wait or raise."""
        conn = self.conn
        unknown_movies = {s.movie_id for s in batch} - self.known_movies
        if unknown_movies:
            self.known_movies |= sql.existing_ids(conn, sql.movies, list(unknown_movies))
        missing_screens = {s.screen_id for s in batch} - set(self.layout_of_screen)
        if missing_screens:
            self.layout_of_screen.update(sql.screen_layouts(conn, missing_screens))
            for screen_id in missing_screens:
                self.layout_of_screen.setdefault(screen_id, None)
        layouts = {lid for s in batch if (lid := self.layout_of_screen.get(s.screen_id))}
        unknown = layouts - self.known_layouts
        if unknown:
            self.known_layouts |= sql.existing_ids(conn, sql.seat_layouts, list(unknown))
        ready = []
        for show in batch:
            lacks = _lacks(show, self)
            if lacks is None:
                ready.append(show)
            elif self.defer and len(self.report.waiting) < MAX_WAITING:
                self.report.waiting.append(show)
            else:
                raise _Missing(show, lacks)
        return ready

    def write(self, batch: list[Show]) -> None:
        conn, cid = self.conn, self.connector.id
        if self.report.listed_shows is None:
            self.report.listed_shows = ListedShows(self.connector.engine)
        batch = self._ready(batch)
        if not batch:
            return
        listed: list[str] = []
        # Renumbered shows: an alias recorded earlier, or the same screen + movie + start.
        alias = sql.aliases(conn, cid, [s.id for s in batch])
        existing = sql.existing_ids(conn, sql.shows, [s.id for s in batch])
        fresh = [s for s in batch if s.id not in existing and s.id not in alias]
        at = sql.shows_at(conn, [(s.screen_id, s.movie_id, s.start) for s in fresh])
        new_alias: list[tuple[str, str, str, str, str]] = []
        items: list[tuple[Show, str]] = []
        ext_rows: list[tuple[str, str, str, str, str]] = []
        for show in batch:
            target = alias.get(show.id)
            if target is None and show.id not in existing:
                target = at.get((show.screen_id, show.movie_id, show.start.timestamp()))
                if target is not None:
                    new_alias.append((cid, "show_alias", "", show.id, target))
            canonical = show if target is None else show.model_copy(update={"id": target})
            layout_id = self.layout_of_screen[show.screen_id]
            assert layout_id is not None  # _ready checked it
            items.append((canonical, layout_id))
            listed.append(canonical.id)
            ext_rows.extend((cid, "show", scope, ext, canonical.id) for scope, ext in _ext(show))
        self.report.listed_shows.add(listed)
        if self.covers:
            report = self.report
            report.listed_theatres.update(s.theatre_id for s in batch)
            days = [s.business_date for s in batch] + report.listed_dates
            report.listed_dates = [min(days), max(days)]
        written = sql.write_shows(conn, items)
        self.report.add("show", written)
        if written.created or written.updated or new_alias:
            changed: set[str] | None = set(written.new_ids) | {t for *_, t in new_alias}
            if written.updated:
                changed = None  # cheap enough to rewrite the mapping of a changed page
            sql.map_external(conn, [r for r in ext_rows if changed is None or r[4] in changed])
            sql.map_external(conn, new_alias)


MAX_WAITING = 100_000  # shows held back for their movie/screen; beyond that they fail at once


def _lacks(show: Show, writer: _ShowWriter) -> str | None:
    if show.movie_id not in writer.known_movies:
        return f"movie {show.movie_id}"
    layout_id = writer.layout_of_screen.get(show.screen_id)
    if layout_id is None:
        return f"screen {show.screen_id} (or its seat layout)"
    if layout_id not in writer.known_layouts:
        return f"seat layout {layout_id}"
    return None


class _NoLayout(Exception):
    def __init__(self, show: Show | None, layout_id: str | None = None) -> None:
        where = f"show {show.id} on screen {show.screen_id}" if show else f"layout {layout_id}"
        super().__init__(f"{where}: the screen or its seat layout was not imported")


class _Missing(_NoLayout):
    """A show names a movie, screen or layout that neither this import nor an earlier one
    brought."""

    def __init__(self, show: Show, lacks: str) -> None:
        Exception.__init__(
            self,
            f"show {show.id} names {lacks}, which neither this import nor an earlier one brought",
        )
        self.show, self.lacks = show, lacks


def layouts_per_show(connector: Connector) -> bool:
    """Some POSes publish a screen's seat layout only inside each show's seat map: the
    `seat_layout` transport then names `{$session_id}`."""
    return connector.has("seat_layout") and "session_id" in connector.transport_vars("seat_layout")


def _layouts_from_shows(connector: Connector, waiting: list[Show], report: ImportReport) -> None:
    """Screens without a layout get the one their first waiting show's seat map gives (one
    call per screen, not per show)."""
    with connector.engine.connect() as conn:
        have = sql.screen_layouts(conn, {s.screen_id for s in waiting})
        stored = sql.existing_ids(
            conn, sql.seat_layouts, [lid for lid in have.values() if lid is not None]
        )
    first: dict[str, Show] = {}
    for show in waiting:
        if have.get(show.screen_id) not in stored:
            first.setdefault(show.screen_id, show)
    _layouts_of(connector, list(first.values()), report)


def refit_layouts_from_shows(connector: Connector, report: ImportReport) -> None:
    """A screen whose layout exists only per show can be refitted too: each import reads one
    current seat map per screen it listed a show for (one call per screen, as a per-screen
    layout call would); a changed plan is a new version (store.sync.write_layouts), and shows
    already sold keep the seats they were sold on."""
    shows_ = [s for sid, s in report.show_of_screen.items() if sid not in report.layouts_read]
    _layouts_of(connector, shows_, report)


def _layouts_of(connector: Connector, shows_: list[Show], report: ImportReport) -> None:
    """Read and write each show's screen layout from that show's seat map."""
    if not shows_:
        return
    with connector.engine.connect() as conn:
        theatre_ext = {r["id"]: r["external_id"] for r in sql.theatre_refs(conn, connector.id)}
        screen_ext = {
            sid: ext for refs in sql.screen_refs(conn, connector.id).values() for ext, sid in refs
        }
    for show in shows_:
        screen = show.screen_id
        if not show.external_refs or screen in report.layouts_read:
            continue
        report.layouts_read.add(screen)
        if show.theatre_id not in theatre_ext or screen not in screen_ext:
            continue
        vars = {
            "cinema_id": theatre_ext[show.theatre_id],
            "screen_number": screen_ext[screen],
            "session_id": show.external_refs[0].external_id,
        }
        try:
            payloads = connector.fetch("seat_layout", vars)
        except AdapterError as exc:
            record_failed_call(connector, "seat_layout", vars, exc)
            continue
        for payload in payloads:
            payload.vars = {**vars, **payload.vars}
            records = _read(connector, "seat_layout", payload, report)
            if records:
                _flush(connector, "seat_layout", [payload], records, report)


def write_waiting(connector: Connector, report: ImportReport) -> None:
    """The shows that waited for their movie, screen or layout, once the rest of the import
    is in: written now, or dead letters naming what they still lack."""
    waiting, report.waiting = report.waiting, []
    if not waiting:
        return
    if layouts_per_show(connector):
        _layouts_from_shows(connector, waiting, report)
    dead: list[DeadLetter] = []
    mapping = connector.mapping
    with connector.engine.begin() as conn:
        writer = _ShowWriter(conn, connector, report)
        ready = []
        for show in waiting:
            try:
                writer._ready([show])
                ready.append(show)
            except _Missing as exc:
                dead.append(
                    DeadLetter(
                        system=mapping.system,
                        mapping_version=mapping.version,
                        entity="show",
                        field_path="movie_id" if exc.lacks.startswith("movie") else "screen_id",
                        reason=str(exc),
                        payload=show.model_dump_json(),
                    )
                )
        for i in range(0, len(ready), SHOW_CHUNK):
            writer.write(ready[i : i + SHOW_CHUNK])
    record_dead(connector, dead, report, "shows waiting for their movie or screen")


def import_shows(
    connector: Connector, payload: Payload, report: ImportReport, *, full: bool = True
) -> None:
    """One payload of shows, streamed and written in chunks in one transaction.

    With the mapping's `isolation: record` (the default) a record that fails is a dead letter
    and the others are written; with `isolation: payload` the transaction commits only if
    every record mapped, otherwise it rolls back and the failures become dead letters.
    Shows whose movie or screen has not arrived yet wait for the end of the import.
    """
    ctx = connector.context(payload.vars)
    mapping = connector.mapping
    isolate = mapping.isolation("show") == "record"
    dead: list[DeadLetter] = []
    batch: list[Show] = []
    with connector.engine.connect() as conn:
        trans = conn.begin()
        writer = _ShowWriter(conn, connector, report, defer=True)
        if full and payload.vars.get("cinema_id") is not None:
            report.asked_theatres.add(str(payload.vars["cinema_id"]))
        else:
            writer.covers = full  # a file export covers the theatres and dates it lists
        if full:
            report.full_payloads += 1
        else:
            report.delta_payloads += 1
        counts_before = {k: dict(v) for k, v in report.counts.items()}
        waiting_before = len(report.waiting)
        try:
            with payload.opener() as stream:
                items = (
                    mapping.stream("show", stream, ctx)
                    if mapping.source_format("show") == "csv"
                    else iter(_as_items(mapping.read("show", stream.read(), ctx, partial=True)))
                )
                for item in items:
                    if isinstance(item, DeadLetter):
                        dead.append(item)
                        if len(dead) >= 1000 and not isolate:
                            break
                        continue
                    if dead and not isolate:
                        continue  # the batch is lost anyway: only collect the failures
                    if beyond_window(item, payload.vars):  # type: ignore[arg-type]
                        continue  # the POS lists more days than the import asked for
                    if not report.first_time("show", item):
                        continue
                    report.show_of_screen.setdefault(item.screen_id, item)  # type: ignore[union-attr]
                    batch.append(item)  # type: ignore[arg-type]
                    if len(batch) >= SHOW_CHUNK:
                        writer.write(batch)
                        batch = []
                if batch and (isolate or not dead):
                    writer.write(batch)
        except _NoLayout as exc:
            dead.append(
                DeadLetter(
                    system=mapping.system,
                    mapping_version=mapping.version,
                    entity="show",
                    field_path="screen_id",
                    reason=str(exc),
                    payload=payload.name,
                )
            )
            isolate = False
        if dead and not isolate:
            trans.rollback()
            report.counts = counts_before
            del report.waiting[waiting_before:]
        else:
            trans.commit()
    if dead:
        record_dead(connector, dead, report, payload.name, ctx.vars)
    if not dead or isolate:
        connector.adapter.acknowledge(payload)


def _as_items(result: Any) -> list[Any]:
    return [*result.dead_letters, *result.records] if result.dead_letters else result.records


# ---------------------------------------------------------------------------------- i18n
def import_localization(connector: Connector) -> ImportReport:
    """Titles and synopses per language. Mappings without a `translation` entity carry their
    translations inside `movie` (soapbox, reelfeed): those are re-read from the movie feed."""
    report = ImportReport(connector.id, mapping=mapping_version(connector))
    entity = "translation" if connector.has("translation") else "movie"
    for payload in fetch_payloads(connector, entity, 0):
        records = _read(connector, entity, payload, report)
        if not records:
            continue
        with connector.engine.begin() as conn:
            if entity == "translation":
                _write(conn, connector, "translation", records, report)
            else:
                rows = []
                for m in records:
                    if not isinstance(m, Movie):
                        continue
                    for lang in sorted(set(m.title.values) | set(m.synopsis.values)):
                        rows.append(
                            {
                                "movie_id": m.id,
                                "language": lang,
                                "title": m.title.values.get(lang),
                                "synopsis": m.synopsis.values.get(lang),
                            }
                        )
                known = sql.existing_ids(conn, sql.movies, [r["movie_id"] for r in rows])
                report.add(
                    "translation",
                    sql.write_translations(conn, [r for r in rows if r["movie_id"] in known]),
                )
    with connector.engine.begin() as conn:
        sql.set_cursor(conn, connector.id, "localization", utcnow().isoformat())
    return report
