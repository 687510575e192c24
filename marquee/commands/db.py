from __future__ import annotations

import typer

from marquee.settings import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database at DATABASE_URL up to REVISION (default: the newest)."""
    from store.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command("load-demo")
def load_demo_cmd(days: int = 7) -> None:
    """Load the demo theatres, movies and a week of shows (idempotent)."""
    from marquee.demo_data import load_demo
    from store.engine import make_engine

    counts = load_demo(make_engine(get_settings().database_url), days=days)
    typer.echo(", ".join(f"{v} {k}" for k, v in counts.items()) + " loaded")
