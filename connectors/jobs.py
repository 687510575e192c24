"""The plain functions that Airflow tasks and `marquee sync ...` both call.

Each takes a connector id, the database URL and the connector secrets file (the caller reads
them from its settings), builds what it needs, runs one unit of sync work and returns a JSON-able
report, so a DAG task and the CLI behave the same.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from connectors.catalog import import_catalog, import_localization
from connectors.connector import get_connector, iter_connector_ids
from connectors.inventory import poll_inventory, reconcile
from store.engine import make_engine


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
    connector = get_connector(engine_for(database_url), connector_id, secrets_file)
    return import_catalog(connector, days=days).as_dict()


def sync_localization(
    connector_id: str, database_url: str, secrets_file: Path | None = None
) -> dict[str, Any]:
    connector = get_connector(engine_for(database_url), connector_id, secrets_file)
    return import_localization(connector).as_dict()


def sync_inventory(
    connector_id: str,
    database_url: str,
    hours: int = 48,
    full: bool = True,
    secrets_file: Path | None = None,
) -> dict[str, Any]:
    """Poll the inventory feed, then (full) reconcile the shows of the next `hours`."""
    connector = get_connector(engine_for(database_url), connector_id, secrets_file)
    polled = poll_inventory(connector)
    out: dict[str, Any] = {"poll": polled.as_dict()}
    if full:
        out["reconcile"] = reconcile(connector, hours=hours).as_dict()
    return out
