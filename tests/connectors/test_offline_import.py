"""The whole import offline: `marquee mapping record` saves what a connector fetches (moving
no vendor file), `marquee mapping import` replays it through the real import into a throwaway
SQLite database; the result equals the live `marquee sync catalog`, for files over SFTP
(filmdrop) as for cursor-paged REST answering XML (cuecloud)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from marquee.cli import app
from store.engine import make_engine
from store.tables import dead_letters, movies, screens, seat_layouts, shows, theatres
from tests.connectors.test_filmdrop import connected, sim  # noqa: F401 - fixtures

TABLES = (theatres, screens, seat_layouts, movies)


def catalog_rows(url: str) -> dict[str, list]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {t.name: sorted(r[0] for r in conn.execute(select(t.c.id))) for t in TABLES}
            out["shows"] = sorted(
                (r.id, r.start_at.isoformat(), r.status)
                for r in conn.execute(select(shows.c.id, shows.c.start_at, shows.c.status))
            )
            out["dead_letters"] = sorted(conn.execute(select(dead_letters.c.reason)).scalars())
    finally:
        engine.dispose()
    return out


def invoke(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    lines = result.stdout.strip().splitlines()
    return result.exit_code, json.loads(lines[-1]) if lines else {}, result.stderr


def test_offline_import_of_a_recording_equals_the_live_sync(engine, connected, tmp_path):  # noqa: F811
    drop = connected
    drop.write_export(date.today())  # with its three malformed lines
    url = str(engine.url)
    recording, kept = tmp_path / "recording", tmp_path / "offline"

    code, recorded, err = invoke(
        "mapping",
        "record",
        "--connector",
        "filmdrop",
        "--out",
        str(recording),
        "--database-url",
        url,
    )
    assert code == 0, err
    assert list(drop.folder(date.today()).glob("sessions_full_*.csv"))  # nothing was moved

    code, offline, err = invoke(
        "mapping",
        "import",
        "mappings/filmdrop/mapping.yaml",
        "--recorded",
        str(recording),
        "--connector-id",
        "filmdrop",
        "--keep",
        str(kept),
    )
    assert code == 2, err  # the malformed lines are dead letters offline too
    code, live, err = invoke("sync", "catalog", "--connector", "filmdrop", "--database-url", url)
    assert code == 0, err
    assert offline["counts"] == live["counts"] == recorded["counts"]
    assert offline["dead_letters"] == live["dead_letters"] == 3
    assert catalog_rows(f"sqlite:///{kept / 'offline.db'}") == catalog_rows(url)


def test_offline_import_of_a_cursor_paged_rest_recording_equals_the_live_sync(
    engine, tmp_path, monkeypatch
):
    """cuecloud pages its titles and screenings by cursor (pages overlap by one record) and
    answers XML with its status inside: the recording holds every page, and the offline run
    reads them as the live sync does."""
    from connectors.connector import ConnectorConfig, register
    from simulators.cuecloud import CueCloudSimulator

    url = str(engine.url)
    recording, kept = tmp_path / "recording", tmp_path / "offline"
    with CueCloudSimulator(days=2) as cue:
        monkeypatch.setenv("MARQUEE_SECRET_CUECLOUD_TOKEN", cue.key)
        register(
            engine,
            ConnectorConfig(
                id="cuecloud",
                adapter="rest",
                mapping="mappings/cuecloud/mapping.yaml",
                endpoint={"base_url": cue.base_url},
                secret_refs={"token": "env:MARQUEE_SECRET_CUECLOUD_TOKEN"},
                settings={"attempts": 1, "read_timeout": 3.0},
            ),
        )
        code, recorded, err = invoke(
            "mapping",
            "record",
            "--connector",
            "cuecloud",
            "--out",
            str(recording),
            "--database-url",
            url,
        )
        assert code == 0, err
        code, live, err = invoke(
            "sync", "catalog", "--connector", "cuecloud", "--database-url", url
        )
        assert code == 0, err
    # The vendor is gone: the offline run has only the recording.
    code, offline, err = invoke(
        "mapping",
        "import",
        "mappings/cuecloud/mapping.yaml",
        "--recorded",
        str(recording),
        "--connector-id",
        "cuecloud",
        "--keep",
        str(kept),
    )
    assert code == 0, err
    assert offline["counts"] == live["counts"] == recorded["counts"]
    assert offline["duplicates"] == live["duplicates"] == 5  # the overlapping records, once
    assert offline["dead_letters"] == live["dead_letters"] == 0
    assert catalog_rows(f"sqlite:///{kept / 'offline.db'}") == catalog_rows(url)
