"""Import runs: what each catalog, localization or inventory run of a connector did.

connectors/jobs.py writes one row per run (in its own transaction, after the run); the admin
API lists a connector's recent runs and shows the newest beside the connector.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from canonical.identity import new_id
from store.tables import import_runs

ERROR_MAX = 500


def record_run(
    conn: Connection,
    *,
    connector_id: str,
    kind: str,
    mapping_system: str | None,
    mapping_version: str | int | None,
    started_at: datetime,
    mapping_path: str | None = None,
    mapping_fingerprint: str | None = None,
    finished_at: datetime,
    status: str,
    counts: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> str:
    run_id = new_id("run")
    conn.execute(
        insert(import_runs).values(
            id=run_id,
            connector_id=connector_id,
            kind=kind,
            mapping_system=(mapping_system or "")[:100] or None,
            mapping_version=None if mapping_version is None else str(mapping_version)[:20],
            mapping_path=(mapping_path or "")[:200] or None,
            mapping_fingerprint=mapping_fingerprint,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            counts=dict(counts or {}),
            error=error[:ERROR_MAX] if error else None,
        )
    )
    return run_id


def list_runs(conn: Connection, connector_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """A connector's runs, newest first."""
    r = import_runs.c
    query = (
        select(import_runs)
        .where(r.connector_id == connector_id)
        .order_by(r.started_at.desc(), r.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def last_runs(conn: Connection, connector_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per connector, its newest run (connectors without runs are left out). One indexed
    lookup per connector: the table grows with every run, the connector list does not."""
    r = import_runs.c
    out: dict[str, dict[str, Any]] = {}
    for connector_id in connector_ids:
        row = conn.execute(
            select(
                r.kind,
                r.status,
                r.finished_at,
                r.mapping_version,
                r.mapping_fingerprint,
                r.counts,
            )
            .where(r.connector_id == connector_id)
            .order_by(r.started_at.desc(), r.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            out[connector_id] = dict(row._mapping)
    return out
