"""Money events move bookings. Attack replayed: a customer pays, then takes the money back at
the gateway (a refund from the dashboard, a chargeback through their bank) and still walks in
with a valid e-ticket. Stripe's `charge.refunded` (full and partial) and
`charge.dispute.created` must update the payment and the booking whatever order they arrive
in; negative prices, fees and refunds are refused at the API and by the database."""

from __future__ import annotations

import itertools

import pytest
import responses
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

import tests.payments.test_stripe as stripe_wire
from booking.errors import InvalidAmount
from canonical.inventory import SeatStatus
from canonical.money import Money
from canonical.orders import BookingStatus, PaymentStatus
from payments.registry import GatewayRegistry
from payments.stripe_gateway import StripeGateway
from store.tables import bookings
from tests.booking.sql_world import sql_service

pytestmark = pytest.mark.postgres

S = PaymentStatus
PI = "pi_money"


def _charge(event_id: str, refunded: int) -> tuple[bytes, dict]:
    body = stripe_wire.event(
        event_id,
        "charge.refunded",
        {
            "id": "ch_money",
            "object": "charge",
            "payment_intent": PI,
            "amount": 50000,
            "amount_refunded": refunded,
            "metadata": {},
        },
    )
    return body, stripe_wire.sign(body)


def _dispute(event_id: str) -> tuple[bytes, dict]:
    body = stripe_wire.event(
        event_id,
        "charge.dispute.created",
        {
            "id": "dp_1",
            "object": "dispute",
            "charge": "ch_money",
            "payment_intent": PI,
            "amount": 50000,
            "reason": "fraudulent",
            "metadata": {},
        },
    )
    return body, stripe_wire.sign(body)


def _succeeded(event_id: str, payment_id: str) -> tuple[bytes, dict]:
    body = stripe_wire.event(
        event_id,
        "payment_intent.succeeded",
        stripe_wire.intent(PI, "succeeded", 50000, metadata={"payment_id": payment_id}),
    )
    return body, stripe_wire.sign(body)


def _stripe_world(url):
    service, engine, _, clock = sql_service(url)
    gateway = StripeGateway("sk_test_x", stripe_wire.SECRET, max_network_retries=0)
    service.gateways = GatewayRegistry().add(gateway)
    return service, engine


def _client_confirmed_checkout(service, seats=("C5", "C6")):
    """A browser-confirmed intent: checkout leaves the payment in progress; events decide."""
    hold = service.place_hold("shw_sample", list(seats), customer_id="cus_1")
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{stripe_wire.API}/v1/payment_intents",
            json=stripe_wire.intent(PI, "requires_payment_method", 50000),
        )
        started = service.checkout(hold.id, "cus_1", gateway="stripe")
    return started


