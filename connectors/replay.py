"""Dead-letter replay: run a failed payload through the connector's *current* mapping (after
an engineer fixed it) and apply it the way the original path would have.

- Catalog entities (theatre, movie, screen, seat_layout, show, translation) are written by the
  catalog import's own write path (connectors.catalog), so ids, aliases of renumbered shows
  and external-id mappings come out exactly as from an import.
- Inventory dead letters (`inventory_delta`, stored with the whole push/poll payload) are read
  by the connector's inventory entities (seat_push, seat_events, seat_snapshot) and applied as
  deltas (connectors.inventory.apply_deltas_atomically).

All or nothing: the records are written and the dead letter marked `replayed` in one
transaction. A replay that fails (the mapping still rejects the payload, a show is unknown...)
changes nothing but the dead letter's `reason`, which now says why the replay failed (followed
by the original reason, which every later replay keeps); it stays
open. Replaying a replayed dead letter does nothing and answers `replayed` again.

What a dead letter holds: the failing record's slice of the payload (a JSON object, an XML
element, CSV rows) or the whole payload, and the call variables it was mapped with (values
taken from a file name such as `{$site_code}`, the theatre a call was made for). A slice is
mapped as one record of its entity, with those variables. A CSV slice has no header line, so it
can only be replayed if its payload was stored whole; such a replay fails with a clear reason
(re-run the import instead). A dead letter stored before its variables were kept is replayed
without them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, update

from adapters.mapping import DeadLetter
from canonical import InventoryDelta, Show
from connectors.connector import Connector, ConnectorConfig
from store import operations
from store import sync as sql
from store.tables import dead_letters

log = logging.getLogger(__name__)
INVENTORY_ENTITIES = ("seat_push", "seat_events", "seat_snapshot")
CATALOG_ENTITIES = ("theatre", "movie", "screen", "seat_layout", "show", "translation")


class ReplayError(Exception):
    """The dead letter could not be replayed; nothing was written."""


class UnknownDeadLetter(LookupError):
    pass


@dataclass
class ReplayResult:
    dead_letter_id: str
    status: str  # replayed | failed | discarded
    entity: str
    records: int = 0
    reason: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "replayed"


def replay_dead_letter(
    engine: Engine, dead_letter_id: str, secrets_file: Any = None
) -> ReplayResult:
    with engine.connect() as conn:
        row = operations.get_dead_letter(conn, dead_letter_id)
    if row is None:
        raise UnknownDeadLetter(f"no dead letter {dead_letter_id!r}")
    entity = row["entity"]
    if row["status"] != "open":
        return ReplayResult(dead_letter_id, row["status"], entity, reason=None)
    try:
        connector = _fresh_connector(engine, row["connector_id"], secrets_file)
        try:
            result = _replay(engine, connector, row)
        finally:
            connector.close()
    except ReplayError as exc:
        return _failed(engine, row, str(exc))
    except Exception as exc:  # noqa: BLE001 - a replay never crashes the caller
        log.exception("dead letter %s: replay failed", dead_letter_id)
        return _failed(engine, row, f"{type(exc).__name__}: {exc}")
    if result.status == "replayed":
        _refresh_cached(engine, connector.id)
    return result


# ---------------------------------------------------------------------------------- helpers
def _fresh_connector(engine: Engine, connector_id: str | None, secrets_file: Any) -> Connector:
    """A connector built now, so it reads the mapping file as it is after the fix (the cached
    live connector compiled the old one)."""
    if not connector_id:
        raise ReplayError("the dead letter names no connector")
    with engine.connect() as conn:
        stored = sql.get_connector(conn, connector_id)
    if stored is None:
        raise ReplayError(f"connector {connector_id} no longer exists")
    try:
        return Connector(engine, ConnectorConfig.from_row(stored), secrets_file)
    except Exception as exc:  # noqa: BLE001 - the mapping may still be broken
        raise ReplayError(
            f"connector {connector_id} cannot be built: {type(exc).__name__}: {exc}"
        ) from exc


def _refresh_cached(engine: Engine, connector_id: str) -> None:
    """The fix worked: let the live connector pick up the fixed mapping on its next use."""
    from connectors import connector as connector_mod

    with connector_mod._cache_lock:
        # Not closed here: another thread may be using it; it is dropped with its last user.
        connector_mod._cache.pop((str(engine.url), connector_id), None)


ORIGINAL = "\noriginal reason: "


def _failed(engine: Engine, row: dict[str, Any], reason: str) -> ReplayResult:
    """The replay's reason next to the dead letter's original one (kept across replays)."""
    before = str(row.get("reason") or "")
    original = before.split(ORIGINAL, 1)[1] if ORIGINAL in before else before
    text = f"replay failed: {reason[:2000]}{ORIGINAL}{original[:1900]}"
    text = text[:4000].replace("\x00", "\\x00")
    with engine.begin() as conn:
        conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == row["id"], dead_letters.c.status == "open")
            .values(reason=text)
        )
    return ReplayResult(row["id"], "failed", row["entity"], reason=text)


def _map_payload(
    connector: Connector, entity: str, text: str, vars: dict[str, Any] | None = None
) -> list[BaseModel]:
    """The records of a stored payload, read with the call variables the import read it
    with: whole first; else as one record of the entity."""
    mapping = connector.mapping
    ctx = connector.context(vars)
    plan = mapping.entities[entity]
    # A CSV record is stored with its file's header row, as text: give it back in the file's
    # own encoding (older systems send Latin-1).
    body = text.encode(
        getattr(plan.fmt, "encoding", "utf-8") if plan.fmt.name == "csv" else "utf-8"
    )
    whole = mapping.read(entity, body, ctx)
    if whole.records and not whole.dead_letters:
        return list(whole.records)
    node: Any
    if plan.fmt.name == "json":
        try:
            node = json.loads(text)
        except ValueError:
            node = None
    elif plan.fmt.name == "xml":
        try:
            doc = plan.fmt.parse(body)
            node = doc.getroot() if hasattr(doc, "getroot") else doc
        except Exception:  # noqa: BLE001 - not a record either
            node = None
    else:
        node = None  # a CSV record was read whole above (it carries its header row)
    if node is not None and not isinstance(node, list):
        items = list(mapping._iterate(plan, ctx, iter([node]), None))
        dead = [i for i in items if isinstance(i, DeadLetter)]
        records = [i for i in items if isinstance(i, BaseModel) and not isinstance(i, DeadLetter)]
        if records and not dead:
            return records
        if dead:
            raise ReplayError(
                f"the mapping still rejects it: {dead[0].reason} at {dead[0].field_path}"
            )
    if whole.dead_letters:
        first = whole.dead_letters[0]
        raise ReplayError(f"the mapping still rejects it: {first.reason} at {first.field_path}")
    if plan.fmt.name == "csv":
        raise ReplayError(
            "a CSV record stored without its header row (before it was kept with "
            "the record) cannot be replayed on its own: re-run its file's import"
        )
    raise ReplayError(f"the payload maps to no {entity} record")


def _replay(engine: Engine, connector: Connector, row: dict[str, Any]) -> ReplayResult:
    entity = row["entity"]
    if entity == "inventory_delta" or entity in INVENTORY_ENTITIES:
        return _replay_inventory(engine, connector, row)
    if entity not in CATALOG_ENTITIES or not connector.has(entity):
        raise ReplayError(f"entity {entity!r} cannot be replayed by connector {connector.id}")
    records = _map_payload(connector, entity, row["payload"], row.get("vars"))
    from connectors import catalog

    report = catalog.ImportReport(connector.id)
    with engine.begin() as conn:
        try:
            if entity == "show":
                catalog._ShowWriter(conn, connector, report).write(
                    [r for r in records if isinstance(r, Show)]
                )
            else:
                catalog._write(conn, connector, entity, records, report)
        except catalog._NoLayout as exc:
            raise ReplayError(str(exc)) from exc
        _close(conn, row["id"])
    return ReplayResult(row["id"], "replayed", entity, records=len(records), counts=report.counts)


def _replay_inventory(engine: Engine, connector: Connector, row: dict[str, Any]) -> ReplayResult:
    from connectors.inventory import apply_deltas_atomically

    names = (
        [row["entity"]]
        if row["entity"] in INVENTORY_ENTITIES
        else [e for e in INVENTORY_ENTITIES if connector.has(e)]
    )
    reasons = []
    for name in names:
        try:
            records = _map_payload(connector, name, row["payload"], row.get("vars"))
        except ReplayError as exc:
            reasons.append(f"{name}: {exc}")
            continue
        deltas = [r for r in records if isinstance(r, InventoryDelta)]
        if not deltas:
            continue
        with engine.begin() as conn:
            try:
                applied = apply_deltas_atomically(conn, connector, deltas)
            except (sql.UnknownSeats, sql.UnknownShowError) as exc:
                raise ReplayError(str(exc)) from exc
            _close(conn, row["id"])
        return ReplayResult(
            row["id"],
            "replayed",
            row["entity"],
            records=len(deltas),
            counts={
                "seats_changed": sum(a.changed for a in applied),
                "conflicts": sum(len(a.conflicts) for a in applied),
            },
        )
    raise ReplayError("; ".join(reasons) or "the payload maps to no inventory delta")


def _close(conn: Connection, dead_letter_id: str) -> None:
    if not operations.close_dead_letter(conn, dead_letter_id, "replayed"):
        # Someone replayed or discarded it meanwhile: roll this replay back.
        raise ReplayError("the dead letter was closed while replaying")
