"""Request parameters in the vendor's formats: dates as yyyymmdd or epoch seconds of the
theatre's local midnight, dated folder templates; and files deleted after reading."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from adapters.mapping import load_mapping
from adapters.templates import TemplateError, fill
from connectors import catalog
from simulators.filmdrop import FilmDropSimulator
from tests.connectors.test_import_order import connect

ROOT = Path(__file__).resolve().parents[2]


def test_date_formats_in_templates():
    vars = {"from_date": "2026-03-29", "timezone": "Asia/Kolkata"}
    assert fill("/export/{$from_date:%Y%m%d}/", vars) == "/export/20260329/"
    assert fill("{$from_date:%d.%m.%Y}", vars) == "29.03.2026"
    # Local midnight in Kolkata is 18:30 UTC the day before.
    assert fill("{$from_date:epoch}", vars) == "1774722600"
    assert fill("{$from_date:epoch_ms}", vars) == "1774722600000"
    assert fill("{$from_date:epoch}", {"from_date": "2026-03-29"}) == "1774742400"  # UTC
    with pytest.raises(TemplateError, match="not a date"):
        fill("{$cinema_id:%Y}", {"cinema_id": "C01"})
    with pytest.raises(TemplateError, match="no value"):
        fill("{$to_date:%Y%m%d}", vars)


def test_per_theatre_windows_are_the_theatres_own_dates():
    window = catalog._window(3, "Pacific/Kiritimati")  # UTC+14: often already tomorrow
    assert window["timezone"] == "Pacific/Kiritimati"
    first = date.fromisoformat(window["from_date"])
    assert (date.fromisoformat(window["to_date"]) - first).days == 3
    assert window["date"] == window["from_date"]


def test_files_deleted_after_reading(engine, tmp_path):
    shutil.copytree(ROOT / "mappings/lookups", tmp_path / "lookups")
    (tmp_path / "filmdrop").mkdir()
    text = (ROOT / "mappings/filmdrop/mapping.yaml").read_text()
    path = tmp_path / "filmdrop" / "mapping.yaml"
    path.write_text(text.replace("after_read: move", "after_read: delete"))
    with FilmDropSimulator(tmp_path / "drop", days=1) as sim:
        today = date.today()
        sim.write_export(today, malformed=False)
        connector = connect(engine, sim)
        connector.mapping = connector.adapter.mapping = load_mapping(path)
        report = catalog.import_catalog(connector, days=1)
        folder = sim.folder(today)
        assert report.counts["show"]["created"] == 8
        assert not list(folder.glob("sessions_*.csv")) and not (folder / "done").exists()
        assert (folder / "cinemas.json").exists()  # entities that leave their files
