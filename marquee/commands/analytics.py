from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from marquee.bootstrap import build_hub

app = typer.Typer(no_args_is_help=True)


@app.command()
def rebuild() -> None:
    """Recount every analytics aggregate from scratch (the outbox's domain events and the
    tracked activity); the live consumer may keep running meanwhile."""
    from analytics.ingest import rebuild as run

    report = run(build_hub().engine)
    typer.echo(
        f"rebuilt from {report.domain_events} domain events and {report.tracked_events} "
        f"tracked events ({report.rows_written} aggregate rows)"
    )


@app.command()
def export(
    out: Path = typer.Option(Path("var/analytics"), help="Folder to write events/day=.../"),
    date_from: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD)"),
    date_to: str = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)"),
) -> None:
    """Export the analytics facts to Parquet files, one per day (readable by DuckDB)."""
    from analytics.export import export_parquet

    report = export_parquet(
        build_hub().engine,
        out,
        date_from=date.fromisoformat(date_from) if date_from else None,
        date_to=date.fromisoformat(date_to) if date_to else None,
    )
    typer.echo(f"exported {report.rows} events over {report.days} days to {out}")
