"""Inbound inventory: pushes, polls and reconciliation, as canonical InventoryDeltas.

Each delta is applied in its own transaction (store.sync.apply_delta), so a delta is all or
nothing; a delta naming seats the show does not have, or a show we do not know, is a dead letter
with the original payload. Streams keep a cursor per connector (`sync_cursors`):

- `seat_events` (a sequence feed, restline): the cursor is the last sequence applied; each poll
  re-reads a look-back window of events before it (applying a delta twice changes nothing), so
  an event the POS wrote late is not lost.
- seat snapshot files (reelfeed): the cursor remembers the files applied with a fingerprint of
  their content, so a file dropped twice is applied once, and a file replaced under the same
  name is applied again.
- reconciliation (`seat_snapshot` per show): the full seat plan of every show in the window is
  compared with ours; drift is repaired and conflicts recorded (store.sync.apply_delta).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection

from adapters.base import Payload
from adapters.mapping import DeadLetter
from booking import pos_reports
from canonical import DeltaSource, InventoryDelta, SeatChange
from canonical.time import utcnow
from connectors.catalog import record_dead
from connectors.connector import Connector
from store import sync as sql

log = logging.getLogger(__name__)
PUSH_ENTITY = "seat_push"
EVENTS_ENTITY = "seat_events"
SNAPSHOT_ENTITY = "seat_snapshot"


class PushRejected(Exception):
    """A push that is not authentic (bad signature or key). Nothing was read or applied."""


@dataclass
class InventoryReport:
    connector_id: str
    deltas: int = 0
    seats_changed: int = 0
    conflicts: int = 0
    dead_letters: int = 0
    shows: int = 0
    errors: list[str] = field(default_factory=list)
    rejected_payloads: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector_id,
            "deltas": self.deltas,
            "seats_changed": self.seats_changed,
            "conflicts": self.conflicts,
            "dead_letters": self.dead_letters,
            "shows": self.shows,
            "errors": self.errors,
        }


# ---------------------------------------------------------------------------------- applying
def apply_deltas(
    connector: Connector,
    deltas: list[InventoryDelta],
    payload_text: str,
    report: InventoryReport,
    *,
    source: DeltaSource | None = None,
    later: list[frozenset[str]] | None = None,
    vars: dict[str, Any] | None = None,
) -> None:
    """Apply each delta in its own transaction. `later`: per delta, the seats a later delta of
    the same batch reports again (computed from `deltas` when not given). `vars`: the call
    variables the payload was mapped with, kept with a dead letter for its replay."""
    mapping = connector.mapping
    # Only the last word of a batch about a seat counts (held, then sold: a sale).
    later = pos_reports.superseded(deltas) if later is None else later
    for delta, superseded in zip(deltas, later, strict=True):
        if source is not None or delta.connector_id != connector.id:
            delta = delta.model_copy(
                update={"source": source or delta.source, "connector_id": connector.id}
            )
        try:
            with connector.engine.begin() as conn:
                target = sql.resolve_show(conn, connector.id, delta.show_id)
                if target is None:
                    raise sql.UnknownShowError(f"no show {delta.show_id} (import the catalog)")
                applied = sql.apply_delta(conn, delta, show_id=target, superseded=superseded)
        except (sql.UnknownSeats, sql.UnknownShowError) as exc:
            field_path = "changes[*].seat_id" if isinstance(exc, sql.UnknownSeats) else "show_id"
            record_dead(
                connector,
                [
                    DeadLetter(
                        system=mapping.system,
                        mapping_version=mapping.version,
                        entity="inventory_delta",
                        field_path=field_path,
                        reason=str(exc),
                        payload=payload_text,
                    )
                ],
                report,
                f"delta for {delta.show_id}",
                vars,
            )
            continue
        report.deltas += 1
        report.seats_changed += applied.changed
        report.conflicts += len(applied.conflicts)


class Mapped(NamedTuple):
    deltas: list[InventoryDelta]
    text: str
    vars: dict[str, Any]


def _map(
    connector: Connector,
    entity: str,
    payload: Payload | bytes,
    report: InventoryReport,
    vars: dict[str, Any] | None = None,
) -> Mapped:
    """The deltas of one payload, its text and the call variables it was mapped with."""
    body = payload if isinstance(payload, bytes) else payload.read()
    ctx = connector.context(
        {**(vars or {}), **({} if isinstance(payload, bytes) else payload.vars)}
    )
    result = connector.mapping.read(entity, body, ctx)
    text = body.decode("utf-8", errors="replace")
    if result.dead_letters:
        name = entity if isinstance(payload, bytes) else payload.name
        record_dead(connector, result.dead_letters, report, name, ctx.vars)
        return Mapped([], text, ctx.vars)
    return Mapped([r for r in result.records if isinstance(r, InventoryDelta)], text, ctx.vars)


# ---------------------------------------------------------------------------------- push
def receive_push(connector: Connector, headers: dict[str, str], body: bytes) -> InventoryReport:
    """A POS push (webhook / SOAP callback): authenticate, map, apply. Raises PushRejected."""
    if not connector.adapter.verify_push(PUSH_ENTITY, headers, body):
        raise PushRejected(f"push to connector {connector.id}: signature or key invalid")
    report = InventoryReport(connector.id)
    deltas, text, vars = _map(connector, PUSH_ENTITY, body, report)
    apply_deltas(connector, deltas, text, report, source=DeltaSource.POS_PUSH, vars=vars)
    return report


# ---------------------------------------------------------------------------------- poll
def poll_inventory(connector: Connector, *, lookback_events: int | None = None) -> InventoryReport:
    """One poll of the connector's inventory feed (event cursor, or snapshot files)."""
    report = InventoryReport(connector.id)
    if connector.has(EVENTS_ENTITY):
        _poll_events(connector, report, lookback_events)
    elif connector.has(SNAPSHOT_ENTITY) and "session_id" not in connector.transport_vars(
        SNAPSHOT_ENTITY
    ):
        _poll_files(connector, report)
    else:
        # No feed: reconcile upcoming shows instead (soapbox has push and per-show seat data).
        return reconcile(connector, hours=int(connector.config.settings.get("poll_hours", 48)))
    return report


