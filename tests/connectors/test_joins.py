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


def test_show_end_from_the_imported_film_runtime(engine, tmp_path, monkeypatch):
    mapping = joined_mapping(tmp_path)
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        sim.write_export(date.today(), malformed=False)
        connector = connect(engine, sim, monkeypatch)
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
