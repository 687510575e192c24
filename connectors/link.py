"""The TheatreLink of a legacy theatre: forward hold / confirm / release / cancel to its POS.

Every call carries the caller's idempotency key (the POS's UserSessionId / RequestId), so the
retries the connector makes on transient failures never hold, sell or cancel twice. Answers are
read by the mapping (`mapping.outcome`) and turned into the domain's terms:

- the POS said no to seats            -> PosRefused (booking answers 409 naming the seats)
- no answer, transient code, breaker  -> PosUnavailable with retry_after (booking answers 503)
- the POS no longer knows the order   -> PosOrderGone
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from adapters.base import AdapterError, RemoteError, TransientError
from adapters.mapping import MappingError, OutboundRequest, Outcome, OutcomeStatus
from booking.ports import (
    PosOrderGone,
    PosRefused,
    PosUnavailable,
    RemoteHold,
    SellingMode,
    SellingPolicy,
)
from canonical import Money, Seat, Show, Theatre
from connectors import selling
from connectors.connector import Connector, UnknownConnector, get_connector
from connectors.resilience import CircuitOpen
from connectors.secrets import ForbiddenSecretRef, MissingSecret
from store import sync as sql

log = logging.getLogger(__name__)


class PosLink:
    """booking.ports.TheatreLink for one connector."""

    def __init__(self, connector: Connector) -> None:
        self.connector = connector

    # ------------------------------------------------------------------------------ selling
    def selling(self, show: Show) -> SellingPolicy:
        """booking.ports.SellingPolicySource: what Marquee may sell online for this show."""
        return selling.policy_for(
            self.connector.config.settings, self.connector.mapping.capabilities, show.screen_id
        )

    def selling_forwards(self) -> bool:
        return (
            selling.policy_for(
                self.connector.config.settings, self.connector.mapping.capabilities, ""
            ).mode
            is SellingMode.LIVE
        )

    # ------------------------------------------------------------------------------ helpers
    def _refs(self, show: Show) -> tuple[str, str]:
        with self.connector.engine.connect() as conn:
            show_ref = sql.external_for(conn, self.connector.id, "show", show.id)
            theatre_ref = sql.external_for(conn, self.connector.id, "theatre", show.theatre_id)
        if show_ref is None or theatre_ref is None:
            raise PosUnavailable(
                f"show {show.id} is not linked to connector "
                f"{self.connector.id} (import its catalog)",
                retry_after=300,
            )
        return theatre_ref[1], show_ref[1]

    def _call(self, operation: str, request: OutboundRequest) -> Outcome:
        mapping = self.connector.mapping
        ctx = self.connector.context()
        info = ctx.theatres.get(request.theatre_external_id or "")
        if info is not None:
            # Answers carry local times (soapbox ExpiryDate): read them in the show's zone.
            ctx.timezone, ctx.currency = info.timezone, info.currency

        def attempt() -> Outcome:
            rendered = mapping.render(operation, request, ctx)
            sent = self.connector.adapter.send(operation, rendered)
            outcome = mapping.outcome(operation, sent.body, ctx)
            if outcome.status is OutcomeStatus.TRANSIENT:
                # Counted by the breaker and retried with the same idempotency key.
                raise TransientError(f"{operation}: {outcome.message or outcome.code}")
            return outcome

        from connectors.resilience import guarded

        try:
            return guarded(self.connector.id, self.connector.policy, attempt, retry=True)
        except CircuitOpen as exc:
            raise PosUnavailable(str(exc), retry_after=exc.retry_after) from exc
        except TransientError as exc:
            raise PosUnavailable(f"{self.connector.id}: {exc}", retry_after=5) from exc
        except RemoteError as exc:
            raise PosUnavailable(f"{self.connector.id}: {exc}", retry_after=60) from exc
        except AdapterError as exc:
            raise PosUnavailable(f"{self.connector.id}: {exc}", retry_after=30) from exc

    @staticmethod
    def _fail(outcome: Outcome, seat_ids: Sequence[str]) -> None:
        status = outcome.status
        detail = outcome.message or outcome.code or status.value
        if status is OutcomeStatus.SEATS_UNAVAILABLE:
            # Only the seats the POS names: booking takes a refusal's seats as sold, so a
            # refusal naming none must not be read as naming all of them.
            raise PosRefused(list(outcome.seat_ids), f"the POS refused the seats: {detail}")
        if status in (OutcomeStatus.NOT_FOUND, OutcomeStatus.EXPIRED):
            raise PosOrderGone(f"the POS no longer has the order: {detail}")
        if status is OutcomeStatus.UNAUTHORIZED:
            raise PosUnavailable(f"the POS refused our credentials: {detail}", retry_after=300)
        raise PosRefused([], f"the POS rejected the request: {detail}")

    # ------------------------------------------------------------------------------ the port
    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold:
        theatre_ref, show_ref = self._refs(show)
        seat_ids = [s.id for s in seats]
        outcome = self._call(
            "hold",
            OutboundRequest(
                request_id=idempotency_key,
                theatre_external_id=theatre_ref,
                show_external_id=show_ref,
                seat_ids=tuple(seat_ids),
                hold_seconds=hold_seconds,
            ),
        )
        if not outcome.ok:
            self._fail(outcome, seat_ids)
        return RemoteHold(ref=outcome.order_ref or idempotency_key, expires_at=outcome.expires_at)

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        theatre_ref, show_ref = self._refs(show)
        outcome = self._call(
            "confirm",
            OutboundRequest(
                request_id=idempotency_key,
                theatre_external_id=theatre_ref,
                show_external_id=show_ref,
                order_ref=remote_ref,
                booking_code=booking_code,
                amount=amount,
            ),
        )
        if not outcome.ok:
            self._fail(outcome, [])
        return outcome.booking_ref or remote_ref

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None:
        if remote_ref is None:
            # No order to name (booking re-asks the POS by the hold's key before calling this
            # when it can); the POS's own hold expiry frees whatever is left.
            return
        theatre_ref, show_ref = self._refs(show)
        outcome = self._call(
            "release",
            OutboundRequest(
                request_id=idempotency_key,
                theatre_external_id=theatre_ref,
                show_external_id=show_ref,
                order_ref=remote_ref,
            ),
        )
        if not outcome.ok:
            self._fail(outcome, [])

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None:
        theatre_ref, show_ref = self._refs(show)
        outcome = self._call(
            "cancel",
            OutboundRequest(
                request_id=idempotency_key,
                theatre_external_id=theatre_ref,
                show_external_id=show_ref,
                order_ref=remote_ref,
            ),
        )
        if outcome.status is OutcomeStatus.NOT_FOUND:
            return  # cancelled already (or never there): the goal is reached
        if not outcome.ok:
            self._fail(outcome, [])


class UnbuildableLink:
    """The link of a connector that cannot be built (a secret not set, a mapping that does not
    load): nothing is sold online and every call to the POS is unavailable, so a seat map
    still answers and no seat is sold that the POS was not asked about."""

    def __init__(self, connector_id: str, problem: Exception) -> None:
        self.reason = f"the theatre's connection ({connector_id}) is not usable: {problem}"

    def selling(self, show: Show) -> SellingPolicy:
        return SellingPolicy(SellingMode.CLOSED, reason=self.reason)

    def selling_forwards(self) -> bool:
        return True

    def _down(self) -> PosUnavailable:
        return PosUnavailable(self.reason, retry_after=300)

    def hold(
        self, show: Show, seats: Sequence[Seat], hold_seconds: int, idempotency_key: str
    ) -> RemoteHold:
        raise self._down()

    def confirm(
        self, show: Show, remote_ref: str, booking_code: str, amount: Money, idempotency_key: str
    ) -> str:
        raise self._down()

    def release(self, show: Show, remote_ref: str | None, idempotency_key: str) -> None:
        raise self._down()

    def cancel(self, show: Show, remote_ref: str, idempotency_key: str) -> None:
        raise self._down()


def link_resolver(
    engine: Engine, secrets_file: Path | None = None
) -> Callable[[Theatre], PosLink | UnbuildableLink | None]:
    """booking.ports.TheatreLinkResolver: legacy theatres get their connector's link."""

    def resolve(theatre: Theatre) -> PosLink | UnbuildableLink | None:
        if not theatre.connector_id:
            return None
        try:
            return PosLink(get_connector(engine, theatre.connector_id, secrets_file))
        except UnknownConnector:
            return None
        except (MissingSecret, ForbiddenSecretRef, MappingError) as exc:
            log.warning("connector %s cannot be built: %s", theatre.connector_id, exc)
            return UnbuildableLink(theatre.connector_id, exc)

    return resolve
