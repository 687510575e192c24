"""`marquee sync catalog --days N` imports N days of shows, also from a POS that lists every
show it has (restline's sessions, reelfeed's schedule file)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from marquee.cli import app
from store.tables import shows
from tests.connectors.conftest import connect_reelfeed, connect_restline


def _business_dates(engine) -> set[date]:
    with engine.connect() as conn:
        return set(conn.execute(select(shows.c.business_date)).scalars())


def test_cli_days_limits_the_restline_import(sqlite_engine, sqlite_url, restline_sim):
    connect_restline(sqlite_engine, restline_sim)  # the simulator has two days of shows
    runner = CliRunner()
    one = runner.invoke(
        app,
        ["sync", "catalog", "--connector", "restline", "--database-url", sqlite_url, "--days", "1"],
    )
    assert one.exit_code == 0, one.output
    counts = json.loads(one.output.strip().splitlines()[-1])["counts"]
    assert counts["show"]["created"] == 2 * 2 * 2  # cinemas x screens x shows per day
    first = _business_dates(sqlite_engine)
    assert len(first) == 1 and min(first) <= date.today() + timedelta(days=1)
    two = runner.invoke(
        app,
        ["sync", "catalog", "--connector", "restline", "--database-url", sqlite_url, "--days", "2"],
    )
    assert two.exit_code == 0, two.output
    assert json.loads(two.output.strip().splitlines()[-1])["counts"]["show"]["created"] == 8
    assert len(_business_dates(sqlite_engine)) == 2


def test_days_limits_the_schedule_file_import(sqlite_engine, reelfeed_sim):
    from connectors.catalog import import_catalog

    connector = connect_reelfeed(sqlite_engine, reelfeed_sim)
    report = import_catalog(connector, days=1)
    assert report.counts["show"]["created"] == 8
    assert len(_business_dates(sqlite_engine)) == 1
    assert import_catalog(connector, days=2).counts["show"]["created"] == 8
