"""Shared by the DAGs: which connectors to run, and the database the tasks write to.

Tasks call plain functions in connectors.jobs (the same ones `marquee sync ...` calls), so the
DAG files hold scheduling only. The database URL comes from DATABASE_URL, as for the hub.
"""

from __future__ import annotations

import os


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def active_connectors() -> list[str]:
    from connectors import jobs

    return jobs.connector_ids(database_url())
