from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from booking import errors
from booking import events as ev
from canonical.catalog import TheatreRules
from canonical.inventory import SeatStatus
from canonical.orders import HoldStatus

from .conftest import SHOW_START, make_world


def test_seat_map_shows_categories_prices_and_statuses(world):
    world.service.place_hold("shw_sample", ["C5", "C6"])
    seat_map = world.service.seat_map("shw_sample")
    assert seat_map.sales_open
    assert seat_map.status("C5") == SeatStatus.HELD
    assert seat_map.status("C4") == SeatStatus.AVAILABLE
    cats = {c.category: c for c in seat_map.categories}
    assert set(cats) == {"standard", "premium"}
    assert cats["standard"].total == 40 and cats["standard"].available == 38
    assert {t.code for t in cats["standard"].prices} == {"ADULT", "CHILD"}
    assert cats["premium"].prices[0].price.amount == 40000


def test_hold_is_all_or_nothing(world):
    world.service.place_hold("shw_sample", ["B5"])
    with pytest.raises(errors.SeatsUnavailable) as exc:
        world.service.place_hold("shw_sample", ["B4", "B5", "B6"])
    assert exc.value.seat_ids == ["B5"] and exc.value.code == "seat_unavailable"
    states = world.store.seats["shw_sample"]
    assert states["B4"].status == SeatStatus.AVAILABLE
    assert states["B6"].status == SeatStatus.AVAILABLE


def test_unknown_seat_and_too_many(world):
    with pytest.raises(errors.UnknownSeat) as exc:
        world.service.place_hold("shw_sample", ["Z99"])
    assert exc.value.code == "unknown_seat" and exc.value.extra["seats"] == ["Z99"]
    with pytest.raises(errors.TooManySeats):
        world.service.place_hold("shw_sample", [f"C{i}" for i in range(1, 11)] + ["D1"])
    small = make_world(TheatreRules(max_seats_per_hold=2))
    with pytest.raises(errors.TooManySeats) as exc:
        small.service.place_hold("shw_sample", ["C1", "C2", "C3"])
    assert exc.value.extra == {"requested": 3, "maximum": 2}


def test_sofa_goes_together(world):
    with pytest.raises(errors.SeatGroupIncomplete) as exc:
        world.service.place_hold("shw_sample", ["E3"])
    assert exc.value.extra["seats"] == ["E4"]
    hold = world.service.place_hold("shw_sample", ["E3", "E4"])
    assert hold.status == HoldStatus.ACTIVE


def test_companion_needs_wheelchair(world):
    with pytest.raises(errors.CompanionWithoutWheelchair):
        world.service.place_hold("shw_sample", ["A2"])
    world.service.place_hold("shw_sample", ["A1", "A2"])
    relaxed = make_world(TheatreRules(companion_requires_wheelchair=False))
    relaxed.service.place_hold("shw_sample", ["A2"])


def test_no_orphan_rule_is_optional():
    strict = make_world(TheatreRules(no_orphan_seats=True))
    with pytest.raises(errors.OrphanSeat) as exc:
        strict.service.place_hold("shw_sample", ["C2", "C3"])  # strands C1 against the wall
    assert exc.value.extra["seats"] == ["C1"]
    strict.service.place_hold("shw_sample", ["C1", "C2", "C3"])
    lax = make_world()
    lax.service.place_hold("shw_sample", ["C2", "C3"])


def test_sales_cutoff():
    world = make_world(sales_cutoff_minutes=30)
    world.clock.set(SHOW_START - timedelta(minutes=29))
    with pytest.raises(errors.SalesClosed):
        world.service.place_hold("shw_sample", ["C1"])