def _poll_events(
    connector: Connector, report: InventoryReport, lookback_events: int | None
) -> None:
    lookback = (
        lookback_events
        if lookback_events is not None
        else int(connector.config.settings.get("lookback_events", 50))
    )
    with connector.engine.connect() as conn:
        stored = sql.get_cursor(conn, connector.id, EVENTS_ENTITY)
    since = str(max(0, int(stored) - lookback)) if stored and stored.isdigit() else stored
    while True:
        payloads = connector.fetch(EVENTS_ENTITY, {}, cursor=since)
        progressed = False
        for payload in payloads:
            deltas, text, vars = _map(connector, EVENTS_ENTITY, payload, report)
            apply_deltas(connector, deltas, text, report, source=DeltaSource.POS_POLL, vars=vars)
            new = payload.cursor
            if new and new != since:
                with connector.engine.begin() as conn:
                    _advance(conn, connector.id, EVENTS_ENTITY, stored, new)
                stored = _max_cursor(stored, new)
                progressed = bool(deltas) and new != since
                since = new
        if not progressed:
            return


def _max_cursor(old: str | None, new: str) -> str:
    if old and old.isdigit() and new.isdigit():
        return str(max(int(old), int(new)))
    return new


def _advance(conn: Connection, connector_id: str, stream: str, old: str | None, new: str) -> None:
    sql.set_cursor(conn, connector_id, stream, _max_cursor(old, new))


def _poll_files(connector: Connector, report: InventoryReport) -> None:
    """Snapshot files: apply those not applied before (by name and content fingerprint)."""
    with connector.engine.connect() as conn:
        raw = sql.get_cursor(conn, connector.id, SNAPSHOT_ENTITY)
    state = json.loads(raw) if raw else {"seen": {}}
    seen: dict[str, str] = state.get("seen", {})
    payloads = connector.fetch(SNAPSHOT_ENTITY, {})
    present = set()
    batch: list[Mapped] = []
    last = state.get("last")
    # A file that produced dead letters is remembered with the mapping revision it was read
    # with: the same file is not dead-lettered again every poll, but after a mapping fix it
    # is read again even though its content did not change.
    revision = getattr(connector.mapping, "fingerprint", None) or ""
    for payload in sorted(payloads, key=lambda p: p.name):
        present.add(payload.name)
        fingerprint = payload.fingerprint
        if fingerprint and seen.get(payload.name) in (fingerprint, f"{fingerprint}@{revision}"):
            continue  # the same file again: applied once already
        dead_before = report.dead_letters
        batch.append(_map(connector, SNAPSHOT_ENTITY, payload, report))
        failed = report.dead_letters > dead_before
        seen[payload.name] = f"{fingerprint}@{revision}" if failed else (fingerprint or "")
        last = payload.name
    if not batch:
        # Every file was applied before: idempotent by fingerprint, but local state may have
        # drifted from what they said since.
        repair_drift(connector, report)
        return
    # The files of one poll are one batch: a seat an older file reports free and a newer one
    # sold (our own sale, between two snapshots) is sold, not a conflict.
    later = pos_reports.superseded([d for mapped in batch for d in mapped.deltas])
    at = 0
    for deltas, text, vars in batch:
        apply_deltas(
            connector,
            deltas,
            text,
            report,
            source=DeltaSource.POS_POLL,
            later=later[at : at + len(deltas)],
            vars=vars,
        )
        at += len(deltas)
    with connector.engine.begin() as conn:
        # Forget files the POS removed; keep the rest (the look-back is what is present).
        sql.set_cursor(
            conn,
            connector.id,
            SNAPSHOT_ENTITY,
            json.dumps({"last": last, "seen": {k: v for k, v in seen.items() if k in present}}),
        )
    repair_drift(connector, report)


