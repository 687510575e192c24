"""With PROMETHEUS_MULTIPROC_DIR set, /metrics of any one API process counts the requests of
every worker process on the host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

COUNT = """
from marquee import observability
observability.HTTP_REQUESTS.labels("GET", "/v1/shows", "200").inc({n})
"""
EXPOSE = """
import sys
from marquee import observability
sys.stdout.write(observability.metrics_payload()[0].decode())
"""


def run(code: str, directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_metrics_sum_every_worker_process(tmp_path: Path) -> None:
    run(COUNT.format(n=3), tmp_path)  # worker process 1
    run(COUNT.format(n=4), tmp_path)  # worker process 2
    exposed = run(EXPOSE, tmp_path)  # a third process answers the scrape
    line = next(
        ln
        for ln in exposed.splitlines()
        if ln.startswith("marquee_http_requests_total{") and 'route="/v1/shows"' in ln
    )
    assert float(line.rsplit(" ", 1)[1]) == 7.0


def test_prepare_empties_the_directory(tmp_path: Path) -> None:
    run(COUNT.format(n=5), tmp_path)
    assert list(tmp_path.glob("*.db"))
    run("from marquee.observability import prepare_multiprocess_dir as p; p()", tmp_path)
    assert not list(tmp_path.glob("*.db"))
