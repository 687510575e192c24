"""Outbound pushes (webhooks, SOAP callbacks) from a simulated POS, on one background thread.

One thread keeps pushes in order. A push that fails is retried a few times with a short backoff,
then dropped, as a real POS would; every attempt is recorded in `log` for tests to inspect.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header a simulated POS sends with a push: `t=<unix seconds>,v1=<hex
    HMAC-SHA256 of "<t>." + body>`, so the receiver can refuse old or replayed pushes."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


@dataclass
class PushRecord:
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None  # HTTP status of the last attempt
    error: str | None = None
    attempts: int = 0

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Pusher:
    def __init__(self, name: str, retries: int = 3, timeout: float = 2.0) -> None:
        self.name = name
        self.retries = retries
        self.timeout = timeout
        self.log: list[PushRecord] = []
        self._queue: queue.Queue[PushRecord | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"sim-push-{self.name}", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self._idle.clear()
        self._queue.put(PushRecord(url, body, headers))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued push was attempted (tests use this instead of sleeping)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            record = self._queue.get()
            if record is None:
                return
            self._deliver(record)
            self.log.append(record)
            if self._queue.empty():
                self._idle.set()

    def _deliver(self, record: PushRecord) -> None:
        for attempt in range(1, self.retries + 1):
            record.attempts = attempt
            request = urllib.request.Request(
                record.url, data=record.body, method="POST", headers=record.headers
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    record.status, record.error = response.status, None
                    return
            except urllib.error.HTTPError as exc:
                record.status, record.error = exc.code, str(exc)
                if exc.code < 500:
                    return  # the receiver refused this push; retrying will not change that
            except (OSError, ValueError) as exc:
                record.status, record.error = None, repr(exc)
            time.sleep(0.1 * 2 ** (attempt - 1))
