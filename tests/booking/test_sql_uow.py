"""The booking services on the SQL unit of work, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.problems import http_status
from booking import errors
from booking.events import from_message
from booking.ports import GatewayEventKind
from booking.refusals import PaidBookingFailed
from canonical.catalog import CancellationPolicy, TheatreRules
from canonical.inventory import SeatStatus
from canonical.orders import BookingStatus, HoldStatus, PaymentStatus
from payments.offline import CARD_3DS, CARD_SUCCESS
from store.tables import booking_seats, outbox, payment_transitions

from .sql_world import sql_service

S = PaymentStatus


@pytest.fixture
def sql(db_url):
    service, engine, gateway, clock = sql_service(db_url)
    yield service, engine, gateway, clock
    engine.dispose()


def test_hold_checkout_cancel_journey(sql):
    service, engine, gateway, clock = sql
    with pytest.raises(errors.SeatGroupIncomplete):
        service.place_hold("shw_sample", ["E1"])
    hold = service.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_1")
    with pytest.raises(errors.SeatsUnavailable) as exc:
        service.place_hold("shw_sample", ["C6", "C7"])
    assert exc.value.seat_ids == ["C6"]
    assert service.seat_map("shw_sample").status("C7") == SeatStatus.AVAILABLE
    service.extend_hold(hold.id)
    result = service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
    assert result.booking.status == BookingStatus.CONFIRMED
    assert service.seat_map("shw_sample").status("C5") == SeatStatus.SOLD
    assert service.get_hold(hold.id).status == HoldStatus.CONVERTED
    assert [(t.from_status, t.to_status) for t in service.payment_history(result.payment.id)] == [
        (S.INITIATED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.SUCCEEDED),
    ]
    cancel = service.cancel_booking(result.booking.id)
    assert cancel.refund_issued and cancel.refund.amount == 50000
    assert service.get_payment(result.payment.id).status == S.REFUNDED
    assert service.seat_map("shw_sample").status("C5") == SeatStatus.AVAILABLE
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(booking_seats).where(booking_seats.c.active)
            ).scalar()
            == 0
        )
        rows = conn.execute(select(outbox.c.topic, outbox.c.payload).order_by(outbox.c.id)).all()
    topics = [r.topic for r in rows]
    for expected in (
        "HoldPlaced",
        "HoldExtended",
        "BookingConfirmed",
        "PaymentSucceeded",
        "BookingCancelled",
        "RefundRequested",
        "RefundIssued",
    ):
        assert expected in topics
    assert all(from_message(r.topic, r.payload).name == r.topic for r in rows)
    # The seats can be held again by someone else.
    service.place_hold("shw_sample", ["C5", "C6"])


def test_rollback_leaves_no_partial_hold(sql):
    service, engine, gateway, clock = sql
    service.place_hold("shw_sample", ["D9"])
    with pytest.raises(errors.SeatsUnavailable):
        service.place_hold("shw_sample", ["D7", "D8", "D9"])
    seat_map = service.seat_map("shw_sample")
    assert seat_map.status("D7") == SeatStatus.AVAILABLE == seat_map.status("D8")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar() == 1


def test_expiry_and_late_payment(sql):
    service, engine, gateway, clock = sql
    hold = service.place_hold("shw_sample", ["C5"])
    started = service.checkout(hold.id, "cus_1", details={"card_number": CARD_3DS})
    clock.advance(minutes=9)
    # The lapsed hold's seat is free to others before any sweep runs.
    assert service.seat_map("shw_sample").status("C5") == SeatStatus.AVAILABLE
    other = service.place_hold("shw_sample", ["C5"])
    # Paid but not confirmed: the answer is a refusal, never a success.
    with pytest.raises(PaidBookingFailed):
        service.confirm_payment(started.payment.id)
    assert service.get_booking(started.booking.id).status == BookingStatus.FAILED
    payment = service.get_payment(started.payment.id)
    assert payment.status == S.SUCCEEDED  # the refund is owed (RefundRequested in the outbox)
    with engine.connect() as conn:
        topics = [t for (t,) in conn.execute(select(outbox.c.topic))]
    assert "LateSuccessRefunded" in topics and "RefundRequested" in topics
    refunded = service.issue_refund(payment.id, payment.amount, "late", f"refund:{payment.id}:full")
    assert refunded.status == S.REFUNDED
    assert (
        service.issue_refund(payment.id, payment.amount, "late", f"refund:{payment.id}:full").status
        == S.REFUNDED
    )
    assert gateway.charge(payment.gateway_ref).refunded == payment.amount.amount
    # The other customer's hold is untouched, and the sweep only tidies the lapsed one.
    assert service.get_hold(other.id).status == HoldStatus.ACTIVE
    assert service.seat_map("shw_sample").status("C5") == SeatStatus.HELD


def test_late_payment_retakes_free_seats(sql):
    service, engine, gateway, clock = sql
    hold = service.place_hold("shw_sample", ["C5"])
    started = service.checkout(hold.id, "cus_1", details={"card_number": CARD_3DS})
    clock.advance(minutes=9)
    assert service.expire_holds() == 1
    done = service.confirm_payment(started.payment.id)
    assert done.booking.status == BookingStatus.CONFIRMED
    assert service.seat_map("shw_sample").status("C5") == SeatStatus.SOLD


def test_gateway_events_deduplicated_and_ordered(sql):
    service, engine, gateway, clock = sql
    hold = service.place_hold("shw_sample", ["C5"])
    started = service.checkout(hold.id, "cus_1", details={"card_number": CARD_3DS})
    gateway.confirm_payment(started.payment.gateway_ref, "browser")
    ok, ok_h = gateway.make_event(GatewayEventKind.SUCCEEDED, started.payment.gateway_ref)
    late, late_h = gateway.make_event(GatewayEventKind.PROCESSING, started.payment.gateway_ref)
    assert service.handle_gateway_event("offline", ok, ok_h) == "applied"
    assert service.handle_gateway_event("offline", ok, ok_h) == "duplicate"
    assert service.handle_gateway_event("offline", late, late_h) == "stale"
    with engine.connect() as conn:
        steps = (
            conn.execute(
                select(payment_transitions.c.to_status)
                .where(payment_transitions.c.payment_id == started.payment.id)
                .order_by(payment_transitions.c.id)
            )
            .scalars()
            .all()
        )
    assert steps == ["in_progress", "succeeded"]


def test_cancellation_policy_on_sql(db_url):
    rules = TheatreRules(cancellation=CancellationPolicy(cutoff_minutes=60, fee_percent=50))
    service, engine, gateway, clock = sql_service(db_url, rules=rules)
    try:
        hold = service.place_hold("shw_sample", ["B3"])
        booking = service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS}).booking
        result = service.cancel_booking(booking.id)
        assert result.fee.amount == 12500 and result.refund.amount == 12500
        payment = service.get_payment(_payment_id(engine, booking.id))
        assert payment.status == S.PARTIALLY_REFUNDED and payment.refunded.amount == 12500
    finally:
        engine.dispose()


def _payment_id(engine, booking_id):
    from store.tables import payments

    with engine.connect() as conn:
        return conn.execute(
            select(payments.c.id).where(payments.c.booking_id == booking_id)
        ).scalar_one()


def test_a_cancelled_show_sells_nothing_more(sql):
    """A show cancelled by its theatre (or vanished from a POS schedule) refuses holds,
    best-available and checkout of a hold taken before; bookings already made are kept."""
    from store import partners

    service, engine, _, _ = sql
    before = service.place_hold("shw_sample", ["A1"], "cus_1")
    with engine.begin() as conn:
        assert partners.cancel_show(conn, "shw_sample")
    with pytest.raises(errors.ShowCancelled) as refused:
        service.place_hold("shw_sample", ["A2"], "cus_1")
    assert http_status(refused.value) == 409 and refused.value.code == "show_cancelled"
    with pytest.raises(errors.ShowCancelled):
        service.hold_best_available("shw_sample", 2, customer_id="cus_1")
    with pytest.raises(errors.ShowCancelled):
        service.checkout(before.id, "cus_1", details={"card_number": CARD_SUCCESS})
    assert service.seat_map("shw_sample").status("A2") == SeatStatus.AVAILABLE  # untouched
