"""Seat inventory per show, and the deltas that move it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from canonical.identity import CanonicalId
from canonical.time import Instant


class SeatStatus(StrEnum):
    AVAILABLE = "available"
    HELD = "held"
    SOLD = "sold"
    BLOCKED = "blocked"


class SeatState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seat_id: CanonicalId
    status: SeatStatus
    hold_id: str | None = None
    version: int = 0


class DeltaSource(StrEnum):
    MARQUEE = "marquee"
    POS_PUSH = "pos_push"
    POS_POLL = "pos_poll"
    RECONCILE = "reconcile"


class SeatChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seat_id: CanonicalId = Field(description="Canonical seat id (or the POS's, before resolution)")
    status: SeatStatus
    external_ref: str | None = Field(default=None, description="The POS's order/transaction id")


class InventoryDelta(BaseModel):
    """What changed for some seats of one show, from one source, as of one moment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    show_id: CanonicalId
    changes: tuple[SeatChange, ...] = Field(min_length=1)
    source: DeltaSource
    observed_at: Instant
    connector_id: str | None = None
    sequence: str | None = Field(default=None, description="The source's cursor, if it has one")
