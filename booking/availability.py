"""Recent availability: the last full read of a show's seat states, kept for a fraction of a
second, so a request that is bound to fail is refused without touching the database.

When a blockbuster opens, almost every hold request asks for seats someone already has: the
house sells out in seconds and the requests keep coming. Each of them would read the show and
its seat states only to answer 409. A snapshot younger than `max_age` answers those instead.

The rule that keeps this safe: a snapshot may only *refuse*. A request that the snapshot would
accept still goes to the database, whose conditional update alone decides who gets a seat. A
stale snapshot can therefore turn a customer away from a seat freed in the last `max_age`
seconds (they try again and get it), never sell a seat twice. Seats freed by this process drop
the snapshot at once; seats freed elsewhere (another API process, the POS) are seen within
`max_age`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from booking.bounded import BoundedDict
from canonical.inventory import SeatStatus

MAX_SHOWS = 1024


@dataclass(frozen=True)
class Snapshot:
    taken_at: float
    context: Any  # the service's show context (show, theatre, layout) read with the states
    states: Mapping[str, SeatStatus]


class RecentAvailability:
    def __init__(self, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self._clock = clock
        self._shows: BoundedDict[str, Snapshot] = BoundedDict(MAX_SHOWS)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_age > 0

    def remember(self, show_id: str, context: Any, states: Mapping[str, SeatStatus]) -> None:
        """Keep a full read of the show's states (every seat that is not free)."""
        if not self.enabled:
            return
        with self._lock:
            self._shows.put(show_id, Snapshot(self._clock(), context, dict(states)))

    def recent(self, show_id: str) -> Snapshot | None:
        snap = self._shows.get(show_id)
        if snap is None or self._clock() - snap.taken_at > self.max_age:
            return None
        return snap

    def taken(self, show_id: str, seat_ids: Iterable[str], status: SeatStatus) -> None:
        """The database just refused these seats: later requests for them are refused too. The
        snapshot keeps its age, so this never extends how long it is trusted."""
        with self._lock:
            snap = self._shows.get(show_id)
            if snap is not None:
                states = dict(snap.states)
                states.update(dict.fromkeys(seat_ids, status))
                self._shows[show_id] = Snapshot(snap.taken_at, snap.context, states)

    def forget(self, show_id: str) -> None:
        """Seats of the show were freed here: the snapshot would refuse them wrongly."""
        with self._lock:
            self._shows.pop(show_id, None)
