"""Logs and metrics for every process of the hub.

Logs: one JSON object per line (python-json-logger) carrying the request id of the HTTP request
being served (`X-Request-ID`, taken from the caller or made up), so one request can be followed
across log lines. A filter drops the values of fields that look like secrets (passwords, tokens,
card numbers) should anyone ever pass one as `extra`.

Metrics: Prometheus collectors on the default registry, served by the API at /metrics. Other
parts import and increment them (booking handlers, connectors, sync):

    from marquee import observability
    observability.CONNECTOR_HEALTH.labels(connector="restline-1").set(1)
"""

from __future__ import annotations

import logging
import os
import random
import sys
from contextvars import ContextVar
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# ---- request ids ---------------------------------------------------------------------------

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    # A request id only correlates log lines; it is no secret, so it comes from the process's
    # PRNG (reseeded in forked children). uuid4 reads the kernel's random source, a system call
    # that lets go of the GIL, and on a busy server the event loop then waits for the outbox
    # thread to hand it back, once per request.
    return f"{random.getrandbits(128):032x}"


def clean_request_id(value: str | None) -> str:
    """The caller's id if it is a sane token (it ends up in logs and headers), else a new one."""
    if value and len(value) <= 128 and all(c.isalnum() or c in "-_.:" for c in value):
        return value
    return new_request_id()


# ---- logs ----------------------------------------------------------------------------------

SECRET_WORDS = ("password", "secret", "token", "authorization", "card", "cvc", "cvv", "cookie")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RedactFilter(logging.Filter):
    """Blank any `extra` field whose name says it holds a secret."""

    _standard = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}

    def filter(self, record: logging.LogRecord) -> bool:
        for key in list(record.__dict__):
            if key not in self._standard and any(w in key.lower() for w in SECRET_WORDS):
                record.__dict__[key] = "[redacted]"
        return True


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is now (test runners and daemons swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):  # noqa: ANN201
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str = "INFO", json_logs: bool = True) -> None:
    """Route the root logger to stdout, as JSON lines (or plain text for humans)."""
    handler = _StdoutHandler()
    if json_logs:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_marquee", False)]:
        root.removeHandler(old)
    handler._marquee = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())


# ---- metrics -------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "marquee_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "marquee_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HOLDS = Counter("marquee_holds_total", "Hold attempts by outcome", ["outcome"])
BOOKINGS = Counter("marquee_bookings_total", "Booking state changes", ["outcome"])
PAYMENTS = Counter(
    "marquee_payments_total", "Payment attempts by gateway and outcome", ["gateway", "outcome"]
)
REFUNDS = Counter("marquee_refunds_total", "Refunds by outcome", ["outcome"])
WEBHOOKS = Counter("marquee_webhooks_total", "Gateway webhooks by outcome", ["gateway", "outcome"])
RATE_LIMITED = Counter("marquee_rate_limited_total", "Requests refused by a rate limit", ["limit"])
CONNECTOR_HEALTH = Gauge(
    "marquee_connector_up", "1 if the connector's last health check passed, else 0", ["connector"]
)
CONNECTOR_CALLS = Counter(
    "marquee_connector_calls_total",
    "Calls to theatre systems",
    ["connector", "operation", "outcome"],
)
SYNC_LAG = Gauge(
    "marquee_sync_lag_seconds", "Age of the newest synced data per stream", ["connector", "stream"]
)
OPEN_CONFLICTS = Gauge("marquee_sync_conflicts_open", "Unresolved sync conflicts")
OPEN_DEAD_LETTERS = Gauge("marquee_dead_letters_open", "Dead letters waiting for a replay")


def metrics_payload() -> tuple[bytes, str]:
    """The exposition of this process, or with PROMETHEUS_MULTIPROC_DIR set (several uvicorn
    workers per host), of every worker process: counters and histograms summed from the files
    each process writes there, plus this process's own collectors (the analytics gauges read
    the database, so any one process answers for all)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return generate_latest(), CONTENT_TYPE_LATEST
    from prometheus_client import CollectorRegistry, multiprocess
    from prometheus_client.metrics import MetricWrapperBase

    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged, path=directory)
    own = CollectorRegistry()
    # No public way to list a registry's collectors: the metric objects are in the files
    # already, the others (custom collectors) are added once here.
    for collector in list(REGISTRY._collector_to_names):
        if not isinstance(collector, MetricWrapperBase):
            own.register(collector)
    return generate_latest(merged) + generate_latest(own), CONTENT_TYPE_LATEST


def prepare_multiprocess_dir() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR before the server's workers start: files of processes
    from an earlier run would otherwise be counted again."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
