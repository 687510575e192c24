"""`marquee sync catalog|localization|inventory --connector ID`: the same functions the Airflow
DAGs call (connectors.jobs), runnable without Airflow."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)

ConnectorOpt = Annotated[
    str | None, typer.Option("--connector", help="Connector id (all if unset)")
]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: settings")]


def _settings(database_url: str | None) -> tuple[str, Path | None]:
    """The database URL (the option, else settings) and the connector secrets file."""
    from marquee.settings import get_settings

    settings = get_settings()
    return database_url or settings.database.url, settings.connectors.secrets_file


def _each(connector: str | None, database_url: str, run: Callable[[str], Any]) -> None:
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

    url, secrets = _settings(database_url)
    _each(connector, url, lambda cid: jobs.sync_catalog(cid, url, days, secrets_file=secrets))


@app.command("localization")
def localization(connector: ConnectorOpt = None, database_url: DbOpt = None) -> None:
    """Import titles and synopses per language."""
    from connectors import jobs

    url, secrets = _settings(database_url)
    _each(connector, url, lambda cid: jobs.sync_localization(cid, url, secrets_file=secrets))


@app.command("inventory")
def inventory(
    connector: ConnectorOpt = None,
    database_url: DbOpt = None,
    hours: int = typer.Option(48, help="Reconcile shows starting within this window"),
    poll_only: bool = typer.Option(False, help="Only poll the feed, no reconcile"),
) -> None:
    """Poll the inventory feed and reconcile upcoming shows' seat plans."""
    from connectors import jobs

    url, secrets = _settings(database_url)
    _each(
        connector,
        url,
        lambda cid: jobs.sync_inventory(cid, url, hours, not poll_only, secrets_file=secrets),
    )


@app.command("connectors")
def list_connectors(database_url: DbOpt = None) -> None:
    """List configured connectors (secret references only, never values)."""
    from connectors import jobs
    from store import sync as sql

    with jobs.engine_for(_settings(database_url)[0]).connect() as conn:
        for row in sql.list_connectors(conn, active_only=False):
            typer.echo(
                json.dumps(
                    {k: row[k] for k in ("id", "adapter", "mapping", "status", "secret_refs")}
                )
            )
