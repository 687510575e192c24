"""Customer activity that is not a domain event (a show page or seat map looked at, a search
answered), buffered in memory and written in batches: a seat map is the most requested document
of a sale, and a row written per view would cost more than the view.

`Tracker.record` only appends to a bounded buffer. The API writes the buffer after a response
once it is `due()` (every `interval` seconds or `batch` items), off the event loop, and at
shutdown; no thread of its own, so nothing is written once the application has stopped. Each
activity gets its event id when recorded, so a batch retried after a failed commit is counted
once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from analytics.ingest import ingest_tracked

log = logging.getLogger(__name__)


class Tracker:
    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 1.0,
        batch: int = 1000,
        max_buffer: int = 50_000,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.batch = batch
        # Past this many unwritten items the oldest are dropped (the database is down): counts
        # of views are worth less than the memory of the API process.
        self._buffer: deque[tuple[str, dict[str, Any]]] = deque(maxlen=max_buffer)
        self._flush_lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, kind: str, **fields: Any) -> None:
        payload = {"kind": kind, "occurred_at": datetime.now(UTC).isoformat(), **fields}
        self._buffer.append((f"trk_{uuid.uuid4().hex}", payload))

    def pending(self) -> int:
        return len(self._buffer)

    def due(self) -> bool:
        return bool(self._buffer) and (
            len(self._buffer) >= self.batch or time.monotonic() - self._last_flush >= self.interval
        )

    def try_flush(self) -> int:
        """Flush unless another request is already at it; errors are logged, items kept."""
        if not self._flush_lock.acquire(blocking=False):
            return 0
        try:
            return self._flush()
        except Exception:  # noqa: BLE001 - tracking must never fail a customer's request
            log.exception("analytics tracker could not write %d items", len(self._buffer))
            return 0
        finally:
            self._flush_lock.release()

    def flush(self) -> int:
        """Write everything buffered; returns the number of new facts."""
        with self._flush_lock:
            written = 0
            while self._buffer:
                written += self._flush()
            return written

    def _flush(self) -> int:
        self._last_flush = time.monotonic()
        items: list[tuple[str, dict[str, Any]]] = []
        while self._buffer and len(items) < 5000:
            items.append(self._buffer.popleft())
        if not items:
            return 0
        try:
            with self.engine.begin() as conn:
                return ingest_tracked(conn, items)
        except Exception:
            self._buffer.extendleft(reversed(items))
            raise
