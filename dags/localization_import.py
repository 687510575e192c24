"""Daily localization import (titles and synopses per language), one task per connector."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(
    dag_id="localization_import",
    schedule=timedelta(days=1),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["marquee", "sync"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
)
def localization_import():
    @task
    def connectors() -> list[str]:
        from dags._common import active_connectors

        return active_connectors()

    @task
    def import_localization(connector_id: str) -> dict:
        from connectors import jobs
        from dags._common import database_url, secrets_file

        return jobs.sync_localization(connector_id, database_url(), secrets_file=secrets_file())

    import_localization.expand(connector_id=connectors())


localization_import()
