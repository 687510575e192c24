from __future__ import annotations

from datetime import timedelta

import pytest

from booking import errors
from booking import events as ev
from booking.ports import GatewayEventKind
from booking.refusals import PaidBookingFailed
from canonical.catalog import CancellationPolicy, TheatreRules
from canonical.inventory import SeatStatus
from canonical.money import Money
from canonical.orders import BookingStatus, HoldStatus, PaymentMethod, PaymentStatus
from payments.offline import CARD_3DS, CARD_DECLINE, CARD_SUCCESS, CARD_TIMEOUT

from .conftest import SHOW_START, make_world

S = PaymentStatus


def card(number: str) -> dict:
    return {"card_number": number}


def history(world, payment_id):
    return [(t.from_status, t.to_status) for t in world.service.payment_history(payment_id)]


def test_checkout_success_confirms_and_notifies(world):
    hold = world.service.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_1")
    result = world.service.checkout(
        hold.id, "cus_1", details=card(CARD_SUCCESS), ticket_types={"C6": "CHILD"}
    )
    assert result.payment.status == S.SUCCEEDED
    assert result.booking.status == BookingStatus.CONFIRMED
    assert result.booking.total == Money(amount=40000, currency="INR")
    assert len(result.booking.code) == 8
    assert history(world, result.payment.id) == [
        (S.INITIATED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.SUCCEEDED),
    ]
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.SOLD
    assert world.service.get_hold(hold.id).status == HoldStatus.CONVERTED
    world.drain()
    assert [n.kind for n in world.notifier.sent] == ["booking_confirmed"]
    assert world.service.find_booking(result.booking.code.lower()).id == result.booking.id
    # The converted hold's seats do not come back on expiry.
    world.clock.advance(minutes=30)
    assert world.service.expire_holds() == 0


def test_the_shows_booking_fee_is_charged_per_ticket():
    world = make_world(booking_fee=Money(amount=2500, currency="INR"))
    hold = world.service.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_1")
    result = world.service.checkout(
        hold.id, "cus_1", details=card(CARD_SUCCESS), ticket_types={"C6": "CHILD"}
    )
    fee = Money(amount=2500, currency="INR")
    assert [t.fee for t in result.booking.tickets] == [fee, fee]
    # The ticket prices (40,000 together) and a fee per ticket: one total, charged once.
    assert result.booking.total == Money(amount=45000, currency="INR")
    assert result.payment.amount == result.booking.total
    # A cancellation without a cancellation fee gives back what was paid, fees included.
    cancelled = world.service.cancel_booking(result.booking.id, "cus_1")
    assert cancelled.refund == result.booking.total


def test_decline_then_retry_with_a_fresh_attempt(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    with pytest.raises(errors.PaymentDeclined) as exc:
        world.service.checkout(hold.id, "cus_1", details=card(CARD_DECLINE))
    first = exc.value.extra["payment_id"]
    assert world.service.get_payment(first).status == S.FAILED
    result = world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS))
    assert result.payment.id != first
    assert result.booking.status == BookingStatus.CONFIRMED
    # Checking out the same hold again charges nothing: the paid attempt is the answer.
    again = world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS))
    assert not again.created
    assert (again.booking.id, again.payment.id) == (result.booking.id, result.payment.id)


