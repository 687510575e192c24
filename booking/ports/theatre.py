"""The theatre link port: how holds and sales reach a legacy theatre's POS (connectors/
implements it), and what its POS lets Marquee sell online.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from canonical.catalog import Seat, SeatLayout, Show, Theatre
from canonical.money import Money


@dataclass(frozen=True)
class RemoteHold:
    ref: str  # the POS's order id
    expires_at: datetime | None = None


class SellingMode(StrEnum):
    """How Marquee sells a legacy theatre's seats online."""

    LIVE = "live"  # every hold and sale goes through the POS
    CLOSED = "closed"  # no online sales (an export-only POS with nothing allocated)
    ALLOCATION = "allocation"  # only seats the theatre gave Marquee, sold here


@dataclass(frozen=True)
class SellingPolicy:
    """What a theatre's POS lets Marquee sell online, for one show."""

    mode: SellingMode = SellingMode.LIVE
    # ALLOCATION: the seats of the show Marquee may sell; every other seat is the box office's.
    allocated: frozenset[str] = frozenset()
    reason: str = ""
    # Whether the POS can cancel a sale Marquee committed there: without it, a customer's
    # cancellation would free seats online that the POS still counts as sold.
    can_cancel: bool = True

    @property
    def forwards(self) -> bool:
        """Holds and sales are made at the POS too."""
        return self.mode is SellingMode.LIVE


LIVE = SellingPolicy()


@runtime_checkable
class SellingPolicySource(Protocol):
    """A theatre link that knows its POS's capabilities (a link without it sells live)."""

    def selling(self, show: Show) -> SellingPolicy: ...

    def selling_forwards(self) -> bool:
        """Whether holds and sales go to the POS (the connector sells live)."""
        ...


class PosRefused(Exception):
    """The POS answered and said no: these seats are not free there."""

    def __init__(self, seat_ids: Sequence[str], message: str = "") -> None:
        super().__init__(message or f"POS refused seats {', '.join(seat_ids)}")
        self.seat_ids = list(seat_ids)


class PosUnavailable(Exception):
    """The POS did not answer (timeout, transport error, circuit open)."""

    def __init__(self, message: str = "POS unavailable", retry_after: int = 30) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PosOrderGone(Exception):
    """The POS no longer knows the order (expired there)."""


class TheatreLink(Protocol):
    """Forwards holds and sales to a theatre's own system. Every call carries an idempotency key
    so a retry never holds, sells or cancels twice."""

    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold: ...

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        """Commit the sale; returns the POS's booking number."""
        ...

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None: ...

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None: ...


class TheatreLinkResolver(Protocol):
    def __call__(self, theatre: Theatre) -> TheatreLink | None:
        """The link for a legacy theatre, or None for a native one (nothing to forward)."""
        ...


def seats_by_id(layout: SeatLayout, seat_ids: Iterable[str]) -> list[Seat]:
    seat_map = layout.seat_map()
    return [seat_map[s] for s in seat_ids if s in seat_map]
