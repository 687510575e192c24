"""A mapping declares what its POS can do (`capabilities`); each declared step needs the
operation that performs it, and an operation needs its capability declared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.mapping import check_mapping, load_mapping

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def _restline_with(tmp_path: Path, capabilities: str) -> Path:
    shutil.copytree(MAPPINGS / "lookups", tmp_path / "lookups")
    shutil.copytree(MAPPINGS / "restline", tmp_path / "restline")
    path = tmp_path / "restline" / "mapping.yaml"
    lines = path.read_text().splitlines()
    path.write_text(
        "\n".join(
            f"capabilities: {capabilities}" if line.startswith("capabilities:") else line
            for line in lines
        )
        + "\n"
    )
    return path


@pytest.mark.parametrize(
    ("capabilities", "message"),
    [
        ("[hold, release, export]", "`operations.confirm` is defined but `sell` is not"),
        ("[hold, sell, export, cancel]", "capability `hold` needs `release` too"),
        ("[sell, release, cancel, export]", "`operations.hold` is defined but `hold` is not"),
        ("[hold, sell, release, cancel, admit]", "admit"),
    ],
)
def test_capabilities_that_do_not_fit_the_operations_are_refused(tmp_path, capabilities, message):
    _, _, issues = check_mapping(_restline_with(tmp_path, capabilities))
    assert any(message in issue.message or message in str(issue) for issue in issues), issues


def test_a_capability_without_its_operation_is_refused(tmp_path):
    shutil.copytree(MAPPINGS / "lookups", tmp_path / "lookups")
    shutil.copytree(MAPPINGS / "cuecloud", tmp_path / "cuecloud")
    path = tmp_path / "cuecloud" / "mapping.yaml"
    path.write_text(
        path.read_text().replace("capabilities: [export]", "capabilities: [hold, release, export]")
    )
    _, _, issues = check_mapping(path)
    messages = [i.message for i in issues]
    assert "capability `hold` needs `operations.hold`" in messages
    assert "capability `release` needs `operations.release`" in messages


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("restline", {"hold", "sell", "release", "cancel", "export"}),
        ("soapbox", {"hold", "sell", "release", "cancel", "export"}),
        ("reelfeed", {"hold", "sell", "release", "cancel", "export"}),
        ("cuecloud", {"export"}),
        ("filmdrop", {"export"}),
        ("tickettorre", {"export"}),
    ],
)
def test_shipped_mappings_declare_what_their_pos_can_do(system, expected):
    assert load_mapping(MAPPINGS / system / "mapping.yaml").capabilities == expected
