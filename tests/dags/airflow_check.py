"""Run the README's Airflow steps and wait until Airflow is healthy: `make airflow-check`.

Starts `airflow standalone` exactly as the README says (the venv on PATH, AIRFLOW_HOME under
var/, the DAGs folder, no examples, DAGs unpaused at creation) but on a throwaway AIRFLOW_HOME
and free loopback ports, then polls `airflow dags list` until catalog_import,
localization_import and inventory_reconcile are loaded, unpaused and have no import error.
Stops Airflow and removes its home at the end. Exit status 0 means healthy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
DAGS = {"catalog_import", "localization_import", "inventory_reconcile"}
TIMEOUT = float(os.environ.get("AIRFLOW_CHECK_TIMEOUT", "600"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["airflow", *args], env=env, capture_output=True, text=True, timeout=180, cwd=ROOT
    )


def _json(text: str) -> list[dict[str, object]]:
    """The JSON list in the CLI's output (log lines, some starting with "[", may come first)."""
    decoder = json.JSONDecoder()
    for start in (i for i, ch in enumerate(text) if ch == "["):
        try:
            value, _ = decoder.raw_decode(text[start:])
        except ValueError:
            continue
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
    return []


def main() -> int:
    (ROOT / "var").mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="airflow-check-", dir=ROOT / "var"))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__API__PORT": str(_free_port()),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{home / 'marquee.db'}",
    }
    log = (home / "standalone.log").open("wb")
    proc = subprocess.Popen(
        ["airflow", "standalone"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + TIMEOUT
    state = "airflow did not start"
    try:
        while time.monotonic() < deadline:
            time.sleep(10)
            if proc.poll() is not None:
                state = f"airflow standalone exited with {proc.returncode}"
                break
            listed = _airflow(env, "dags", "list", "-o", "json")
            if listed.returncode != 0:
                state = f"dags list failed: {listed.stderr.strip()[-300:]}"
                continue
            dags = {str(d["dag_id"]): d for d in _json(listed.stdout)}
            errors = _airflow(env, "dags", "list-import-errors", "-o", "json")
            broken = _json(errors.stdout) if errors.returncode == 0 else []
            paused = sorted(d for d in DAGS & dags.keys() if str(dags[d]["is_paused"]) == "True")
            missing = sorted(DAGS - dags.keys())
            if broken:
                state = f"import errors: {broken}"
                break
            if not missing and not paused:
                print(f"airflow healthy: {sorted(DAGS)} loaded and unpaused ({home.name})")
                return 0
            state = f"waiting: missing {missing}, paused {paused}"
            print(state, flush=True)
        tail = (home / "standalone.log").read_text(errors="replace")[-2000:]
        print(f"airflow-check failed: {state}\n--- standalone log (tail) ---\n{tail}")
        return 1
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
