"""Recent availability: a snapshot of a show's seat states may refuse a hold without the
database for a fraction of a second, and never accept one."""

from __future__ import annotations

import pytest

from booking import errors
from booking.availability import RecentAvailability
from canonical.inventory import SeatState, SeatStatus
from canonical.orders import HoldStatus

from .conftest import World, make_world

SHOW = "shw_sample"


@pytest.fixture
def timed() -> tuple[World, list[float]]:
    world = make_world()
    now = [100.0]
    world.service.availability = RecentAvailability(0.25, clock=lambda: now[0])
    return world, now


def _elsewhere(world: World, seat_id: str, status: SeatStatus) -> None:
    """What another API process or a POS sync does: the store changes, this service is not told."""
    world.store.seats[SHOW][seat_id] = SeatState(seat_id=seat_id, status=status)


def test_a_recent_snapshot_refuses_a_seat_freed_elsewhere_until_it_is_too_old(timed):
    world, now = timed
    world.service.seat_map(SHOW)  # a full read: the snapshot
    world.service.place_hold(SHOW, ["B5"], "cus_a")
    _elsewhere(world, "B5", SeatStatus.AVAILABLE)  # another process expired that hold
    with pytest.raises(errors.SeatsUnavailable) as refused:
        world.service.place_hold(SHOW, ["B5"], "cus_b")  # answered from the snapshot
    assert refused.value.seat_ids == ["B5"]
    now[0] += 0.3  # older than 0.25 s: the database decides again
    hold = world.service.place_hold(SHOW, ["B5"], "cus_b")
    assert hold.seat_ids == ("B5",) and world.store.seats[SHOW]["B5"].hold_id == hold.id


def test_a_snapshot_never_accepts_a_seat_taken_since(timed):
    world, _ = timed
    world.service.seat_map(SHOW)  # B6 free in the snapshot
    _elsewhere(world, "B6", SeatStatus.SOLD)  # sold by the box office a moment later
    holds_before = dict(world.store.holds)
    with pytest.raises(errors.SeatsUnavailable) as refused:
        world.service.place_hold(SHOW, ["B6"], "cus_b")
    assert refused.value.seat_ids == ["B6"]
    assert world.store.holds == holds_before and world.store.seats[SHOW]["B6"].status == "sold"
    # ...and the snapshot learned it: the next request for B6 is refused without the store
    recent = world.service.availability.recent(SHOW)
    assert recent is not None and recent.states["B6"] != SeatStatus.AVAILABLE


def test_seats_freed_by_this_process_are_holdable_at_once(timed):
    world, _ = timed
    world.service.seat_map(SHOW)
    hold = world.service.place_hold(SHOW, ["C5", "C6"], "cus_a")
    assert world.service.release_hold(hold.id).status == HoldStatus.RELEASED
    again = world.service.place_hold(SHOW, ["C5", "C6"], "cus_b")  # no stale refusal
    assert again.customer_id == "cus_b"


def test_best_available_from_a_snapshot_skips_seats_held_here_and_refuses_a_full_house(timed):
    world, _ = timed
    first = world.service.hold_best_available(SHOW, 2, customer_id="cus_a")
    second = world.service.hold_best_available(SHOW, 2, customer_id="cus_b")
    assert not set(first.seat_ids) & set(second.seat_ids)
    for seat_id in list(world.store.seats[SHOW]):
        if world.store.seats[SHOW][seat_id].status == SeatStatus.AVAILABLE:
            _elsewhere(world, seat_id, SeatStatus.SOLD)
    world.service.seat_map(SHOW)  # a fresh full read: sold out
    with pytest.raises(errors.NoAdjacentSeats):
        world.service.hold_best_available(SHOW, 2, customer_id="cus_c")
    world.service.release_hold(first.id)  # freed here: the snapshot is dropped
    third = world.service.hold_best_available(SHOW, 2, customer_id="cus_c")
    assert set(third.seat_ids) == set(first.seat_ids)


def test_off_by_default_in_the_domain(world):
    assert not world.service.availability.enabled
    world.service.seat_map(SHOW)
    world.service.place_hold(SHOW, ["B5"], "cus_a")
    _elsewhere(world, "B5", SeatStatus.AVAILABLE)
    assert world.service.place_hold(SHOW, ["B5"], "cus_b").customer_id == "cus_b"
