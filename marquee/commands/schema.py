from __future__ import annotations

from pathlib import Path

import typer

from canonical.schema import SCHEMA_VERSION, export

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_cmd(directory: Path) -> None:
    """Write a versioned JSON Schema for every canonical object into DIRECTORY/<version>/."""
    paths = export(directory)
    typer.echo(
        f"wrote {len(paths)} schemas (version {SCHEMA_VERSION}) to {directory / SCHEMA_VERSION}"
    )
