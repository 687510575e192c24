"""Dead-letter replay against the real simulators: a record the mapping rejected is replayed
through the fixed mapping and lands as an import would write it; a replay that still fails
keeps the dead letter open with the new reason; replaying twice is harmless."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from connectors import connector as connector_mod
from connectors.catalog import import_catalog
from connectors.replay import replay_dead_letter
from store import operations
from store import sync as sql
from store.tables import shows
from tests.connectors.conftest import FAST, connect_restline
from tests.connectors.helpers import free_seats, pick_show, pos, status

ROOT = Path(__file__).resolve().parents[2]


def broken_copy(tmp_path: Path, system: str, old: str, new: str) -> tuple[Path, str]:
    """A copy of a shipped mapping (with its lookups) with one edit; returns (path, original)."""
    shutil.copytree(ROOT / "mappings/lookups", tmp_path / "lookups", dirs_exist_ok=True)
    (tmp_path / system).mkdir(exist_ok=True)
    path = tmp_path / system / "mapping.yaml"
    text = (ROOT / f"mappings/{system}/mapping.yaml").read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path, text


def connect_with_mapping(engine, sim, mapping: Path):
    from connectors import simulated
    from connectors.connector import get_connector, register

    config = simulated.restline(sim, **FAST)
    config.mapping = str(mapping)
    register(engine, config)
    return get_connector(engine, "restline")


def _shows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(shows)).scalar()


def _open(engine) -> list[dict]:
    with engine.connect() as conn:
        return sql.list_dead_letters(conn, "restline")


def test_show_rejected_by_a_broken_mapping_lands_after_the_fix(engine, restline_sim, tmp_path):
    mapping, original = broken_copy(tmp_path, "restline", "path: Showtime", "path: ShowTimeX")
    connector = connect_with_mapping(engine, restline_sim, mapping)
    report = import_catalog(connector)
    assert report.dead_letters > 0 and _shows(engine) == 0
    letters = _open(engine)
    # Still broken: the replay fails, nothing is written, the reason says why.
    failed = replay_dead_letter(engine, letters[0]["id"])
    assert failed.status == "failed" and "replay failed" in failed.reason
    with engine.connect() as conn:
        row = operations.get_dead_letter(conn, letters[0]["id"])
    assert row["status"] == "open" and row["reason"] == failed.reason and _shows(engine) == 0

    mapping.write_text(original)  # the engineer's fix
    for letter in letters:
        result = replay_dead_letter(engine, letter["id"])
        assert result.status == "replayed", result.reason
    assert _shows(engine) == len(letters) and _open(engine) == []
    with engine.connect() as conn:
        row = operations.get_dead_letter(conn, letters[0]["id"])
    assert row["status"] == "replayed" and row["replayed_at"] is not None
    # Twice is harmless, and the import afterwards agrees with what the replay wrote.
    assert replay_dead_letter(engine, letters[0]["id"]).status == "replayed"
    connector_mod.forget(engine)
    again = import_catalog(connect_with_mapping(engine, restline_sim, mapping))
    assert again.counts["show"]["created"] == 0 and _shows(engine) == len(letters)


def test_push_with_unknown_seats_replays_after_the_mapping_fix(
    engine, restline_sim, push_server, tmp_path
):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline")
    seat = free_seats(engine, show_id, 1)[0]
    # A mapping that builds seat ids wrongly: the pushed delta names seats the show lacks.
    mapping, original = broken_copy(
        tmp_path,
        "restline",
        'seat_id: {template: "{AreaNumber}-',
        'seat_id: {template: "9{AreaNumber}-',
    )
    connector_mod.forget(engine)
    connect_with_mapping(engine, restline_sim, mapping)
    restline_sim.set_push_target(push_server.url("restline"), "restline-hook")
    restline_sim.box_office.sell(cinema, session, [pos(seat)])
    assert restline_sim.pusher.wait_idle()
    letters = _open(engine)
    assert len(letters) == 1 and letters[0]["entity"] == "inventory_delta"
    assert status(engine, show_id, seat) == "available"
    mapping.write_text(original)
    result = replay_dead_letter(engine, letters[0]["id"])
    assert result.status == "replayed", result.reason
    assert status(engine, show_id, seat) == "sold" and _open(engine) == []


def test_a_csv_show_rejected_by_a_broken_mapping_replays_on_its_own(engine, reelfeed_sim, tmp_path):
    """A CSV record's dead letter keeps its file's header row, so it replays without the file
    (in the file's Latin-1, through the fixed mapping)."""
    from connectors import simulated
    from connectors.connector import get_connector, register

    mapping, original = broken_copy(
        tmp_path, "reelfeed", "start: {path: Start,", "start: {path: StartX,"
    )
    config = simulated.reelfeed(reelfeed_sim, **{**FAST, "read_timeout": 3.0})
    config.mapping = str(mapping)
    register(engine, config)
    report = import_catalog(get_connector(engine, "reelfeed"))
    assert report.dead_letters > 0 and _shows(engine) == 0
    with engine.connect() as conn:
        letters = [d for d in sql.list_dead_letters(conn, "reelfeed") if d["entity"] == "show"]
    assert letters and letters[0]["payload"].startswith("ShowID;")  # the header row comes along

    mapping.write_text(original)  # the engineer's fix
    for letter in letters:
        result = replay_dead_letter(engine, letter["id"])
        assert result.status == "replayed", result.reason
    assert _shows(engine) == len(letters)


def test_a_layout_whose_identity_is_in_its_file_name_replays_after_the_fix(
    engine, reelfeed_sim, tmp_path
):
    """reelfeed names a layout's site and auditorium only in the file name
    (`layout_<site>_<aud>.csv`): the dead letter keeps those variables, and its replay derives
    the same layout and screen ids as an import of the fixed mapping does."""
    from connectors import simulated
    from connectors.connector import get_connector, register
    from store.tables import screens, seat_layouts

    mapping, original = broken_copy(
        tmp_path,
        "reelfeed",
        "index: {path: RowIdx, transforms: [int]}",
        "index: {path: RowIdxX, transforms: [int]}",
    )
    config = simulated.reelfeed(reelfeed_sim, **{**FAST, "read_timeout": 3.0})
    config.mapping = str(mapping)
    register(engine, config)
    report = import_catalog(get_connector(engine, "reelfeed"))
    assert report.dead_letters > 0
    with engine.connect() as conn:
        letters = [
            d for d in sql.list_dead_letters(conn, "reelfeed") if d["entity"] == "seat_layout"
        ]
        assert conn.execute(select(func.count()).select_from(seat_layouts)).scalar() == 0
    assert len(letters) == 4  # one per auditorium file, each with its file's variables
    assert {(d["vars"]["site_code"], d["vars"]["aud"]) for d in letters} == {
        (name.split("_")[1], name.split("_")[2].removesuffix(".csv"))
        for name in (p.name for p in (reelfeed_sim.root / "outbound").glob("layout_*.csv"))
    }

    mapping.write_text(original)  # the engineer's fix
    for letter in letters:
        result = replay_dead_letter(engine, letter["id"])
        assert result.status == "replayed", result.reason
    with engine.connect() as conn:
        layouts = set(conn.execute(select(seat_layouts.c.id)).scalars())
        wanted = set(conn.execute(select(screens.c.layout_id)).scalars())
    assert len(layouts) == 4 and layouts == wanted  # each screen's own layout, by its id
    # The import of the fixed mapping finds the replayed layouts as it would have written them.
    connector_mod.forget(engine)
    again = import_catalog(get_connector(engine, "reelfeed"))
    assert again.dead_letters == 0
    assert again.counts["seat_layout"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert again.counts["show"]["created"] == 16
