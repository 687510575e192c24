"""The `marquee` command. Each command group lives in its own module under marquee/commands."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="Marquee: theatre integration hub and movie booking platform.", no_args_is_help=True
)

# Command groups register by module name; adding one is a new module plus a line here.
_GROUPS = {
    "schema": "Canonical JSON Schemas.",
    "db": "Database migrations and demo data.",
    "serve": "Run the HTTP API.",
    "demo": "Run the whole hub on embedded defaults.",
    "mapping": "Validate, test and dry-run mapping configs.",
    "sync": "Catalog, localization and inventory sync for a connector.",
    "simulate": "Legacy POS simulators on loopback.",
    "worker": "Outbox delivery and scheduled work.",
    "admin": "Administrator accounts.",
    "analytics": "Analytics: rebuild the aggregates, export events to Parquet.",
}

for _name, _help in _GROUPS.items():
    _module = importlib.import_module(f"marquee.commands.{_name}")
    app.add_typer(_module.app, name=_name, help=_help)


if __name__ == "__main__":
    app()
