"""`marquee sync catalog|localization|inventory --connector ID`: the same functions the Airflow
DAGs call (connectors.jobs), runnable without Airflow."""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)

ConnectorOpt = Annotated[
    str | None, typer.Option("--connector", help="Connector id (all if unset)")
]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: settings")]


def _each(connector: str | None, database_url: str | None, run) -> None:
    from connectors import jobs

    ids = [connector] if connector else jobs.connector_ids(database_url)
    if not ids:
        typer.echo("no connectors configured")
        raise typer.Exit(1)
    failed = False
    for cid in ids:
        try:
            typer.echo(json.dumps(run(cid), default=str))
        except Exception as exc:  # noqa: BLE001 - report every connector, fail at the end
            failed = True
            typer.echo(f"{cid}: {type(exc).__name__}: {exc}", err=True)
    if failed:
        raise typer.Exit(1)


@app.command("catalog")
def catalog(
    connector: ConnectorOpt = None,
    database_url: DbOpt = None,
    days: int = typer.Option(14, help="Days of shows to import"),
) -> None:
    """Import theatres, screens, layouts, movies and shows (idempotent)."""
    from connectors import jobs

    _each(connector, database_url, lambda cid: jobs.sync_catalog(cid, database_url, days))


@app.command("localization")
def localization(connector: ConnectorOpt = None, database_url: DbOpt = None) -> None:
    """Import titles and synopses per language."""
    from connectors import jobs

    _each(connector, database_url, lambda cid: jobs.sync_localization(cid, database_url))


@app.command("inventory")
def inventory(
    connector: ConnectorOpt = None,
    database_url: DbOpt = None,
    hours: int = typer.Option(48, help="Reconcile shows starting within this window"),
    poll_only: bool = typer.Option(False, help="Only poll the feed, no reconcile"),
) -> None:
    """Poll the inventory feed and reconcile upcoming shows' seat plans."""
    from connectors import jobs

    _each(
        connector,
        database_url,
        lambda cid: jobs.sync_inventory(cid, database_url, hours, not poll_only),
    )


@app.command("connectors")
def list_connectors(database_url: DbOpt = None) -> None:
    """List configured connectors (secret references only, never values)."""
    from connectors import jobs
    from store import sync as sql

    with jobs.engine_for(database_url).connect() as conn:
        for row in sql.list_connectors(conn, active_only=False):
            typer.echo(
                json.dumps(
                    {k: row[k] for k in ("id", "adapter", "mapping", "status", "secret_refs")}
                )
            )
