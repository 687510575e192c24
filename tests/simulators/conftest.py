"""Fixtures for the simulator tests: the simulators themselves and a push receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from simulators.httpserver import LoopbackHTTPServer, Request, Response


@dataclass
class Receiver:
    """A loopback HTTP endpoint that records what is POSTed to it (webhook / SOAP callback)."""

    received: list[Request] = field(default_factory=list)
    status: int = 200
    server: LoopbackHTTPServer | None = None

    def handle(self, request: Request) -> Response:
        self.received.append(request)
        return Response(self.status, b"", "text/plain")

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.base}/hook"

    def wait(self, count: int = 1, timeout: float = 2.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.server = LoopbackHTTPServer(rec.handle)
    rec.server.start()
    yield rec
    rec.server.stop()


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every simulator stops cleanly: no thread it started survives the test."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"
