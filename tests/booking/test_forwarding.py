"""Forwarding to a legacy theatre's POS through the TheatreLink port. The POS here is a small
in-test fake that keeps its own seats and honours idempotency keys like the real ones."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from api.problems import http_status
from booking import errors
from booking import events as ev
from booking.ports import PosRefused, PosUnavailable, RemoteHold
from canonical.inventory import SeatStatus
from canonical.orders import BookingStatus, HoldStatus, PaymentStatus
from payments.offline import CARD_SUCCESS

from .conftest import make_world


@dataclass
class FakePos:
    sold_at_box_office: set[str] = field(default_factory=set)
    down: bool = False
    refuse_sale: bool = False
    orders: dict[str, dict] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def hold(self, show, seats, hold_seconds, idempotency_key):
        self.calls.append(("hold", idempotency_key))
        if self.down:
            raise PosUnavailable("connection refused", retry_after=20)
        if idempotency_key in self.by_key:
            return RemoteHold(ref=self.by_key[idempotency_key])
        taken = [
            s.id
            for s in seats
            if s.id in self.sold_at_box_office
            or any(s.id in o["seats"] for o in self.orders.values() if o["state"] != "cancelled")
        ]
        if taken:
            raise PosRefused(taken)
        ref = f"ORD-{len(self.orders) + 1}"
        self.orders[ref] = {"seats": {s.id for s in seats}, "state": "held"}
        self.by_key[idempotency_key] = ref
        return RemoteHold(ref=ref)

    def confirm(self, show, remote_ref, booking_code, amount, idempotency_key):
        self.calls.append(("confirm", idempotency_key))
        if self.down:
            raise PosUnavailable("timeout")
        if self.refuse_sale:
            raise PosRefused(sorted(self.orders[remote_ref]["seats"]))
        self.orders[remote_ref]["state"] = "sold"
        return f"BK-{remote_ref}"

    def release(self, show, remote_ref, idempotency_key):
        self.calls.append(("release", idempotency_key))
        ref = remote_ref or self.by_key.get(idempotency_key.split(":", 1)[1])
        if ref in self.orders:
            self.orders[ref]["state"] = "cancelled"

    def cancel(self, show, remote_ref, idempotency_key):
        self.calls.append(("cancel", idempotency_key))
        self.orders[remote_ref]["state"] = "cancelled"


@pytest.fixture
def pos():
    return FakePos()


@pytest.fixture
def legacy(pos):
    return make_world(links=lambda theatre: pos)


def test_hold_is_forwarded_with_an_idempotency_key(legacy, pos):
    hold = legacy.service.place_hold("shw_sample", ["C5", "C6"])
    assert hold.remote_ref == "ORD-1"
    assert pos.calls == [("hold", f"hold:{hold.id}")]
    assert legacy.events(ev.HoldPlaced)[0].remote_ref == "ORD-1"


def test_pos_refusal_releases_and_takes_the_pos_word(legacy, pos):
    pos.sold_at_box_office.add("C6")
    with pytest.raises(errors.SeatsUnavailable) as exc:
        legacy.service.place_hold("shw_sample", ["C5", "C6"])
    assert exc.value.seat_ids == ["C6"] and http_status(exc.value) == 409
    states = legacy.store.seats["shw_sample"]
    assert states["C5"].status == SeatStatus.AVAILABLE
    assert states["C6"].status == SeatStatus.SOLD
    hold = next(iter(legacy.store.holds.values()))
    assert hold.status == HoldStatus.RELEASED


def test_pos_down_releases_and_says_retry_after(legacy, pos):
    pos.down = True
    with pytest.raises(errors.TheatreUnavailable) as exc:
        legacy.service.place_hold("shw_sample", ["C5"])
    assert exc.value.retry_after == 20 and http_status(exc.value) == 503
    assert legacy.store.seats["shw_sample"]["C5"].status == SeatStatus.AVAILABLE
    pos.down = False
    legacy.drain()  # the release is forwarded by key in case the POS made the hold after all
    assert pos.calls[-1][0] == "release"


def test_expiry_releases_at_the_pos(legacy, pos):
    hold = legacy.service.place_hold("shw_sample", ["C5"])
    legacy.clock.advance(minutes=9)
    legacy.service.expire_holds()
    legacy.drain()
    assert pos.orders[hold.remote_ref]["state"] == "cancelled"


def test_sale_committed_and_cancelled_at_the_pos(legacy, pos):
    hold = legacy.service.place_hold("shw_sample", ["C5"])
    booking = legacy.service.checkout(
        hold.id, "cus_1", details={"card_number": CARD_SUCCESS}
    ).booking
    legacy.drain()
    booking = legacy.service.get_booking(booking.id)
    assert booking.remote_ref == "ORD-1|BK-ORD-1"
    assert pos.orders["ORD-1"]["state"] == "sold"
    legacy.drain()
    legacy.bus.handle(legacy.events(ev.BookingConfirmed)[0])  # a redelivery changes nothing
    assert [c for c in pos.calls if c[0] == "confirm"] == [("confirm", f"sale:{booking.id}")]
    legacy.service.cancel_booking(booking.id)
    legacy.drain()
    assert pos.orders["ORD-1"]["state"] == "cancelled"


def test_final_sale_failure_refunds_and_raises_conflict(legacy, pos):
    hold = legacy.service.place_hold("shw_sample", ["C5"])
    pos.refuse_sale = True
    result = legacy.service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
    legacy.drain()
    assert legacy.service.get_booking(result.booking.id).status == BookingStatus.FAILED
    assert len(legacy.events(ev.SaleCommitFailed)) == 1
    assert legacy.service.get_payment(result.payment.id).status == PaymentStatus.REFUNDED


def test_retry_while_pos_is_down_then_up(legacy, pos):
    hold = legacy.service.place_hold("shw_sample", ["C5"])
    result = legacy.service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
    pos.down = True
    with pytest.raises(PosUnavailable):
        legacy.service.commit_sale(result.booking.id)
    pos.down = False
    assert legacy.service.commit_sale(result.booking.id) == "BK-ORD-1"
    assert legacy.service.commit_sale(result.booking.id) == "BK-ORD-1"
    confirms = [c for c in pos.calls if c[0] == "confirm"]
    assert confirms[-1] == ("confirm", f"sale:{result.booking.id}")
