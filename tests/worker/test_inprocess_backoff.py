"""A database that stays down: the in-process worker backs off and logs once per attempt."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest

from marquee.bootstrap import build_hub
from marquee.settings import Settings
from marquee.worker.inprocess import InProcessRunner
from marquee.worker.runtime import build_runtime


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_database_that_stays_down_is_retried_with_backoff(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = Settings(
        database_url=f"postgresql+psycopg://marquee@127.0.0.1:{_dead_port()}/marquee",
        notify_dir=tmp_path / "mail",
        var_dir=tmp_path,
    )
    runtime = build_runtime(
        settings, engine=build_hub(settings).engine, services=None, notifier=None
    )
    runner = InProcessRunner(runtime, relay_interval=0.05, sweep_interval=0.05, max_backoff=0.4)
    with caplog.at_level(logging.WARNING, logger="marquee.worker.inprocess"):
        runner.start()
        time.sleep(2.0)
        runner.stop()
    records = [r for r in caplog.records if r.name == "marquee.worker.inprocess"]
    # Waits 0.1, 0.2, 0.4, 0.4, ...: about 6 attempts in 2 s, not 40 at the 0.05 s tick.
    assert 3 <= runner.failures <= 9
    assert len(records) == runner.failures
    assert records[0].exc_info is not None  # the first failure carries its traceback
    assert all(r.exc_info is None for r in records[1:])  # then one line each
    assert all("\n" not in r.getMessage() for r in records[1:])
