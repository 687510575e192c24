"""The plain functions that Airflow tasks and `marquee sync ...` both call.

Each takes a connector id, the database URL and the connector secrets file (the caller reads
them from its settings), builds what it needs, runs one unit of sync work and returns a JSON-able
report, so a DAG task and the CLI behave the same.

Every run is recorded in `import_runs` (store/import_runs.py): kind, the mapping system and
version it ran with, when, `ok` with the report's counts or `failed` with the error's type and
message (a failed run still raises). The record is written in its own transaction after the
run, and a failure to write it is logged, never raised: it cannot break the sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from adapters.mapping import Mapping, load_mapping
from canonical.time import utcnow
from connectors.catalog import import_catalog, import_localization
from connectors.connector import (
    Connector,
    UnknownConnector,
    current_connector,
    iter_connector_ids,
    mapping_path,
)
from connectors.inventory import poll_inventory, reconcile
from store import import_runs
from store import sync as sql
from store.engine import make_engine

log = logging.getLogger(__name__)

# Lists in a report (rejected payloads, errors) are kept to their first few in the run record.
LIST_MAX = 20
ERROR_MAX = 500


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine_for(database_url: str) -> Engine:
    return _engine(database_url)


def connector_ids(database_url: str) -> list[str]:
    return list(iter_connector_ids(engine_for(database_url)))


def sync_catalog(
    connector_id: str, database_url: str, days: int = 14, secrets_file: Path | None = None
) -> dict[str, Any]:
    return recorded(
        "catalog",
        engine_for(database_url),
        connector_id,
        secrets_file,
        lambda c: import_catalog(c, days=days).as_dict(),
    )


def sync_localization(
    connector_id: str, database_url: str, secrets_file: Path | None = None
) -> dict[str, Any]:
    return recorded(
        "localization",
        engine_for(database_url),
        connector_id,
        secrets_file,
        lambda c: import_localization(c).as_dict(),
    )


def sync_inventory(
    connector_id: str,
    database_url: str,
    hours: int = 48,
    full: bool = True,
    secrets_file: Path | None = None,
) -> dict[str, Any]:
    """Poll the inventory feed, then (full) reconcile the shows of the next `hours`."""

    def work(connector: Connector) -> dict[str, Any]:
        polled = poll_inventory(connector)
        out: dict[str, Any] = {"poll": polled.as_dict()}
        if full:
            out["reconcile"] = reconcile(connector, hours=hours).as_dict()
        return out

    return recorded("inventory", engine_for(database_url), connector_id, secrets_file, work)


# ---------------------------------------------------------------------------------- records
def recorded(
    kind: str,
    engine: Engine,
    connector_id: str,
    secrets_file: Path | None,
    work: Callable[[Connector], dict[str, Any]],
) -> dict[str, Any]:
    """Run `work` (one run of `kind`) with the connector's current definition and record it;
    returns `work`'s report (a dict, as `as_dict()` gives it)."""
    started = utcnow()
    connector: Connector | None = None
    try:
        # The stored definition is compared with the cached one: a connector updated through
        # the admin API runs with its new definition from its next run on.
        connector = current_connector(engine, connector_id, secrets_file)
        report = work(connector)
    except UnknownConnector:
        raise  # nothing to record a run against
    except Exception as exc:
        _record(
            engine, kind, connector_id, connector, started, "failed", {}, _error(exc, connector)
        )
        raise
    _record(engine, kind, connector_id, connector, started, "ok", _counts(report), None)
    return report


def _record(
    engine: Engine,
    kind: str,
    connector_id: str,
    connector: Connector | None,
    started: Any,
    status: str,
    counts: dict[str, Any],
    error: str | None,
) -> None:
    try:
        mapping: Mapping | None
        path: str | None
        if connector is not None:
            mapping, path = connector.mapping, connector.config.mapping
        else:
            mapping, path = _stored_mapping(engine, connector_id)
        with engine.begin() as conn:
            import_runs.record_run(
                conn,
                connector_id=connector_id,
                kind=kind,
                mapping_system=mapping.system if mapping is not None else None,
                mapping_version=mapping.version if mapping is not None else None,
                mapping_path=path,
                mapping_fingerprint=mapping.fingerprint if mapping is not None else None,
                started_at=started,
                finished_at=utcnow(),
                status=status,
                counts=counts,
                error=error,
            )
    except Exception:
        log.warning(
            "could not record the %s run of connector %s", kind, connector_id, exc_info=True
        )


def _stored_mapping(engine: Engine, connector_id: str) -> tuple[Mapping | None, str | None]:
    """The connector's mapping (and its path) when the connector itself could not be built (a
    missing secret): the run is still recorded with the mapping it would have used."""
    path = None
    try:
        with engine.connect() as conn:
            row = sql.get_connector(conn, connector_id)
        if row is None:
            return None, None
        path = row["mapping"]
        return load_mapping(str(mapping_path(path))), path
    except Exception:  # a mapping that does not load: the run's error says why
        return None, path


def _counts(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what the run record holds elsewhere (connector, mapping), its lists
    cut to their first few entries."""

    def trim(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: trim(v) for k, v in value.items() if k not in ("connector", "mapping")}
        if isinstance(value, list):
            return [trim(v) for v in value[:LIST_MAX]]
        return value

    return trim(report)


def _error(exc: BaseException, connector: Connector | None) -> str:
    """The error's type and message, cut short, with the connector's secret values blanked
    (an adapter's message may quote a URL or a header)."""
    text = f"{type(exc).__name__}: {exc}"
    for value in connector.secrets.values() if connector is not None else ():
        if isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, "***")
    return text[:ERROR_MAX]
