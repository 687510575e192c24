"""The embedded default (`task_mode=inprocess`): the same relay and sweep as the Celery worker,
on a background thread of the API or demo process. No Redis needed.

    runner = start_inprocess_worker(hub.runtime)
    ...
    stop_inprocess_worker()

Several processes may each run one against the same database: the outbox lease keeps them from
delivering the same row at the same time, and consumers are idempotent anyway.
"""

from __future__ import annotations

import logging
import threading
import time

from marquee.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)


class InProcessRunner:
    def __init__(
        self,
        runtime: WorkerRuntime,
        *,
        relay_interval: float | None = None,
        sweep_interval: float | None = None,
        max_backoff: float = 60.0,
    ) -> None:
        self.runtime = runtime
        self.relay_interval = relay_interval or runtime.config.relay_interval_seconds
        self.sweep_interval = sweep_interval or runtime.config.sweep_interval_seconds
        self.max_backoff = max_backoff
        self.failures = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0

    def start(self) -> InProcessRunner:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="marquee-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def poke(self) -> None:
        """Relay now rather than at the next tick (after a commit, for snappy demos)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            wait = self.relay_interval
            try:
                if time.monotonic() >= next_sweep:
                    self.runtime.sweep()
                    next_sweep = time.monotonic() + self.sweep_interval
                self.runtime.relay.drain(self.runtime.config.outbox_batch)
                if self.failures:
                    log.warning(
                        "in-process worker: working again after %d failed ticks", self.failures
                    )
                    self.failures = 0
            except Exception as exc:  # noqa: BLE001 - a bad tick (database restarting) must not kill us
                # A database that stays down is retried with exponential back-off and logged
                # once per attempt: the first with its traceback, then one line each.
                self.failures += 1
                wait = min(self.relay_interval * 2**self.failures, self.max_backoff)
                if self.failures == 1:
                    log.exception("in-process worker tick failed; retrying in %.1f s", wait)
                else:
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    log.warning(
                        "in-process worker still failing (%d ticks): %s: %s; retrying in %.1f s",
                        self.failures,
                        type(exc).__name__,
                        reason,
                        wait,
                    )
            self.ticks += 1
            self._wake.wait(wait)
            self._wake.clear()


_runner: InProcessRunner | None = None
_lock = threading.Lock()


def start_inprocess_worker(runtime: WorkerRuntime) -> InProcessRunner:
    """Start the process's runner (once) on `runtime`: the Hub's (`hub.runtime`), so it shares
    the process's booking service."""
    global _runner
    with _lock:
        if _runner is None or not _runner.running:
            _runner = InProcessRunner(runtime).start()
        return _runner


def stop_inprocess_worker() -> None:
    global _runner
    with _lock:
        if _runner is not None:
            _runner.stop()
            _runner = None