def test_three_d_secure_then_confirm(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    result = world.service.checkout(hold.id, "cus_1", details=card(CARD_3DS))
    assert result.next_action == "3ds" and result.payment.status == S.IN_PROGRESS
    assert result.booking.status == BookingStatus.PENDING
    done = world.service.confirm_payment(result.payment.id)
    assert done.payment.status == S.SUCCEEDED
    assert done.booking.status == BookingStatus.CONFIRMED


def test_timeout_leaves_outcome_unknown(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    with pytest.raises(errors.GatewayUnavailable) as exc:
        world.service.checkout(hold.id, "cus_1", details=card(CARD_TIMEOUT))
    assert exc.value.retry_after > 0
    assert world.service.get_payment(exc.value.extra["payment_id"]).status == S.IN_PROGRESS


def test_unsupported_method_and_unknown_gateway(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    with pytest.raises(errors.UnknownGateway):
        world.service.checkout(hold.id, "cus_1", gateway="nope")
    result = world.service.checkout(
        hold.id, "cus_1", method=PaymentMethod.UPI, details={"vpa": "asha@upi"}
    )
    assert result.payment.method == PaymentMethod.UPI and result.payment.status == S.SUCCEEDED


def test_expired_hold_cannot_check_out(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    world.clock.advance(minutes=9)
    with pytest.raises(errors.HoldExpired):
        world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS))


def test_webhook_events_out_of_order_and_replayed(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    started = world.service.checkout(hold.id, "cus_1", details=card(CARD_3DS))
    pay = started.payment
    # The customer authenticates at the gateway; its events arrive: succeeded first, then a
    # stale processing, then succeeded again (a replay).
    world.gateway.confirm_payment(pay.gateway_ref, "browser-side")
    ok_body, ok_headers = world.gateway.make_event(
        GatewayEventKind.SUCCEEDED, pay.gateway_ref, event_id="e2"
    )
    late_body, late_headers = world.gateway.make_event(
        GatewayEventKind.PROCESSING, pay.gateway_ref, event_id="e1"
    )
    assert world.service.handle_gateway_event("offline", ok_body, ok_headers) == "applied"
    assert world.service.handle_gateway_event("offline", late_body, late_headers) == "stale"
    assert world.service.handle_gateway_event("offline", ok_body, ok_headers) == "duplicate"
    assert history(world, pay.id) == [(S.INITIATED, S.IN_PROGRESS), (S.IN_PROGRESS, S.SUCCEEDED)]
    assert world.service.get_booking(pay.booking_id).status == BookingStatus.CONFIRMED
    with pytest.raises(errors.InvalidSignature):
        world.service.handle_gateway_event("offline", ok_body, {"X-Offline-Signature": "00"})


def test_refund_event_before_success_walks_every_step(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    with pytest.raises(errors.GatewayUnavailable) as exc:
        world.service.checkout(hold.id, "cus_1", details=card(CARD_TIMEOUT))
    pay = world.service.get_payment(exc.value.extra["payment_id"])
    # Give the unknown-outcome payment a gateway ref as its late events would.
    body, headers = world.gateway.make_event(
        GatewayEventKind.REFUNDED, "ref-x", payment_id=pay.id, amount_refunded=10000
    )
    assert world.service.handle_gateway_event("offline", body, headers) == "applied"
    assert history(world, pay.id) == [
        (S.INITIATED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.SUCCEEDED),
        (S.SUCCEEDED, S.PARTIALLY_REFUNDED),
    ]


def test_payment_after_hold_expired_retakes_free_seats(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    started = world.service.checkout(hold.id, "cus_1", details=card(CARD_3DS))
    world.clock.advance(minutes=9)
    world.service.expire_holds()
    done = world.service.confirm_payment(started.payment.id)
    assert done.booking.status == BookingStatus.CONFIRMED
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.SOLD


def test_payment_after_hold_expired_and_seats_gone_is_refunded(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    started = world.service.checkout(hold.id, "cus_1", details=card(CARD_3DS))
    world.clock.advance(minutes=9)
    world.service.expire_holds()
    world.service.place_hold("shw_sample", ["C5"])  # someone else
    # Paid, but the booking failed: never a success answer.
    with pytest.raises(PaidBookingFailed):
        world.service.confirm_payment(started.payment.id)
    assert world.service.get_booking(started.booking.id).status == BookingStatus.FAILED
    world.drain()
    payment = world.service.get_payment(started.payment.id)
    assert payment.status == S.REFUNDED and payment.refunded == payment.amount
    kinds = [n.kind for n in world.notifier.sent]
    assert "payment_after_expiry" in kinds and "refund_issued" in kinds
    assert world.gateway.charge(payment.gateway_ref).refunded == payment.amount.amount


def test_cancel_with_fee_refunds_the_rest_once():
    rules = TheatreRules(
        cancellation=CancellationPolicy(
            cutoff_minutes=60, fee_percent=10, fee_fixed=Money(amount=2000, currency="INR")
        )
    )
    world = make_world(rules)
    hold = world.service.place_hold("shw_sample", ["C5", "C6"])
    booking = world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS)).booking
    result = world.service.cancel_booking(booking.id)
    assert result.fee == Money(amount=7000, currency="INR")  # 10 % of 500.00 + 20.00
    assert result.refund == Money(amount=43000, currency="INR")
    assert result.refund_issued
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.AVAILABLE
    world.drain()  # the RefundRequested handler runs again: no second refund
    payment = world.store.payments[next(iter(world.store.payments))]
    assert payment.status == S.PARTIALLY_REFUNDED and payment.refunded.amount == 43000
    assert world.gateway.charge(payment.gateway_ref).refunded == 43000
    assert len(world.events(ev.RefundIssued)) == 1
    with pytest.raises(errors.BookingNotCancellable):
        world.service.cancel_booking(booking.id)


def test_cancel_after_cutoff_is_refused():
    world = make_world(TheatreRules(cancellation=CancellationPolicy(cutoff_minutes=120)))
    hold = world.service.place_hold("shw_sample", ["C5"])
    booking = world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS)).booking
    world.clock.set(SHOW_START - timedelta(minutes=119))
    with pytest.raises(errors.CancellationClosed):
        world.service.cancel_booking(booking.id)


def test_events_round_trip_through_the_outbox_format(world):
    hold = world.service.place_hold("shw_sample", ["C5"])
    world.service.checkout(hold.id, "cus_1", details=card(CARD_SUCCESS))
    for event in world.store.outbox:
        name, payload = event.to_message()
        assert ev.from_message(name, payload) == event
    assert {e.name for e in world.store.outbox} >= {
        "HoldPlaced",
        "BookingConfirmed",
        "PaymentSucceeded",
    }
