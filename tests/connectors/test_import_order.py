"""Dependency order within an import: shows that name a movie (or screen) arriving later in
the same import wait for it instead of dying on a foreign key; what never arrives becomes a
dead letter naming it, and the rest of the schedule imports."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from connectors import catalog, simulated
from connectors.connector import get_connector, register
from simulators import filmdrop
from simulators.filmdrop import FilmDropSimulator
from store.tables import dead_letters
from tests.connectors.helpers import counts


def connect(engine, sim):
    register(engine, simulated.filmdrop(sim, attempts=1))
    return get_connector(engine, "filmdrop")


def test_shows_wait_for_movies_that_arrive_later_in_the_import(engine, tmp_path):
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        sim.write_export(date.today(), malformed=False)
        connector = connect(engine, sim)
        report = catalog.ImportReport(connector.id)
        for entity in ("theatre", "screen", "seat_layout"):
            catalog._simple(connector, entity, report, 1)
        # The schedule is read before the film list (as a feed whose pages mix both would).
        for payload in catalog.fetch_payloads(connector, "show", 1):
            catalog.import_shows(connector, payload, report)
        assert len(report.waiting) == 8 and counts(engine)["shows"] == 0
        catalog._simple(connector, "movie", report, 1)
        catalog.write_waiting(connector, report)
        assert report.waiting == [] and report.dead_letters == 0
        assert counts(engine)["shows"] == 8
        if report.listed_shows is not None:
            report.listed_shows.close()


def test_a_movie_that_never_arrives_is_a_dead_letter_for_its_shows_only(engine, tmp_path):
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        today = date.today()
        sim.write_export(today, malformed=False)
        # Today's newest film list lacks film 112.
        folder = sim.folder(today)
        newest = sorted(folder.glob("films_*.json"))[-1]
        doc = json.loads(newest.read_text())
        doc["films"] = [f for f in doc["films"] if f["code"] != "112"]
        newest.write_text(json.dumps(doc))
        connector = connect(engine, sim)
        report = catalog.import_catalog(connector, days=1)
    lacking = [s for s in sim.sessions(today) if s.film == "112"]
    assert lacking and report.counts["show"]["created"] == 8 - len(lacking)
    assert report.dead_letters == len(lacking)
    with engine.connect() as conn:
        reasons = list(conn.execute(select(dead_letters.c.reason)).scalars())
    assert all(
        "names movie" in r and "neither this import nor an earlier one" in r for r in reasons
    )
    assert filmdrop.FILMS[2][0] == "112"
