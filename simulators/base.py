"""What the three simulators share: knobs, the box office, the admin endpoint, start and stop.

A simulator owns a `State` (its world), a `Knobs` record (latency, error rate, down), a box
office that sells and releases seats as a cashier would, and an admin HTTP server on its own
port (`/_sim/...`), which stays reachable while the simulator itself is down so that a
simulator started from the CLI can be brought back up.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from simulators.httpserver import LoopbackHTTPServer, Request, Response
from simulators.push import Pusher
from simulators.state import (
    CatalogSize,
    InvalidRequest,
    SeatEvent,
    SeatPos,
    SeatStatus,
    SeatsUnavailable,
    Session,
    SimError,
    State,
)


@dataclass
class Knobs:
    latency_ms: int = 0
    error_rate: float = 0.0
    down: bool = False


class BoxOffice:
    """Sell and release seats as a cashier would. Session ids are the system's own ids."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def sell(
        self, cinema_id: str, session_id: str, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        number = self._sim.session_number(cinema_id, session_id)
        return self._sim.state.box_office_sell(cinema_id, number, _positions(seats), force)

    def reserve(
        self, cinema_id: str, session_id: str, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        """A box-office reservation: the seats stay held until released or sold at the box
        office."""
        number = self._sim.session_number(cinema_id, session_id)
        return self._sim.state.box_office_reserve(cinema_id, number, _positions(seats), force)

    def release(
        self, cinema_id: str, session_id: str, seats: Sequence[SeatPos], force: bool = False
    ) -> list[SeatEvent]:
        number = self._sim.session_number(cinema_id, session_id)
        return self._sim.state.box_office_release(cinema_id, number, _positions(seats), force)

    # Back-office schedule changes (a manager at the theatre, not a cashier).
    def reschedule(self, cinema_id: str, session_id: str) -> str:
        """Re-issue the show (same screen, film and start) under a new session id; the old id
        disappears from the schedule. Returns the new id."""
        number = self._sim.session_number(cinema_id, session_id)
        session = self._sim.state.reschedule(cinema_id, number)
        self._sim.schedule_changed()
        return self._sim.session_id(session)

    def cancel_session(self, cinema_id: str, session_id: str) -> None:
        """Cancel the show: it disappears from the schedule."""
        number = self._sim.session_number(cinema_id, session_id)
        self._sim.state.cancel_session(cinema_id, number)
        self._sim.schedule_changed()


def _positions(seats: Sequence[Sequence[int]]) -> list[SeatPos]:
    out = []
    for seat in seats:
        if len(seat) != 3:
            raise InvalidRequest(f"a seat is (area, row index, column index), not {seat!r}")
        out.append((int(seat[0]), int(seat[1]), int(seat[2])))
    return out


class Simulator:
    """Base class. Subclasses set `system` and implement `_start_protocol`, `_stop_protocol`,
    `_push` (box-office changes to the push target) and `session_number`."""

    system = ""

    def __init__(
        self,
        *,
        seed: int = 1,
        cinemas: int = 2,
        screens: int = 2,
        shows_per_day: int = 4,
        days: int = 7,
        start_date: date | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        admin_port: int = 0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("simulators bind loopback only")
        self.host = host
        self.port = port
        self.state = State(
            self.system,
            seed=seed,
            start_date=start_date,
            size=CatalogSize(cinemas, screens, shows_per_day, days),
        )
        self.knobs = Knobs()
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self.box_office = BoxOffice(self)
        self.push_target: str | None = None
        self.push_secret: str = ""
        self.pusher = Pusher(self.system)
        self.admin = LoopbackHTTPServer(self._admin, host, admin_port)
        self.state.subscribe(self._on_events)
        self.started = False

    # ----------------------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        if not self.started:
            self.pusher.start()
            self._start_protocol()
            self.admin.start()
            self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.admin.stop()
            self._stop_protocol()
            self.pusher.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start_protocol(self) -> None:
        raise NotImplementedError

    def _stop_protocol(self) -> None:
        raise NotImplementedError

    @property
    def admin_url(self) -> str:
        return f"{self.admin.base}/_sim"

    # ----------------------------------------------------------------------------- knobs
    def set_knobs(
        self,
        latency_ms: int | None = None,
        error_rate: float | None = None,
        down: bool | None = None,
    ) -> Knobs:
        if latency_ms is not None:
            if latency_ms < 0:
                raise ValueError("latency_ms must be >= 0")
            self.knobs.latency_ms = int(latency_ms)
        if error_rate is not None:
            if not 0.0 <= error_rate <= 1.0:
                raise ValueError("error_rate must be between 0 and 1")
            self.knobs.error_rate = float(error_rate)
        if down is not None and down != self.knobs.down:
            self.knobs.down = down
            if self.started:
                self._set_down(down)
        return self.knobs

    def _set_down(self, down: bool) -> None:
        """Stop accepting connections (and drop open ones), or accept again on the same port."""
        raise NotImplementedError

    def delay(self) -> None:
        if self.knobs.latency_ms:
            time.sleep(self.knobs.latency_ms / 1000)

    def should_fail(self) -> bool:
        if self.knobs.error_rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.knobs.error_rate

    # ----------------------------------------------------------------------------- push
    def set_push_target(self, url: str | None, secret: str = "") -> None:
        self.push_target, self.push_secret = url, secret

    def _on_events(self, events: list[SeatEvent]) -> None:
        box = [e for e in events if e.source == "boxoffice"]
        if box and self.push_target and not self.knobs.down:
            self._push(box)

    def _push(self, events: list[SeatEvent]) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------------------- inspection
    def session_number(self, cinema_id: str, session_id: str) -> int:
        """The state's session number for the system's own session id."""
        raise NotImplementedError

    def session_id(self, session: Session) -> str:
        """The system's own id of a session (restline and soapbox: its number)."""
        return str(session.number)

    def schedule_changed(self) -> None:
        """Called after a reschedule or cancellation (a file-based POS rewrites its schedule)."""

    def seat_status(self, cinema_id: str, session_id: str, seat: SeatPos) -> SeatStatus:
        """The seat's status as the POS sees it: free, held, sold, broken or house."""
        number = self.session_number(cinema_id, session_id)
        return self.state.seat_status(cinema_id, number, _positions([seat])[0])

    def advance_clock(self, seconds: float) -> None:
        """Move the POS's clock forward (holds expire without the test sleeping)."""
        self.state.clock.advance(seconds)
        self.state.expire_due()

    def describe(self) -> dict[str, Any]:
        """What a client needs to connect; printed by the CLI and served at /_sim/info."""
        return {"system": self.system, "admin_url": self.admin_url}

    # ----------------------------------------------------------------------------- admin
    def _admin(self, request: Request) -> Response:
        try:
            return self._admin_route(request)
        except SeatsUnavailable as exc:
            return Response.json({"error": "SeatsUnavailable", "seats": exc.seats}, 409)
        except (SimError, ValueError, TypeError, KeyError) as exc:
            return Response.json({"error": str(exc)}, 400)

    def _admin_route(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        body: dict[str, Any] = {}
        if request.body:
            body = json.loads(request.body)
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
        if request.method == "GET" and path == "/_sim/info":
            return Response.json(self.describe())
        if request.method == "POST" and path == "/_sim/knobs":
            knobs = self.set_knobs(
                latency_ms=body.get("latency_ms"),
                error_rate=body.get("error_rate"),
                down=body.get("down"),
            )
            return Response.json(vars(knobs))
        if request.method == "POST" and path in ("/_sim/boxoffice/sell", "/_sim/boxoffice/release"):
            seats = [(s["AreaNumber"], s["RowIndex"], s["ColumnIndex"]) for s in body["Seats"]]
            action = self.box_office.sell if path.endswith("sell") else self.box_office.release
            events = action(
                str(body["CinemaId"]), str(body["SessionId"]), seats, bool(body.get("Force", False))
            )
            return Response.json(
                {
                    "events": [
                        {
                            "Seq": e.seq,
                            "AreaNumber": e.pos[0],
                            "RowIndex": e.pos[1],
                            "ColumnIndex": e.pos[2],
                            "Status": e.status.value,
                        }
                        for e in events
                    ]
                }
            )
        if request.method == "POST" and path == "/_sim/boxoffice/reschedule":
            new_id = self.box_office.reschedule(str(body["CinemaId"]), str(body["SessionId"]))
            return Response.json({"SessionId": new_id})
        if request.method == "POST" and path == "/_sim/boxoffice/cancel-session":
            self.box_office.cancel_session(str(body["CinemaId"]), str(body["SessionId"]))
            return Response.json({"Cancelled": str(body["SessionId"])})
        if request.method == "POST" and path == "/_sim/push-target":
            self.set_push_target(body.get("Url"), body.get("Secret", ""))
            return Response.json({"Url": self.push_target})
        if request.method == "POST" and path == "/_sim/clock/advance":
            self.advance_clock(float(body["Seconds"]))
            return Response.json({"now": self.state.clock.now().isoformat()})
        if request.method == "GET" and path == "/_sim/seat":
            status = self.seat_status(
                request.arg("CinemaId") or "",
                request.arg("SessionId") or "",
                (
                    int(request.arg("AreaNumber") or -1),
                    int(request.arg("RowIndex") or -1),
                    int(request.arg("ColumnIndex") or -1),
                ),
            )
            return Response.json({"Status": status.value})
        extra = self._admin_extra(request, path, body)
        if extra is not None:
            return extra
        return Response.json({"error": f"no admin route {request.method} {path}"}, 404)

    def _admin_extra(self, request: Request, path: str, body: dict[str, Any]) -> Response | None:
        return None


class HttpSimulator(Simulator):
    """A simulator whose protocol is HTTP: `_handle` answers it, and `/_sim/...` on the main port
    reaches the admin routes too (while up)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.http = LoopbackHTTPServer(self._route, self.host, self.port)

    def _route(self, request: Request) -> Response:
        if request.path.startswith("/_sim/"):
            return self._admin(request)
        return self._handle(request)

    def _handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _start_protocol(self) -> None:
        if not self.knobs.down:
            self.http.start()
        self.port = self.http.port

    def _stop_protocol(self) -> None:
        self.http.stop()

    def _set_down(self, down: bool) -> None:
        if down:
            self.http.stop()
        else:
            self.http.start()
