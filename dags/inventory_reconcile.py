"""Every 5 minutes: poll each connector's inventory feed and reconcile the seat plans of shows
starting in the next 48 hours (drift repaired, conflicts recorded)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(
    dag_id="inventory_reconcile",
    schedule=timedelta(minutes=5),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["marquee", "sync"],
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1)},
)
def inventory_reconcile():
    @task
    def connectors() -> list[str]:
        from dags._common import active_connectors

        return active_connectors()

    @task(execution_timeout=timedelta(minutes=4))
    def reconcile(connector_id: str) -> dict:
        from connectors import jobs
        from dags._common import database_url, secrets_file

        return jobs.sync_inventory(
            connector_id, database_url(), hours=48, secrets_file=secrets_file()
        )

    reconcile.expand(connector_id=connectors())


inventory_reconcile()
