"""Theatre links that live in the domain: native theatres forward nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from booking.ports import RemoteHold, TheatreLink
from canonical.catalog import Seat, Show, Theatre
from canonical.money import Money


class NullTheatreLink:
    """A native partner theatre: Marquee's inventory is the only inventory, nothing to forward.
    Answers like a POS that always agrees, so code paths need no special case."""

    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold:
        return RemoteHold(ref=idempotency_key)

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        return booking_code

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None:
        return None

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None:
        return None


def native_only(theatre: Theatre) -> TheatreLink | None:
    """A resolver for deployments with no legacy theatres."""
    return None


class StaticLinks:
    """Resolve links by theatre id (or connector id) from a fixed table: the wiring layer builds
    one from the configured connectors."""

    def __init__(
        self,
        by_theatre: Mapping[str, TheatreLink] | None = None,
        by_connector: Mapping[str, TheatreLink] | None = None,
    ) -> None:
        self._by_theatre = dict(by_theatre or {})
        self._by_connector = dict(by_connector or {})

    def __call__(self, theatre: Theatre) -> TheatreLink | None:
        if theatre.id in self._by_theatre:
            return self._by_theatre[theatre.id]
        if theatre.connector_id:
            return self._by_connector.get(theatre.connector_id)
        return None
