"""`marquee demo` as a newcomer meets it: one-line failures, and the commands it prints work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARQUEE = Path(sys.executable).with_name("marquee")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "VAR_DIR": str(tmp_path / "var"),
        "NOTIFY_DIR": str(tmp_path / "mail"),
        **extra,
    }


def _demo_fails(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(MARQUEE), "demo", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Marquee is running" not in done.stdout
    return lines[0]


def test_a_port_in_use_is_one_line_before_anything_runs(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _demo_fails(_env(tmp_path), "--port", str(port))
    assert f"127.0.0.1:{port} is already in use" in line and "--port" in line
    assert not (tmp_path / "demo.db").exists()  # nothing was migrated


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@127.0.0.1/marquee", "Marquee runs on SQLite or PostgreSQL"),
    ],
)
def test_a_wrong_database_url_is_one_line(tmp_path: Path, url: str, says: str):
    line = _demo_fails(_env(tmp_path, DATABASE_URL=url), "--port", str(_free_port()))
    assert says in line


def test_an_unreachable_database_is_one_line(tmp_path: Path):
    url = f"postgresql://marquee@127.0.0.1:{_free_port()}/marquee"
    line = _demo_fails(_env(tmp_path, DATABASE_URL=url), "--port", str(_free_port()))
    assert "cannot connect to the database at 127.0.0.1:" in line


def test_a_maintenance_database_is_refused(tmp_path: Path, pg_server: str):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server).set(database="postgres").render_as_string(hide_password=False)
    line = _demo_fails(_env(tmp_path, DATABASE_URL=url), "--port", str(_free_port()))
    assert "refusing to migrate PostgreSQL's maintenance database 'postgres'" in line


def _start_demo(env: dict[str, str], port: int) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [str(MARQUEE), "demo", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 240
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if "sync inventory" in line or time.monotonic() > deadline:
            break
    # Keep reading: a full pipe would block the demo's threads (simulators included) on their
    # next write, and what it prints later explains a failure.
    threading.Thread(
        target=lambda: lines.extend(line.rstrip("\n") for line in proc.stdout or ()),
        daemon=True,
    ).start()
    return proc, lines


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.mark.slow
def test_the_printed_sync_command_works_and_a_second_demo_starts_cleanly(tmp_path: Path):
    env = _env(tmp_path)
    for _run in range(2):  # the second run re-registers the same connectors on new ports
        port = _free_port()
        proc, lines = _start_demo(env, port)
        try:
            printed = next((line.strip() for line in lines if "sync inventory" in line), None)
            assert printed is not None, "\n".join(lines)
            assert printed.startswith("SECRETS_FILE=") and " .venv/bin/marquee sync " in printed
            # As a person would: pasted into a shell at the repository root.
            done = subprocess.run(
                ["bash", "-c", printed],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            printed_later = "\n".join(lines)
            assert done.returncode == 0, f"{done.stderr}\n--- the demo printed:\n{printed_later}"
            assert '"poll"' in done.stdout
        finally:
            _stop(proc)
    secrets = tmp_path / "var" / "demo-secrets.json"
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"
