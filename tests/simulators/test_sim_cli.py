"""`marquee simulate ...` runs a simulator in the foreground and prints how to reach it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

MARQUEE = [sys.executable, "-m", "marquee.cli"]


def _start(*args: str) -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen(
        [*MARQUEE, "simulate", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        if line.startswith("Ctrl-C"):
            break
        lines.append(line)
    return proc, json.loads("".join(lines))


def test_rest_cli_serves_and_stops_on_sigterm() -> None:
    proc, info = _start("rest", "--port", "0", "--cinemas", "3", "--error-rate", "0")
    try:
        answer = requests.get(
            f"{info['api_root']}/cinemas", timeout=5, headers={"X-Restline-Token": info["token"]}
        ).json()
        assert answer["Result"] == 0 and len(answer["Items"]) == 3
        knobs = requests.post(f"{info['admin_url']}/knobs", json={"latency_ms": 5}, timeout=5)
        assert knobs.json()["latency_ms"] == 5
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_sftp_cli_removes_its_temp_root() -> None:
    proc, info = _start("sftp", "--port", "0")
    root = Path(info["root"])
    assert (root / "outbound" / "sites.csv").exists()
    snapshot = requests.post(f"{info['admin_url']}/snapshot", timeout=5).json()
    assert snapshot == {"path": None}  # nothing sold yet
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    assert not root.exists()


def test_the_printed_base_url_is_a_connector_endpoint(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.catalog import import_catalog
    from connectors.connector import ConnectorConfig, get_connector, register

    proc, info = _start("rest", "--port", "0", "--cinemas", "1", "--error-rate", "0")
    try:
        monkeypatch.setenv("MARQUEE_SECRET_SIM_RESTLINE_TOKEN", info["token"])
        monkeypatch.setenv("MARQUEE_SECRET_SIM_RESTLINE_PUSH", "unused")
        engine = create_engine(sqlite_url)
        config = ConnectorConfig(
            id="restline-cli",
            name="Restline from the printed description",
            adapter="rest",
            mapping="mappings/restline/mapping.yaml",
            endpoint={"base_url": info["base_url"]},
            secret_refs={
                "token": "env:MARQUEE_SECRET_SIM_RESTLINE_TOKEN",
                "push_secret": "env:MARQUEE_SECRET_SIM_RESTLINE_PUSH",
            },
        )
        register(engine, config)
        report = import_catalog(get_connector(engine, "restline-cli"), days=1)
        assert report.counts["theatre"]["created"] == 1
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
