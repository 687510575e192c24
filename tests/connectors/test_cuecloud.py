"""cuecloud (REST with XML bodies, cursor pages that overlap, errors inside 200), onboarded
with mappings/cuecloud/ only and imported through `marquee sync catalog`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from connectors.connector import ConnectorConfig, register
from marquee.cli import app
from simulators.cuecloud import CueCloudSimulator
from store.tables import dead_letters, movie_translations, shows
from tests.connectors.helpers import counts


@pytest.fixture
def sim() -> Iterator[CueCloudSimulator]:
    with CueCloudSimulator(days=2) as s:
        yield s


@pytest.fixture
def connected(engine: Engine, sim: CueCloudSimulator, monkeypatch) -> CueCloudSimulator:
    monkeypatch.setenv("MARQUEE_SECRET_CUECLOUD_TOKEN", sim.key)
    register(
        engine,
        ConnectorConfig(
            id="cuecloud",
            adapter="rest",
            mapping="mappings/cuecloud/mapping.yaml",
            endpoint={"base_url": sim.base_url},
            secret_refs={"token": "env:MARQUEE_SECRET_CUECLOUD_TOKEN"},
            settings={"attempts": 1, "read_timeout": 3.0},
        ),
    )
    return sim


def sync(engine: Engine) -> tuple[int, dict, str]:
    result = CliRunner().invoke(
        app,
        ["sync", "catalog", "--connector", "cuecloud", "--database-url", str(engine.url)],
        catch_exceptions=False,
    )
    report = json.loads(result.stdout.splitlines()[-1]) if result.exit_code == 0 else {}
    return result.exit_code, report, result.stderr


def tomorrow_show(sim: CueCloudSimulator) -> str:
    day = datetime.now(ZoneInfo("Europe/Lisbon")).date() + timedelta(days=1)
    return f"L{day:%m%d}11"


def test_imports_end_to_end_through_marquee_sync(engine, connected):
    sim = connected
    code, report, err = sync(engine)
    assert code == 0, err
    assert report["counts"]["theatre"]["created"] == 2
    assert report["counts"]["movie"]["created"] == 5  # 4 overlapping pages of 2 titles
    assert report["counts"]["screen"]["created"] == 4
    assert report["counts"]["seat_layout"]["created"] == 4
    assert report["counts"]["show"]["created"] == 16  # 2 sites x 2 halls x 2 slots x 2 days
    assert report["duplicates"] == 3 + 2  # titles overlap 3 times, each site's shows once
    assert report["dead_letters"] == 0
    assert report["mapping"]["system"] == "cuecloud"  # the mapping revision of this run
    assert len(report["mapping"]["fingerprint"]) == 16 and len(report["run_id"]) == 32
    n = counts(engine)
    assert (n["theatres"], n["movies"], n["shows"]) == (2, 5, 16)
    screenings = [q for p, q in sim.requests if p.endswith("/screenings")]
    assert "after" not in screenings[0]  # the first page is asked without a cursor
    assert len(screenings[0]["from"]) == 8 and screenings[0]["from"].isdigit()  # yyyymmdd
    with engine.connect() as conn:
        stored = conn.execute(select(movie_translations.c.title)).scalars()
        titles = " ".join(str(r) for r in stored)
    assert "Amélie & Nino" in titles and "Café Noir" in titles and "–" in titles

    again, report2, _ = sync(engine)
    assert again == 0
    assert report2["counts"]["show"]["created"] == 0
    assert report2["counts"]["show"]["unchanged"] == 16


def test_error_inside_200_fails_the_run_and_sweeps_nothing(engine, connected):
    sim = connected
    assert sync(engine)[0] == 0
    sim.cancel(tomorrow_show(sim))
    sim.fail_page = 2  # page 2 of the screenings answers <Status ok="false" code="BUSY">
    code, _, err = sync(engine)
    assert code == 1
    assert "BUSY" in err or "busy" in err
    with engine.connect() as conn:
        letters = conn.execute(select(dead_letters.c.entity, dead_letters.c.reason)).all()
        statuses = set(conn.execute(select(shows.c.status)).scalars())
    assert any(e == "show" and "busy" in r for e, r in letters)
    assert statuses == {"scheduled"}  # a list read in part never cancels what it lacked
    sim.fail_page = None
    code, report, err = sync(engine)
    assert code == 0, err
    with engine.connect() as conn:
        assert list(conn.execute(select(shows.c.status)).scalars()).count("cancelled") == 1


def test_a_bad_key_is_an_error_inside_200(engine, connected, monkeypatch):
    monkeypatch.setenv("MARQUEE_SECRET_CUECLOUD_TOKEN", "wrong")
    code, _, err = sync(engine)
    assert code == 1
    assert "AUTH" in err or "X-Cue-Key" in err
