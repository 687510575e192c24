"""Shared by the DAGs: which connectors to run, and the database the tasks write to.

Tasks call plain functions in connectors.jobs (the same ones `marquee sync ...` calls), so the
DAG files hold scheduling only. The database URL and the connector secrets file come from the
hub's settings (DATABASE_URL, SECRETS_FILE).
"""

from __future__ import annotations

from pathlib import Path


def database_url() -> str:
    # Read now, not from a cached settings object: a task runs in a long-lived worker process.
    from marquee.settings import Settings

    return Settings().database.url


def secrets_file() -> Path | None:
    from marquee.settings import Settings

    return Settings().connectors.secrets_file


def active_connectors() -> list[str]:
    from connectors import jobs

    return jobs.connector_ids(database_url())
