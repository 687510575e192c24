"""Hourly catalog import: one mapped task per active connector (dynamic task mapping)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(
    dag_id="catalog_import",
    schedule=timedelta(hours=1),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["marquee", "sync"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
)
def catalog_import():
    @task
    def connectors() -> list[str]:
        from dags._common import active_connectors

        return active_connectors()

    @task(max_active_tis_per_dag=4)
    def import_catalog(connector_id: str) -> dict:
        from connectors import jobs
        from dags._common import database_url, secrets_file

        return jobs.sync_catalog(connector_id, database_url(), secrets_file=secrets_file())

    import_catalog.expand(connector_id=connectors())


catalog_import()
