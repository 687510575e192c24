"""A recorded error page (an error inside a 200, the mapping's `transport.result`) fails the
offline replay as it fails the live sync: exit 1 and a dead letter naming the call, never an
empty page that makes the list look complete."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from marquee.cli import app
from store.engine import make_engine
from store.tables import dead_letters, movies

MAPPING = "mappings/tickettorre/mapping.yaml"
CALL = {"from_date": "2026-12-04", "to_date": "2026-12-18", "date": "2026-12-04"}
THEATRES = {
    "estado": "OK",
    "datos": {
        "cines": [
            {
                "codigo": "MAD01",
                "nombre": "TicketTorre Gran V&iacute;a",
                "ciudad": "Madrid",
                "pais": "es",
                "zona": "Europe/Madrid",
                "moneda": "EUR",
                "idioma": "es_ES",
            }
        ]
    },
    "siguiente": None,
}
MOVIES = {
    "estado": "OK",
    "datos": {
        "peliculas": [
            {
                "id": "P-0101",
                "titulo": "La sociedad de la nieve",
                "idioma": "es_ES",
                "duracion": "144",
                "clasificacion": "+16",
                "generos": "Drama;Aventura",
                "estreno": "04/01/2024",
            }
        ]
    },
    "siguiente": "dHQ6Mg",
}
ERROR = {"estado": "ERROR", "codigo": "E401", "mensaje": "Clave no válida", "datos": None}


def record(folder: Path, pages: list[tuple[str, str, dict]]) -> Path:
    """A recording as `marquee mapping record` writes it: a manifest line per payload."""
    folder.mkdir()
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for number, (entity, name, body) in enumerate(pages, start=1):
            file = f"{number:06d}.bin"
            (folder / file).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            line = {"entity": entity, "call": CALL, "vars": CALL, "name": name, "file": file}
            manifest.write(json.dumps({**line, "cursor": None}) + "\n")
    return folder


def replay(recording: Path, kept: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["mapping", "import", MAPPING, "--recorded", str(recording), "--keep", str(kept)],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def stored(kept: Path) -> tuple[list[str], list[str]]:
    engine = make_engine(f"sqlite:///{kept / 'offline.db'}")
    try:
        with engine.connect() as conn:
            reasons = list(conn.execute(select(dead_letters.c.reason)).scalars())
            ids = list(conn.execute(select(movies.c.id)).scalars())
    finally:
        engine.dispose()
    return reasons, ids


def test_a_recorded_error_page_fails_the_replay_with_a_dead_letter(tmp_path):
    recording = record(
        tmp_path / "recording",
        [
            ("theatre", "theatre /tt/api/v2/cines", THEATRES),
            ("movie", "movie /tt/api/v2/peliculas page 1", MOVIES),
            ("movie", "movie /tt/api/v2/peliculas page 2", ERROR),
        ],
    )
    code, out, err = replay(recording, tmp_path / "kept")
    assert code == 1, out
    assert "movie /tt/api/v2/peliculas page 2: result ERROR (invalid) Clave no válida" in err
    reasons, ids = stored(tmp_path / "kept")
    assert len(reasons) == 1
    assert reasons[0].startswith("fetch failed: RemoteError: movie /tt/api/v2/peliculas page 2")
    assert ids == []  # the list was not read to its end: nothing of it is written


def test_a_recording_without_error_pages_replays(tmp_path):
    recording = record(
        tmp_path / "recording",
        [
            ("theatre", "theatre /tt/api/v2/cines", THEATRES),
            ("movie", "movie /tt/api/v2/peliculas page 1", {**MOVIES, "siguiente": None}),
        ],
    )
    code, out, err = replay(recording, tmp_path / "kept")
    assert code == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["counts"]["movie"]["created"] == 1
    reasons, ids = stored(tmp_path / "kept")
    assert reasons == [] and len(ids) == 1