def test_ttl_extend_once_and_expiry_sweep(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    assert hold.expires_at - hold.created_at == timedelta(minutes=8)
    world.clock.advance(minutes=7)
    extended = world.service.extend_hold(hold.id)
    assert extended.expires_at == hold.expires_at + timedelta(minutes=8)
    with pytest.raises(errors.HoldAlreadyExtended):
        world.service.extend_hold(hold.id)
    world.clock.advance(minutes=8)
    assert world.service.expire_holds() == 0
    world.clock.advance(minutes=2)
    assert world.service.expire_holds() == 1
    assert world.service.expire_holds() == 0  # a second sweep finds nothing
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.AVAILABLE
    assert world.service.get_hold(hold.id).status == HoldStatus.EXPIRED
    assert len(world.events(ev.HoldExpired)) == 1
    with pytest.raises(errors.HoldExpired) as exc:
        world.service.extend_hold(hold.id)
    assert exc.value.code == "hold_expired"


def test_release_frees_seats_and_is_idempotent(world):
    hold = world.service.place_hold("shw_sample", ["C5", "C6"])
    world.service.release_hold(hold.id)
    world.service.release_hold(hold.id)
    assert len(world.events(ev.HoldReleased)) == 1
    world.service.place_hold("shw_sample", ["C5", "C6"])


def test_best_available_centre_adjacent_no_orphans(world):
    seats = world.service.best_available("shw_sample", 2)
    # Centre of columns 0..9 is 4.5: C5+C6 sit on it; row C (index 2) is 2/3 back of A..E? the
    # ideal row for rows 0..4 is 2.67, so row D (index 3) wins the tie on distance.
    assert seats == ["D5", "D6"]
    hold = world.service.hold_best_available("shw_sample", 3)
    assert len(hold.seat_ids) == 3
    cols = sorted(int(s[1:]) for s in hold.seat_ids)
    assert cols == list(range(cols[0], cols[0] + 3)) and {s[0] for s in hold.seat_ids} == {"D"}
    assert world.service.best_available("shw_sample", 2, category="premium")[0].startswith("E")


def test_best_available_avoids_single_orphans(world):
    # Leave D2..D4 free between sold seats: taking 2 of the 3 would strand one.
    for sid in ["D1", "D5", "D6", "D7", "D8", "D9", "D10"]:
        world.service.place_hold("shw_sample", [sid])
    for row in "ABC":
        world.service.place_hold("shw_sample", [f"{row}{i}" for i in range(3, 11)])
    seats = world.service.best_available("shw_sample", 2, category="standard")
    # Rows A..C have 2 free at the left: A1/A2 are wheelchair/companion (excluded) so B1+B2 or
    # C1+C2 are exact fits; D2..D4 would leave an orphan.
    assert seats in (["B1", "B2"], ["C1", "C2"])
    with pytest.raises(errors.NoAdjacentSeats):
        world.service.best_available("shw_sample", 4, category="standard")


def test_concurrent_holds_never_overlap():
    world = make_world(TheatreRules(max_seats_per_hold=4))
    results: list[object] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        wanted = [f"C{(i % 8) + 1}", f"C{(i % 8) + 2}", f"C{(i % 8) + 3}"]
        try:
            hold = world.service.place_hold("shw_sample", wanted)
            with lock:
                results.append(hold)
        except errors.SeatsUnavailable as exc:
            with lock:
                results.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    holds = [r for r in results if not isinstance(r, Exception)]
    assert len(results) == 40
    seats = [s for h in holds for s in h.seat_ids]
    assert len(seats) == len(set(seats))
    held = {s for s, st in world.store.seats["shw_sample"].items() if st.status == SeatStatus.HELD}
    assert held == set(seats)


def test_seat_map_is_rebuilt_exactly_when_its_inputs_change(world):
    first = world.service.seat_map("shw_sample")
    assert world.service.seat_map("shw_sample") is first  # nothing changed: the same map
    hold = world.service.place_hold("shw_sample", ["C5"])
    held = world.service.seat_map("shw_sample")
    assert held is not first and held.status("C5") == SeatStatus.HELD
    # lapsed: the seat reads free again
    world.clock.advance(seconds=(hold.expires_at - world.clock.now()).total_seconds() + 1)
    assert world.service.seat_map("shw_sample").status("C5") == SeatStatus.AVAILABLE
    show = world.store.shows["shw_sample"]
    cheaper = show.model_copy(
        update={
            "ticket_types": tuple(
                t.model_copy(update={"price": t.price.model_copy(update={"amount": 100})})
                for t in show.ticket_types
            )
        }
    )
    world.store.shows["shw_sample"] = cheaper  # a new price list is a new catalog object
    repriced = world.service.seat_map("shw_sample")
    assert {p.price.amount for c in repriced.categories for p in c.prices} == {100}
