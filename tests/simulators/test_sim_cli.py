"""`marquee simulate ...` runs a simulator in the foreground and prints how to reach it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

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
            f"{info['base_url']}/cinemas", timeout=5, headers={"X-Restline-Token": info["token"]}
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
