"""filmdrop (dated SFTP folders, JSON and Windows-1252 CSV files, full and delta session
exports, malformed lines), onboarded with mappings/filmdrop/ only and imported through
`marquee sync catalog`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from connectors import simulated
from connectors.connector import register
from marquee.cli import app
from simulators.filmdrop import FilmDropSimulator
from store.tables import dead_letters, shows
from tests.connectors.helpers import counts


@pytest.fixture
def sim(tmp_path) -> Iterator[FilmDropSimulator]:
    with FilmDropSimulator(tmp_path / "drop", days=2) as s:
        yield s


@pytest.fixture
def connected(engine: Engine, sim: FilmDropSimulator) -> FilmDropSimulator:
    register(engine, simulated.filmdrop(sim, attempts=1, read_timeout=3.0))
    return sim


def sync(engine: Engine) -> tuple[int, dict, str]:
    result = CliRunner().invoke(
        app,
        ["sync", "catalog", "--connector", "filmdrop", "--database-url", str(engine.url)],
        catch_exceptions=False,
    )
    report = json.loads(result.stdout.splitlines()[-1]) if result.exit_code == 0 else {}
    return result.exit_code, report, result.stderr


def show_rows(engine: Engine) -> dict[str, tuple]:
    from store import sync as sql

    with engine.connect() as conn:
        rows = conn.execute(select(shows.c.id, shows.c.status, shows.c.start_at)).all()
        ext = {r.id: sql.external_for(conn, "filmdrop", "show", r.id) for r in rows}
    return {ext[r.id][1]: (r.status, r.start_at) for r in rows}


def test_full_export_with_malformed_lines_imports_the_rest(engine, connected):
    sim = connected
    today = date.today()
    sim.write_export(today)
    code, report, err = sync(engine)
    assert code == 0, err
    assert report["counts"]["theatre"]["created"] == 2
    assert report["counts"]["movie"]["created"] == 3  # the newest film list, not the older
    assert report["counts"]["screen"]["created"] == 4
    assert report["counts"]["seat_layout"]["created"] == 4
    assert report["counts"]["show"]["created"] == 16
    assert report["dead_letters"] == 3  # one per bad line; the file's other lines imported
    with engine.connect() as conn:
        reasons = sorted(conn.execute(select(dead_letters.c.reason)).scalars())
    assert any("malformed CSV" in r for r in reasons)
    assert any("not valid cp1252" in r for r in reasons)
    assert any("columns" in r for r in reasons)
    # Applied files are moved to done/ (the mapping's after_read); catalog files stay.
    folder = sim.folder(today)
    assert [p.name for p in (folder / "done").iterdir()][0].startswith("sessions_full_")
    assert not list(folder.glob("sessions_*.csv"))
    assert (folder / "rooms.json").exists()
    assert counts(engine)["movies"] == 3


def test_delta_changes_only_what_it_names_and_full_replaces_only_what_it_lists(engine, connected):
    sim = connected
    today = date.today()
    tomorrow = today + timedelta(days=1)
    sessions = sim.write_export(today, malformed=False)
    assert sync(engine)[0] == 0
    before = show_rows(engine)
    assert len(before) == 16 and {s for s, _ in before.values()} == {"scheduled"}

    # A delta moves one show by 30 minutes and names nothing else: nothing is cancelled.
    moved = next(s for s in sessions if s.day == tomorrow and s.cinema == "SP01")
    sim.write_delta(today, [replace(moved, time="19:30")])
    code, report, err = sync(engine)
    assert code == 0, err
    assert report["counts"]["show"]["updated"] == 1
    after = show_rows(engine)
    assert {s for s, _ in after.values()} == {"scheduled"}
    assert (after[moved.id][1] - before[moved.id][1]) == timedelta(minutes=30)

    # A full export of SP01 alone that lacks one SP01 show: that show is cancelled, RJ02's
    # shows (not in the file) are left alone.
    dropped = next(
        s for s in sessions if s.day == tomorrow and s.cinema == "SP01" and s.id != moved.id
    )
    sim.write_export(today, malformed=False, drop=(dropped.id,), cinemas=("SP01",))
    code, report, err = sync(engine)
    assert code == 0, err
    final = show_rows(engine)
    cancelled = sorted(k for k, (status, _) in final.items() if status == "cancelled")
    assert cancelled == [dropped.id]


def test_a_missing_export_folder_fails_the_run(engine, connected):
    code, _, err = sync(engine)  # nothing written for today yet
    assert code == 1
    assert "does not exist" in err