# ---------------------------------------------------------------------------------- drift
def repair_drift(connector: Connector, report: InventoryReport, *, hours_back: int = 3) -> int:
    """Apply again what the POS last said about seats whose local state no longer matches it
    (a box-office reservation freed here, a release not taken): a seat-state import is applied
    once per file fingerprint, so a file seen before does not repair them. Goes through the
    same rules as any report (store.sync.apply_delta). Returns the seats repaired."""
    now = utcnow()
    with connector.engine.connect() as conn:
        drifted = sql.drifted_seats(conn, connector.id, now - timedelta(hours=hours_back), now)
    if not drifted:
        return 0
    deltas = [
        InventoryDelta(
            show_id=show_id,
            changes=tuple(SeatChange(seat_id=s, status=st) for s, st in sorted(seats.items())),
            source=DeltaSource.RECONCILE,
            observed_at=now,
            connector_id=connector.id,
        )
        for show_id, seats in drifted.items()
    ]
    before = report.seats_changed
    log.info(
        "%s: %d seats drifted from the POS's last word",
        connector.id,
        sum(map(len, drifted.values())),
    )
    apply_deltas(connector, deltas, "", report)
    return report.seats_changed - before


# ---------------------------------------------------------------------------------- reconcile
def reconcile(connector: Connector, *, hours: int = 48) -> InventoryReport:
    """Compare the full seat plan of every show starting in the next `hours` with the POS's and
    repair drift; conflicts are recorded with the action taken."""
    report = InventoryReport(connector.id)
    if not connector.has(SNAPSHOT_ENTITY) or "session_id" not in connector.transport_vars(
        SNAPSHOT_ENTITY
    ):
        _poll_files(connector, report)  # file systems: the snapshots are the plans
        return report
    now = utcnow()
    with connector.engine.connect() as conn:
        show_ids = sql.shows_between(
            conn, connector.id, now - timedelta(hours=3), now + timedelta(hours=hours)
        )
        calls = []
        for show_id in show_ids:
            show_ref = sql.external_for(conn, connector.id, "show", show_id)
            theatre = sql.theatre_of_show(conn, show_id)
            theatre_ref = (
                sql.external_for(conn, connector.id, "theatre", theatre["id"]) if theatre else None
            )
            if show_ref and theatre_ref:
                calls.append((show_id, {"cinema_id": theatre_ref[1], "session_id": show_ref[1]}))
    for show_id, vars in calls:
        try:
            payloads = connector.fetch(SNAPSHOT_ENTITY, vars)
        except Exception as exc:  # noqa: BLE001 - one show failing must not stop the others
            report.errors.append(f"{show_id}: {exc}")
            if type(exc).__name__ == "CircuitOpen":
                break
            continue
        for payload in payloads:
            deltas, text, mapped_vars = _map(connector, SNAPSHOT_ENTITY, payload, report, vars)
            apply_deltas(
                connector,
                [
                    d.model_copy(update={"show_id": show_id}) if d.show_id != show_id else d
                    for d in deltas
                ],
                text,
                report,
                source=DeltaSource.RECONCILE,
                vars=mapped_vars,
            )
        report.shows += 1
    with connector.engine.begin() as conn:
        sql.set_cursor(conn, connector.id, "reconcile", now.isoformat())
    return report


# ---------------------------------------------------------------------------------- replay
def apply_deltas_atomically(
    conn: Connection,
    connector: Connector,
    deltas: list[InventoryDelta],
    *,
    source: DeltaSource | None = None,
) -> list[sql.Applied]:
    """Apply deltas in the caller's transaction, all or none (a dead-letter replay): a delta
    for an unknown show or seats raises (sql.UnknownShowError / sql.UnknownSeats) and the
    caller rolls back. The rules are store.sync.apply_delta's, as for a push or a poll."""
    out = []
    for delta in deltas:
        delta = delta.model_copy(
            update={"source": source or delta.source, "connector_id": connector.id}
        )
        target = sql.resolve_show(conn, connector.id, delta.show_id)
        if target is None:
            raise sql.UnknownShowError(f"no show {delta.show_id} (import the catalog)")
        out.append(sql.apply_delta(conn, delta, show_id=target))
    return out
