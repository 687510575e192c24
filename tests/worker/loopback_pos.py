"""A legacy POS on loopback that records every effect by idempotency key, and the TheatreLink
that talks to it over HTTP. Used in-process by the tests and, through
`THEATRE_LINKS=tests.worker.loopback_pos:link_resolver` and `LOOPBACK_POS_URL`, by the Celery
worker subprocess.

The POS does what a careful real one does: an idempotency key it has seen gets the first answer
again and changes nothing. `slow_confirms` makes the next N sale commits answer slowly *after*
the sale is recorded, the window in which a dying worker leaves the outcome unknown.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from booking.ports import PosOrderGone, PosRefused, PosUnavailable, RemoteHold
from canonical.catalog import Seat, Show, Theatre
from canonical.money import Money


@dataclass
class PosState:
    holds: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> order
    sales: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> sale (the effect)
    releases: dict[str, str] = field(default_factory=dict)  # key -> order
    cancels: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, key)
    down: bool = False
    slow_confirms: int = 0
    confirm_delay: float = 0.0
    confirm_started: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def confirm_calls(self) -> int:
        return sum(1 for op, _ in self.calls if op == "confirm")


class LoopbackPos:
    def __init__(self) -> None:
        self.state = PosState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                # The caller may have died waiting: the effect stands all the same.
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                operation = self.path.strip("/").split("/")[-1]
                with state.lock:
                    state.calls.append((operation, key))
                    if state.down:
                        return self._answer(503, {"error": "down for maintenance"})
                    status, answer, delay = self._apply(operation, key, body)
                if delay:
                    time.sleep(delay)
                self._answer(status, answer)

            def _apply(
                self, operation: str, key: str, body: dict[str, Any]
            ) -> tuple[int, dict[str, Any], float]:
                if operation == "holds":
                    if key not in state.holds:
                        taken = {s for h in state.holds.values() if h["live"] for s in h["seats"]}
                        clash = sorted(set(body["seats"]) & taken)
                        if clash:
                            return 409, {"refused": clash}, 0
                        state.holds[key] = {
                            "order": f"ORD{len(state.holds) + 1}",
                            "seats": body["seats"],
                            "live": True,
                        }
                    return 200, {"order": state.holds[key]["order"]}, 0
                order = body.get("order", "")
                known = {h["order"]: h for h in state.holds.values()}
                if operation == "confirm":
                    state.confirm_started.set()
                    if key not in state.sales:
                        if order not in known:
                            return 404, {"error": "no such order"}, 0
                        state.sales[key] = {
                            "order": order,
                            "code": body["code"],
                            "number": f"PN{len(state.sales) + 1}",
                        }
                    delay = 0.0
                    if state.slow_confirms > 0:
                        state.slow_confirms -= 1
                        delay = state.confirm_delay
                    return 200, {"number": state.sales[key]["number"]}, delay
                if operation == "release":
                    if order in known:
                        known[order]["live"] = False
                    state.releases.setdefault(key, order)
                    return 200, {}, 0
                if operation == "cancel":
                    state.cancels.setdefault(key, order)
                    return 200, {}, 0
                return 404, {"error": operation}, 0

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LoopbackPos:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HttpPosLink:
    """booking.ports.TheatreLink over the loopback POS's HTTP API."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def _post(self, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = httpx.post(
                f"{self.url}{path}",
                json=body,
                timeout=self.timeout,
                headers={"Idempotency-Key": key},
            )
        except httpx.HTTPError as error:
            raise PosUnavailable(f"loopback POS: {error}", retry_after=1) from error
        if answer.status_code == 409:
            raise PosRefused(answer.json()["refused"])
        if answer.status_code == 404:
            raise PosOrderGone(answer.text)
        if answer.status_code >= 500:
            raise PosUnavailable(f"loopback POS answered {answer.status_code}", retry_after=1)
        return answer.json()

    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold:
        order = self._post("/holds", idempotency_key, {"seats": [s.id for s in seats]})
        return RemoteHold(ref=order["order"])

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        return self._post(
            "/orders/confirm", idempotency_key, {"order": remote_ref, "code": booking_code}
        )["number"]

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None:
        self._post("/orders/release", idempotency_key, {"order": remote_ref})

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None:
        self._post("/orders/cancel", idempotency_key, {"order": remote_ref})


def link_resolver(engine: Any = None) -> Callable[[Theatre], HttpPosLink]:
    """Every theatre is a legacy theatre behind the loopback POS at $LOOPBACK_POS_URL."""
    link = HttpPosLink(os.environ["LOOPBACK_POS_URL"])
    return lambda theatre: link
