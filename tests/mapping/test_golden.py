"""Every shipped mapping's samples give their expected canonical output."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.mapping import load_mapping
from adapters.mapping.samples import run_samples

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@pytest.mark.parametrize("system", ["restline", "soapbox", "reelfeed"])
def test_samples_match_expected(system):
    mapping = load_mapping(MAPPINGS / system / "mapping.yaml")
    results = run_samples(mapping, MAPPINGS / system / "samples")
    assert len(results) >= 10
    failures = [f"{r.name}\n{r.diff()}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)
    for result in results:
        assert (
            '"dead_letters": []' in result.actual
            or '"status"' in result.actual
            or '"operation"' in result.actual
        )


def test_seat_ids_agree_between_layout_and_inventory(restline, soapbox, reelfeed):
    """A seat id in an inventory delta must name a seat of the layout (area-row-column)."""
    from ruamel.yaml import YAML

    from adapters.mapping.samples import run_case

    for mapping, layout_case, seats_case in (
        (restline, 4, 6),
        (soapbox, 4, 6),
        (reelfeed, 4, 6),
    ):
        samples = MAPPINGS / mapping.system / "samples"
        spec = YAML(typ="safe").load((samples / "samples.yaml").read_text())
        layout = run_case(mapping, samples, spec["context"], spec["cases"][layout_case])
        seats = run_case(mapping, samples, spec["context"], spec["cases"][seats_case])
        layout_ids = {
            seat["id"]
            for area in layout["records"][0]["areas"]
            for row in area["rows"]
            for seat in row["seats"]
        }
        delta_ids = {c["seat_id"] for d in seats["records"] for c in d["changes"]}
        assert delta_ids & layout_ids, mapping.system
        assert all(len(i.split("-")) == 3 for i in layout_ids | delta_ids)


def test_cli_test_command_passes_and_fails(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from marquee.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["mapping", "test", str(MAPPINGS / "restline" / "mapping.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "16 passed, 0 failed" in ok.output

    copy = tmp_path / "restline"
    shutil.copytree(MAPPINGS / "restline", copy)
    shutil.copytree(MAPPINGS / "lookups", tmp_path / "lookups")
    expected = copy / "samples" / "expected" / "sessions.show.json"
    expected.write_text(expected.read_text().replace('"amount": 25000', '"amount": 26000'))
    bad = runner.invoke(app, ["mapping", "test", str(copy / "mapping.yaml")])
    assert bad.exit_code == 1
    assert "FAIL sessions.show" in bad.output
    assert '-            "amount": 26000,' in bad.output
    assert '+            "amount": 25000,' in bad.output


def test_cli_validate_and_run():
    from typer.testing import CliRunner

    from marquee.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["mapping", "validate", str(MAPPINGS / "soapbox" / "mapping.yaml")])
    assert result.exit_code == 0 and "ok (soapbox" in result.output
    result = runner.invoke(
        app,
        [
            "mapping",
            "run",
            str(MAPPINGS / "reelfeed" / "mapping.yaml"),
            "--entity",
            "show",
            "--input",
            str(MAPPINGS / "reelfeed" / "samples" / "schedule_202603281200.csv"),
            "--limit",
            "1",
            "--context",
            "connector_id=cli",
            "--context",
            "theatres.PAR01.timezone=Europe/Paris",
            "--context",
            "theatres.PAR01.currency=EUR",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    shows = json.loads(result.stdout)
    assert len(shows) == 1 and shows[0]["start"] == "2026-03-28T20:30:00+01:00"
