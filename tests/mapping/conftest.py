from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "mappings"


@pytest.fixture(scope="session")
def restline():
    from adapters.mapping import load_mapping

    return load_mapping(MAPPINGS / "restline" / "mapping.yaml")


@pytest.fixture(scope="session")
def soapbox():
    from adapters.mapping import load_mapping

    return load_mapping(MAPPINGS / "soapbox" / "mapping.yaml")


@pytest.fixture(scope="session")
def reelfeed():
    from adapters.mapping import load_mapping

    return load_mapping(MAPPINGS / "reelfeed" / "mapping.yaml")


@pytest.fixture
def write_mapping(tmp_path):
    """Write a mapping text to a file and return its path."""

    def write(text: str, name: str = "mapping.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        return path

    return write
