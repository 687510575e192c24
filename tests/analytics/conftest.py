"""Analytics fixtures: the API on a fresh PostgreSQL database with the demo catalog and the
test accounts, and the worker runtime that delivers its outbox (analytics consumer included)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from marquee.worker.runtime import WorkerRuntime
from tests.api.conftest import Api, make_api


@dataclass
class World:
    api: Api
    runtime: WorkerRuntime

    def deliver(self) -> None:
        """Deliver the outbox and write the tracked activity, as the live system does."""
        report = self.runtime.relay.drain()
        assert report.failed == 0, report
        self.api.client.app.state.analytics_tracker.flush()


def _world(url: str, tmp_path: Path) -> Iterator[World]:
    for api in make_api(
        url, notify_dir=tmp_path / "notify", var_dir=tmp_path, outbox_retry_base_seconds=0
    ):
        # The API's own Hub: its worker runs on the API's booking service.
        yield World(api, api.hub.runtime)


@pytest.fixture
def world(fresh_pg_url: str, tmp_path: Path) -> Iterator[World]:
    """On PostgreSQL."""
    yield from _world(fresh_pg_url, tmp_path)


@pytest.fixture
def any_world(db_url: str, tmp_path: Path) -> Iterator[World]:
    """On SQLite (the embedded default) and on PostgreSQL."""
    yield from _world(db_url, tmp_path)


@pytest.fixture
def api(sqlite_url: str) -> Iterator[Api]:
    """The API alone, on SQLite."""
    yield from make_api(sqlite_url)
