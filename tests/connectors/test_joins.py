"""Joins within an import: a show's end read from its film's runtime, which the same import
brought (the `imported` transform), and several title languages from one record."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select

from adapters.mapping import load_mapping
from connectors import catalog
from simulators.filmdrop import FILMS, FilmDropSimulator
from store.tables import movies, shows
from tests.connectors.test_import_order import connect

ROOT = Path(__file__).resolve().parents[2]
OLD_END = (
    """        transforms: [{join: " "}, {datetime: "dd/MM/yyyy HH:mm"}, {add_minutes: Minutes}]"""
)
NEW_END = """        transforms:
          - {join: " "}
          - {datetime: "dd/MM/yyyy HH:mm"}
          - add_minutes:
              path: Film
              transforms: [{imported: {entity: movie, field: runtime_minutes}}]"""


def joined_mapping(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "mappings/lookups", tmp_path / "lookups")
    (tmp_path / "filmdrop").mkdir()
    text = (ROOT / "mappings/filmdrop/mapping.yaml").read_text()
    assert OLD_END in text
    path = tmp_path / "filmdrop" / "mapping.yaml"
    path.write_text(text.replace(OLD_END, NEW_END))
    return path


def test_show_end_from_the_imported_film_runtime(engine, tmp_path):
    mapping = joined_mapping(tmp_path)
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        sim.write_export(date.today(), malformed=False)
        connector = connect(engine, sim)
        connector.config.mapping = str(mapping)
        connector.mapping = load_mapping(mapping)
        report = catalog.import_catalog(connector, days=1)
        sessions = sim.sessions(date.today())
    assert report.dead_letters == 0 and report.counts["show"]["created"] == 8
    runtime = {code: minutes for code, _, minutes, *_ in FILMS}
    with engine.connect() as conn:
        rows = conn.execute(
            select(shows.c.start_at, shows.c.end_at, movies.c.runtime_minutes).join(
                movies, movies.c.id == shows.c.movie_id
            )
        ).all()
    assert len(rows) == 8
    assert all((end - start).total_seconds() == 60 * minutes for start, end, minutes in rows)
    assert sorted({m for *_, m in rows}) == sorted({runtime[s.film] for s in sessions})


def test_a_dry_run_says_that_imported_needs_an_import(tmp_path):
    mapping = load_mapping(joined_mapping(tmp_path))
    body = (ROOT / "mappings/filmdrop/samples/sessions_full.csv").read_bytes()
    ctx = {
        "connector_id": "t",
        "theatres": {"SP01": {"timezone": "America/Sao_Paulo", "currency": "BRL"}},
        "kind": "full",
    }
    result = mapping.read("show", body, ctx, partial=True)
    assert not result.records
    assert any("a dry run has none" in d.reason for d in result.dead_letters)


def test_two_title_languages_from_one_film_record():
    mapping = load_mapping(ROOT / "mappings/filmdrop/mapping.yaml")
    body = (ROOT / "mappings/filmdrop/samples/films.json").read_bytes()
    [first, *_] = mapping.read("movie", body, {"connector_id": "t"}).records
    assert first.title.values == {"pt-BR": "O Auto da Compadecida", "en-US": "A Dog's Will"}
    assert first.title.resolve(["en"]) == "A Dog's Will"


def test_imported_names_a_stored_field(tmp_path):
    from adapters.mapping import MappingError

    path = joined_mapping(tmp_path)
    path.write_text(path.read_text().replace("field: runtime_minutes", "field: runtime"))
    try:
        load_mapping(path)
    except MappingError as exc:
        assert "movie has no field 'runtime'" in str(exc.issues)
    else:
        raise AssertionError("an unknown field must not validate")


OLD_SCREEN = """      screen_id: {derive: scr, from: Room, scope: "cinema:{Cinema}"}"""
NEW_SCREEN = """      screen_id:
        path: Room
        transforms: [{imported: {entity: screen, field: id, scope: "cinema:{Cinema}"}}]"""
OLD_LANGUAGE = """      language: {path: Audio, transforms: [language_tag]}"""
NEW_LANGUAGE = """      language:
        first_of:
          - {path: Audio, transforms: [language_tag]}
          - {path: SessionId, transforms: [{imported: {entity: show, field: language}}]}"""


def test_screen_from_the_seat_file_and_language_from_an_earlier_sessions_file(engine, tmp_path):
    """A show's screen is the one the seat file (rooms.json, each room with its seat map)
    brought, joined by room number; a delta sessions line that leaves its audio empty keeps the
    language the full sessions file gave the show. A room the seat file lacks is a dead
    letter naming it, and the rest of the file imports."""
    from dataclasses import replace

    from store import sync as sql
    from store.tables import dead_letters, screens

    path = joined_mapping(tmp_path)
    text = path.read_text()
    assert OLD_SCREEN in text and OLD_LANGUAGE in text
    path.write_text(text.replace(OLD_SCREEN, NEW_SCREEN).replace(OLD_LANGUAGE, NEW_LANGUAGE))
    today = date.today()
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        sim.write_export(today, malformed=False)
        connector = connect(engine, sim)
        connector.config.mapping = str(path)
        connector.mapping = load_mapping(path)
        first = catalog.import_catalog(connector, days=1)
        assert first.dead_letters == 0 and first.counts["show"]["created"] == 8
        sessions = sim.sessions(today)
        moved, other = sessions[0], sessions[1]
        assert (moved.audio, other.audio) == ("pt_BR", "en_US")
        sim.write_delta(
            today,
            [
                replace(moved, time="22:45", audio=""),
                replace(other, audio=""),
                replace(other, id="9990001", room=9),  # no such room in the seat file
            ],
        )
        second = catalog.import_catalog(connector, days=1)
    assert second.counts["show"]["updated"] == 1 and second.dead_letters == 1
    with engine.connect() as conn:
        rows = {
            sql.external_for(conn, "filmdrop", "show", r.id)[1]: r
            for r in conn.execute(
                select(shows.c.id, shows.c.language, shows.c.screen_id, shows.c.start_at)
            )
        }
        room_of = {
            r.id: sql.external_for(conn, "filmdrop", "screen", r.id)
            for r in conn.execute(select(screens.c.id, screens.c.theatre_id))
        }
        [reason] = conn.execute(select(dead_letters.c.reason)).scalars()
    assert len(rows) == 8 and "9990001" not in rows
    assert rows[moved.id].language == "pt-BR" and rows[other.id].language == "en-US"
    assert rows[moved.id].start_at.strftime("%M") == "45"  # the delta's change applied
    for session in sessions:
        scope, room = room_of[rows[session.id].screen_id]
        assert (scope, room) == (f"cinema:{session.cinema}", str(session.room))
    assert "no imported screen with external id '9'" in reason
