"""What a POS report means for a booked, held or free seat (booking.pos_reports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.pos_reports import (
    Report,
    SeatFacts,
    Verdict,
    conflict_detail,
    judge,
    own_refs,
    superseded,
)
from canonical import DeltaSource, InventoryDelta, SeatChange, SeatStatus

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PUSH, POLL, RECONCILE = DeltaSource.POS_PUSH, DeltaSource.POS_POLL, DeltaSource.RECONCILE
S = SeatStatus

BOOKED = SeatFacts(
    status=S.SOLD,
    booking_id="bkg_1",
    claimed_at=NOW - timedelta(minutes=5),
    own_refs=own_refs(
        hold_id="hld_1",
        hold_remote_ref="ORD-7",
        booking_id="bkg_1",
        booking_remote_ref="ORD-7|RB-1",
    ),
)
PENDING = SeatFacts(
    status=S.SOLD,
    booking_id="bkg_1",
    commit_pending=True,
    claimed_at=BOOKED.claimed_at,
    own_refs=own_refs(hold_id="hld_1", hold_remote_ref="ORD-7", booking_id="bkg_1"),
)
HELD = SeatFacts(
    status=S.HELD,
    own_hold=True,
    claimed_at=NOW - timedelta(minutes=1),
    own_refs=own_refs(hold_id="hld_2", hold_remote_ref="ORD-8"),
)
FREE = SeatFacts(status=S.AVAILABLE)


def _report(status, source=POLL, **kw) -> Report:
    return Report(status=status, source=source, observed_at=kw.pop("observed_at", NOW), **kw)


@pytest.mark.parametrize(
    ("seat", "report", "verdict"),
    [
        # Our own steps echoed back: none is a conflict.
        (PENDING, _report(S.HELD), Verdict.IGNORE),  # our forwarded hold, before the commit
        (BOOKED, _report(S.HELD), Verdict.IGNORE),  # the same hold, reported late
        (PENDING, _report(S.SOLD), Verdict.IGNORE),  # our commit, seen before we recorded it
        (BOOKED, _report(S.SOLD), Verdict.IGNORE),
        (BOOKED, _report(S.SOLD, RECONCILE), Verdict.IGNORE),
        (PENDING, _report(S.AVAILABLE), Verdict.IGNORE),  # the commit decides (and raises)
        (BOOKED, _report(S.AVAILABLE, observed_at=NOW - timedelta(hours=1)), Verdict.IGNORE),
        (BOOKED, _report(S.SOLD, PUSH, external_ref="ORD-7"), Verdict.IGNORE),
        (BOOKED, _report(S.SOLD, PUSH, external_ref="sale:bkg_1"), Verdict.IGNORE),
        (BOOKED, _report(S.AVAILABLE, superseded=True), Verdict.IGNORE),
        (HELD, _report(S.HELD), Verdict.IGNORE),
        (HELD, _report(S.AVAILABLE), Verdict.IGNORE),  # the POS let its copy lapse
        (HELD, _report(S.SOLD, PUSH, external_ref="hold:hld_2"), Verdict.IGNORE),
        (HELD, _report(S.SOLD, observed_at=NOW - timedelta(hours=1)), Verdict.IGNORE),
        # Real trouble.
        (BOOKED, _report(S.SOLD, PUSH), Verdict.CONFLICT_KEEP),  # the box office sold it
        (PENDING, _report(S.SOLD, PUSH), Verdict.CONFLICT_KEEP),
        (BOOKED, _report(S.SOLD, external_ref="ORD-99"), Verdict.CONFLICT_KEEP),
        (BOOKED, _report(S.AVAILABLE), Verdict.CONFLICT_KEEP),  # a committed sale dropped
        (BOOKED, _report(S.BLOCKED, RECONCILE), Verdict.CONFLICT_KEEP),
        (HELD, _report(S.SOLD, PUSH), Verdict.CONFLICT_APPLY),
        (HELD, _report(S.SOLD), Verdict.CONFLICT_APPLY),
        # Seats Marquee has not sold take the POS's word.
        (FREE, _report(S.SOLD), Verdict.APPLY),
        (FREE, _report(S.HELD), Verdict.APPLY),  # a POS hold, its expiry renewed
        (FREE, _report(S.AVAILABLE), Verdict.IGNORE),
        (SeatFacts(status=S.SOLD), _report(S.AVAILABLE), Verdict.APPLY),
        (FREE, _report(S.SOLD, superseded=True), Verdict.IGNORE),
    ],
)
def test_judge(seat: SeatFacts, report: Report, verdict: Verdict) -> None:
    decision = judge(seat, report)
    assert decision.verdict == verdict, decision.reason
    assert decision.conflict == (decision.kind is not None)


def test_conflict_kinds_and_details_name_what_admins_resolve() -> None:
    box_office = _report(S.SOLD, PUSH)
    assert judge(BOOKED, box_office).kind == "pos_sold_booked_seat"
    assert judge(HELD, box_office).kind == "pos_sold_held_seat"
    assert judge(BOOKED, _report(S.AVAILABLE)).kind == "pos_reports_booked_seat_available"
    assert conflict_detail(BOOKED, box_office, None, "42") == {
        "pos_status": "sold",
        "source": "pos_push",
        "sequence": "42",
        "booking_id": "bkg_1",
    }
    assert conflict_detail(HELD, box_office, "hld_2", None)["hold_id"] == "hld_2"


def test_own_refs_cover_keys_and_pos_references() -> None:
    assert own_refs(
        hold_id="h", hold_remote_ref="ORD-1", booking_id="b", booking_remote_ref="ORD-1|RB-9"
    ) == {"hold:h", "ORD-1", "sale:b", "sale-hold:b", "RB-9"}
    assert own_refs() == frozenset()


def _delta(show: str, *changes: tuple[str, SeatStatus]) -> InventoryDelta:
    return InventoryDelta(
        show_id=show,
        changes=tuple(SeatChange(seat_id=s, status=st) for s, st in changes),
        source=POLL,
        observed_at=NOW,
    )


def test_only_the_last_report_of_a_batch_about_a_seat_counts() -> None:
    batch = [
        _delta("shw_a", ("A1", S.HELD), ("A2", S.HELD)),
        _delta("shw_b", ("A1", S.HELD)),  # another show: its own seat
        _delta("shw_a", ("A1", S.SOLD)),
        _delta("shw_a", ("A1", S.SOLD), ("A3", S.AVAILABLE)),
    ]
    assert superseded(batch) == [
        frozenset({"A1"}),
        frozenset(),
        frozenset({"A1"}),
        frozenset(),
    ]
    assert superseded([]) == []
