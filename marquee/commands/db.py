from __future__ import annotations

import typer

from marquee.settings import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database at DATABASE_URL up to REVISION (default: the newest)."""
    from marquee.preflight import PreflightError, check_database_reachable
    from store.migrate import MaintenanceDatabaseError, upgrade

    url = get_settings().database.url
    try:
        check_database_reachable(url)
        upgrade(url, revision)
    except (PreflightError, MaintenanceDatabaseError) as exc:
        typer.echo(f"marquee db migrate: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"database migrated to {revision}")


@app.command("load-demo")
def load_demo_cmd(days: int = 7) -> None:
    """Demo only: load the demo theatres, movies, a week of shows and the demo logins (with
    published passwords). Never run it on a database that real customers use."""
    from marquee.bootstrap import build_hub
    from marquee.demo_data import load_demo

    hub = build_hub()
    counts = load_demo(hub.engine, days=days, cipher=hub.cipher)
    typer.echo(", ".join(f"{v} {k}" for k, v in counts.items()) + " loaded")