def test_full_refund_at_the_gateway_cancels_the_booking_and_frees_the_seats(fresh_pg_url):
    service, _ = _stripe_world(fresh_pg_url)
    started = _client_confirmed_checkout(service)
    assert service.handle_gateway_event("stripe", *_succeeded("evt_ok", started.payment.id))
    booking = service.get_booking(started.booking.id)
    assert booking.status == BookingStatus.CONFIRMED
    # Partial: the payment says so, the booking stands.
    assert service.handle_gateway_event("stripe", *_charge("evt_r1", 10000)) == "applied"
    payment = service.get_payment(started.payment.id)
    assert payment.status == S.PARTIALLY_REFUNDED and payment.refunded.amount == 10000
    assert service.get_booking(booking.id).status == BookingStatus.CONFIRMED
    # Full: the booking is cancelled (no e-ticket any more) and its seats go back on sale.
    assert service.handle_gateway_event("stripe", *_charge("evt_r2", 50000)) == "applied"
    assert service.get_payment(payment.id).status == S.REFUNDED
    assert service.get_booking(booking.id).status == BookingStatus.CANCELLED
    seat_map = service.seat_map("shw_sample")
    assert {seat_map.status("C5"), seat_map.status("C6")} == {SeatStatus.AVAILABLE}
    # Replays change nothing.
    assert service.handle_gateway_event("stripe", *_charge("evt_r2", 50000)) == "duplicate"


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(["ok", "partial", "full", "dispute"]))[::5],
    ids=lambda o: "-".join(o),
)
def test_any_order_of_arrival_ends_in_the_same_state(fresh_pg_url, order):
    service, _ = _stripe_world(fresh_pg_url)
    started = _client_confirmed_checkout(service)
    events = {
        "ok": _succeeded("evt_ok", started.payment.id),
        "partial": _charge("evt_partial", 10000),
        "full": _charge("evt_full", 50000),
        "dispute": _dispute("evt_dispute"),
    }
    for name in order:
        service.handle_gateway_event("stripe", *events[name])
    for name in order:  # and every one of them again
        assert service.handle_gateway_event("stripe", *events[name]) == "duplicate"
    payment = service.get_payment(started.payment.id)
    assert (payment.status, payment.refunded.amount) == (S.REFUNDED, 50000)
    assert service.get_booking(started.booking.id).status == BookingStatus.CANCELLED
    seat_map = service.seat_map("shw_sample")
    assert {seat_map.status("C5"), seat_map.status("C6")} == {SeatStatus.AVAILABLE}


def test_a_dispute_alone_cancels_the_booking(fresh_pg_url):
    service, _ = _stripe_world(fresh_pg_url)
    started = _client_confirmed_checkout(service)
    service.handle_gateway_event("stripe", *_succeeded("evt_ok", started.payment.id))
    assert service.handle_gateway_event("stripe", *_dispute("evt_dp")) == "applied"
    assert service.get_booking(started.booking.id).status == BookingStatus.CANCELLED
    assert service.get_payment(started.payment.id).status == S.SUCCEEDED  # money in dispute


def test_negative_money_is_refused_by_the_service_and_the_database(fresh_pg_url):
    service, engine = _stripe_world(fresh_pg_url)
    started = _client_confirmed_checkout(service)
    service.handle_gateway_event("stripe", *_succeeded("evt_ok", started.payment.id))
    with pytest.raises(InvalidAmount):
        service.issue_refund(
            started.payment.id, Money(amount=-5000, currency="INR"), "attack", "refund:neg"
        )
    with engine.connect() as conn:
        row = conn.execute(select(bookings).where(bookings.c.id == started.booking.id)).one()
    bad = dict(row._mapping, id="bkg_neg", code="NEGATIVE", hold_id=None, total_amount=-1)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(bookings).values(**bad))


def test_negative_prices_and_fees_are_refused_at_the_partner_api(pg_partner_api):
    api = pg_partner_api
    headers = api.auth("staff-b@test.example")
    theatre = {
        "id": "thr_negative",
        "name": "Negative",
        "city": "Pune",
        "country": "IN",
        "timezone": "Asia/Kolkata",
        "currency": "INR",
        "rules": {"cancellation": {"fee_fixed": {"amount": -10000, "currency": "INR"}}},
    }
    r = api.client.post("/v1/partner/theatres", json=theatre, headers=headers)
    assert r.status_code == 422, r.text
    show = {
        "screen_id": "scr_x",
        "movie_id": "mov_x",
        "start": "2030-01-15T19:00:00+05:30",
        "language": "en",
        "ticket_types": [
            {
                "code": "ADULT",
                "name": "Adult",
                "category": "standard",
                "price": {"amount": -20000, "currency": "INR"},
            }
        ],
    }
    r = api.client.post("/v1/partner/theatres/thr_other_plaza/shows", json=show, headers=headers)
    assert r.status_code == 422, r.text
    assert "negative" in r.text


@pytest.fixture
def pg_partner_api(fresh_pg_url):
    from tests.api.conftest import make_api

    yield from make_api(fresh_pg_url)
