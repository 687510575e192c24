"""Layouts that exist only per show: a POS that publishes a hall's seat plan only inside each
screening's seat map. The import derives each screen's layout from its first show's map
(one call per screen) instead of aborting on a missing `$session_id`, and reads it again on
each import, so a refitted hall becomes the layout's next version."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from connectors.catalog import import_catalog
from connectors.connector import ConnectorConfig, get_connector, register
from simulators.cuecloud import CueCloudSimulator
from store.tables import seat_layouts
from tests.connectors.helpers import counts

ROOT = Path(__file__).resolve().parents[2]
PER_HALL = """    transport: {path: "/sites/{$cinema_id}/halls/{$screen_number}/plan"}
    fields:
      id: {derive: lay, from: "@hall", scope: "cinema:{$cinema_id}"}
      screen_id: {derive: scr, from: "@hall", scope: "cinema:{$cinema_id}"}"""
PER_SHOW = """    transport: {path: "/sites/{$cinema_id}/screenings/{$session_id}/seats"}
    fields:
      id: {derive: lay, from: {var: screen_number}, scope: "cinema:{$cinema_id}"}
      screen_id: {derive: scr, from: {var: screen_number}, scope: "cinema:{$cinema_id}"}"""


def test_screen_layouts_come_from_show_seat_maps(engine, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "mappings/lookups", tmp_path / "lookups")
    (tmp_path / "cuecloud").mkdir()
    text = (ROOT / "mappings/cuecloud/mapping.yaml").read_text()
    assert PER_HALL in text
    mapping = tmp_path / "cuecloud" / "mapping.yaml"
    mapping.write_text(text.replace(PER_HALL, PER_SHOW))
    with CueCloudSimulator(days=2, plans_per_screening_only=True) as sim:
        monkeypatch.setenv("MARQUEE_SECRET_CUECLOUD_TOKEN", sim.key)
        register(
            engine,
            ConnectorConfig(
                id="cuecloud",
                adapter="rest",
                mapping=str(mapping),
                endpoint={"base_url": sim.base_url},
                secret_refs={"token": "env:MARQUEE_SECRET_CUECLOUD_TOKEN"},
                settings={"attempts": 1},
            ),
        )
        report = import_catalog(get_connector(engine, "cuecloud"), days=2)
        seat_calls = [p for p, _ in sim.requests if p.endswith("/seats")]
        assert report.dead_letters == 0, report.rejected_payloads
        assert report.counts["seat_layout"]["created"] == 4
        assert report.counts["show"]["created"] == 16
        assert len(seat_calls) == 4  # one seat map per screen, not one per show
        n = counts(engine)
        assert (n["seat_layouts"], n["shows"]) == (4, 16)

        # The halls are refitted: the next import reads one current seat map per screen again
        # and stores each changed plan as the layout's next version.
        sim.seats_per_row -= 2
        sim.requests.clear()
        again = import_catalog(get_connector(engine, "cuecloud"), days=2)
        assert again.dead_letters == 0, again.rejected_payloads
        assert len([p for p, _ in sim.requests if p.endswith("/seats")]) == 4
    assert again.counts["seat_layout"]["updated"] == 4
    with engine.connect() as conn:
        stored = conn.execute(select(seat_layouts.c.version, seat_layouts.c.body)).all()
    assert {version for version, _ in stored} == {2}
    assert {body["version"] for _, body in stored} == {2}
    assert {len(body["areas"][0]["rows"][0]["seats"]) for _, body in stored} == {sim.seats_per_row}
    n = counts(engine)
    assert (n["seat_layouts"], n["shows"]) == (4, 16)  # no show was sold: nothing frozen
