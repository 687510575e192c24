"""What a POS report about a seat means for Marquee: apply it, ignore it, or raise a conflict.

A legacy POS reports every step of our own online sale back to us (held when we forward the
hold, sold when we commit the sale), through its push, its event feed or its snapshot files,
often late and sometimes twice. Those echoes are not conflicts. A conflict is the POS taking a
seat a Marquee customer holds or booked for someone else, or dropping a sale we committed.

Pure functions over plain facts; the store reads the facts and writes the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from canonical import DeltaSource, InventoryDelta, SeatStatus

# Idempotency keys booking sends to a POS. A POS that echoes one (or its order id) in a report
# names the report as ours.
HOLD_KEY = "hold:{}"
SALE_KEY = "sale:{}"
SALE_HOLD_KEY = "sale-hold:{}"


# The reason of an IGNORE that still is the POS's word about the seat (the store records it).
ALREADY_SO = "already so"


class Verdict(StrEnum):
    APPLY = "apply"  # take the POS's status
    IGNORE = "ignore"  # our own step echoed, stale, or nothing to change
    CONFLICT_KEEP = "conflict_keep"  # record a conflict; Marquee's booking stays
    CONFLICT_APPLY = "conflict_apply"  # record a conflict; the POS's status wins


@dataclass(frozen=True)
class SeatFacts:
    """What Marquee knows about one seat when a report about it arrives."""

    status: SeatStatus  # as customers see it now (an expired hold reads as available)
    booking_id: str | None = None
    commit_pending: bool = False  # the booking's sale is still to be committed at the POS
    own_hold: bool = False  # a live hold of a Marquee customer
    claimed_at: datetime | None = None  # when our hold on the seat began
    own_refs: frozenset[str] = frozenset()  # our keys and the POS's order ids for this seat


@dataclass(frozen=True)
class Report:
    """One seat's status as a POS reported it."""

    status: SeatStatus
    source: DeltaSource
    observed_at: datetime | None = None
    external_ref: str | None = None
    superseded: bool = False  # a later report in the same batch names this seat again


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    kind: str | None = None  # conflict kind
    action: str | None = None  # what Marquee did about the conflict, for admins

    @property
    def conflict(self) -> bool:
        return self.verdict in (Verdict.CONFLICT_KEEP, Verdict.CONFLICT_APPLY)


def own_refs(
    *,
    hold_id: str | None = None,
    hold_remote_ref: str | None = None,
    booking_id: str | None = None,
    booking_remote_ref: str | None = None,
) -> frozenset[str]:
    """Every reference a POS could echo for our own hold and sale of a seat."""
    refs: set[str] = set()
    if hold_id:
        refs.add(HOLD_KEY.format(hold_id))
    if hold_remote_ref:
        refs.add(hold_remote_ref)
    if booking_id:
        refs |= {SALE_KEY.format(booking_id), SALE_HOLD_KEY.format(booking_id)}
    if booking_remote_ref:
        # "<POS order id>|<POS booking number>" once the sale is committed.
        refs |= {part for part in booking_remote_ref.split("|") if part}
    return frozenset(refs)


def judge(seat: SeatFacts, report: Report) -> Decision:
    """The meaning of one report for one seat."""
    if report.superseded:
        return Decision(Verdict.IGNORE, "superseded by a later report in the same batch")
    ours = report.external_ref is not None and report.external_ref in seat.own_refs
    if seat.booking_id is not None:
        return _booked(seat, report, ours)
    if seat.own_hold:
        return _held(seat, report, ours)
    if seat.status == report.status:
        # A seat the POS holds stays held until the POS says otherwise: nothing to move.
        return Decision(Verdict.IGNORE, ALREADY_SO)
    return Decision(Verdict.APPLY, "the POS is the authority for seats Marquee has not sold")


def _booked(seat: SeatFacts, report: Report, ours: bool) -> Decision:
    if ours:
        return Decision(Verdict.IGNORE, "our own hold or sale, named by its reference")
    if report.status == SeatStatus.SOLD:
        if report.source == DeltaSource.POS_PUSH or report.external_ref is not None:
            # A push is the box office acting; a sale under another order is someone else's.
            return Decision(
                Verdict.CONFLICT_KEEP,
                "the POS sold a seat a Marquee customer booked",
                kind="pos_sold_booked_seat",
                action="kept the Marquee booking; the theatre must resolve the POS side",
            )
        return Decision(Verdict.IGNORE, "our own sale, committed (or being committed) at the POS")
    if report.status == SeatStatus.HELD:
        # The POS holds a seat sold to us only under our own order: the hold we forwarded,
        # reported before (or while) the sale is committed.
        return Decision(Verdict.IGNORE, "our own hold at the POS, before the sale commit")
    if _before_our_claim(seat, report):
        return Decision(Verdict.IGNORE, "reported before our hold began")
    if seat.commit_pending:
        # The POS commit is still to come: if the POS lost our hold, the commit is refused and
        # raises its own conflict (sale_commit_failed), so this is not a second one.
        return Decision(Verdict.IGNORE, "the pending POS commit decides")
    return Decision(
        Verdict.CONFLICT_KEEP,
        f"the POS reports a booked seat {report.status.value}",
        kind=f"pos_reports_booked_seat_{report.status.value}",
        action="kept the Marquee booking; the theatre must resolve the POS side",
    )


def _held(seat: SeatFacts, report: Report, ours: bool) -> Decision:
    if ours or report.status != SeatStatus.SOLD:
        # Our own hold echoed, or the POS let its copy lapse: ours expires by our clock.
        return Decision(Verdict.IGNORE, "a Marquee customer holds the seat")
    if _before_our_claim(seat, report):
        return Decision(Verdict.IGNORE, "reported before our hold began")
    return Decision(
        Verdict.CONFLICT_APPLY,
        "the POS sold a seat a Marquee customer holds",
        kind="pos_sold_held_seat",
        action="POS sale wins: the seat left the Marquee hold",
    )


def _before_our_claim(seat: SeatFacts, report: Report) -> bool:
    # Only a source that stamps its reports can say so; an unstamped report is taken as now.
    return (
        seat.claimed_at is not None
        and report.observed_at is not None
        and report.source != DeltaSource.POS_PUSH
        and report.observed_at < seat.claimed_at
    )


def superseded(deltas: Sequence[InventoryDelta]) -> list[frozenset[str]]:
    """For each delta of a batch (in the order the POS gave them), the seats a later delta of
    the batch reports again: only the last word about a seat counts."""
    seen: set[tuple[str, str]] = set()
    out: list[frozenset[str]] = []
    for delta in reversed(deltas):
        later = frozenset(c.seat_id for c in delta.changes if (delta.show_id, c.seat_id) in seen)
        seen.update((delta.show_id, c.seat_id) for c in delta.changes)
        out.append(later)
    out.reverse()
    return out


def conflict_detail(
    seat: SeatFacts, report: Report, hold_id: str | None, sequence: str | None
) -> dict[str, object]:
    detail: dict[str, object] = {
        "pos_status": report.status.value,
        "source": report.source.value,
        "sequence": sequence,
    }
    if seat.booking_id is not None:
        detail["booking_id"] = seat.booking_id
    elif hold_id is not None:
        detail["hold_id"] = hold_id
    if report.external_ref is not None:
        detail["pos_ref"] = report.external_ref
    return detail
