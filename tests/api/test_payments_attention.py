"""The admin's "payments needing attention": only payments a person must act on. A declined
card and a refund that went through are ordinary; a payment stuck in flight, a refund that ran
out of attempts, a chargeback, money taken without a booking and an amount that differs from
the booking's are listed, each with its reason and what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from booking.ports import GatewayEvent, GatewayEventKind
from store.tables import bookings, outbox, payments

CARD_OK = {"card_number": "4242424242424242"}
CARD_DECLINED = {"card_number": "4000000000000002"}
ADMIN = "admin@test.example"
CUSTOMER = "cust-a@test.example"


def _show_ids(api) -> list[str]:
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    items = api.client.get(
        "/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day}
    ).json()["items"]
    return [s["id"] for s in items]


def _book(api, show_id: str, declined_first: bool = False) -> dict:
    c, cust = api.client, api.auth(CUSTOMER)
    hold = c.post("/v1/holds", headers=cust, json={"show_id": show_id, "count": 1}).json()
    if declined_first:
        r = c.post(
            "/v1/checkout", headers=cust, json={"hold_id": hold["id"], "payment": CARD_DECLINED}
        )
        assert r.status_code == 402
    paid = c.post("/v1/checkout", headers=cust, json={"hold_id": hold["id"], "payment": CARD_OK})
    assert paid.status_code == 201, paid.text
    return paid.json()["booking"]


def _payment(api, booking_id: str, status: str = "succeeded"):
    with api.hub.engine.connect() as conn:
        return conn.execute(
            select(payments).where(payments.c.booking_id == booking_id, payments.c.status == status)
        ).one()


def _age(api, hours: int = 1) -> None:
    """Everything happened an hour ago: past the grace time in which a payment settles."""
    then = datetime.now(UTC) - timedelta(hours=hours)
    with api.hub.engine.begin() as conn:
        conn.execute(update(payments).values(created_at=then, updated_at=then))
        conn.execute(update(outbox).values(created_at=then))


def _attention(api) -> list[dict]:
    r = api.client.get("/v1/admin/payments/attention", headers=api.auth(ADMIN))
    assert r.status_code == 200, r.text
    return r.json()


def test_declined_cards_and_completed_refunds_are_not_listed(api):
    [show, *_] = _show_ids(api)
    booking = _book(api, show, declined_first=True)
    cancel = api.client.post(f"/v1/bookings/{booking['id']}/cancel", headers=api.auth(CUSTOMER))
    assert cancel.status_code == 200 and cancel.json()["refund_issued"] is True
    _age(api)
    assert _payment(api, booking["id"], "refunded").refunded_amount > 0
    assert [p for p in _attention(api) if p["booking_id"] == booking["id"]] == []


def test_a_payment_stuck_in_flight_is_listed(api):
    [show, *_] = _show_ids(api)
    booking = _book(api, show)
    pay = _payment(api, booking["id"])
    with api.hub.engine.begin() as conn:
        conn.execute(update(payments).where(payments.c.id == pay.id).values(status="in_progress"))
    assert [p for p in _attention(api) if p["id"] == pay.id] == []  # not yet: it may settle
    _age(api)
    [row] = [p for p in _attention(api) if p["id"] == pay.id]
    assert (row["reason"], row["booking_code"]) == ("stuck", booking["code"])
    assert row["action"]


def test_a_refund_that_ran_out_of_attempts_is_listed_with_its_error(api):
    [show, *_] = _show_ids(api)
    booking = _book(api, show)
    pay = _payment(api, booking["id"])
    api.client.post(f"/v1/bookings/{booking['id']}/cancel", headers=api.auth(CUSTOMER))
    # As if the gateway had been down when the customer cancelled: the money is still taken
    # and the refund message failed for good.
    with api.hub.engine.begin() as conn:
        conn.execute(
            update(payments)
            .where(payments.c.id == pay.id)
            .values(status="succeeded", refunded_amount=0)
        )
        conn.execute(
            update(outbox)
            .where(outbox.c.topic == "RefundRequested")
            .values(failed_at=datetime.now(UTC), last_error="gateway timed out")
        )
    [row] = [p for p in _attention(api) if p["id"] == pay.id]
    assert (row["reason"], row["last_error"]) == ("refund_failed", "gateway timed out")


def test_a_chargeback_is_listed(api):
    [show, *_] = _show_ids(api)
    booking = _book(api, show)
    pay = _payment(api, booking["id"])
    services = api.client.app.state.ctx.booking
    event = GatewayEvent(
        gateway=pay.gateway,
        event_id="evt_dispute_1",
        kind=GatewayEventKind.DISPUTED,
        gateway_ref=pay.gateway_ref,
        created=datetime.now(UTC),
        type="charge.dispute.created",
    )
    assert services.apply_gateway_event(event) == "applied"
    _age(api)
    [row] = [p for p in _attention(api) if p["id"] == pay.id]
    assert (row["reason"], row["booking_status"]) == ("disputed", "cancelled")


def test_money_taken_without_a_booking_and_a_wrong_amount_are_listed(api):
    first, second, *_ = _show_ids(api)
    unbooked = _book(api, first)
    short = _book(api, second)
    with api.hub.engine.begin() as conn:
        conn.execute(
            update(bookings).where(bookings.c.id == unbooked["id"]).values(status="failed")
        )
        conn.execute(
            update(payments)
            .where(payments.c.booking_id == short["id"])
            .values(amount=short["total"]["amount"] - 100)
        )
    _age(api)
    reasons = {p["booking_id"]: p["reason"] for p in _attention(api)}
    assert reasons[unbooked["id"]] == "paid_not_booked"
    assert reasons[short["id"]] == "amount_mismatch"
    # Nothing ordinary slipped in: every listed payment has one of the reasons that need a person.
    assert set(reasons.values()) <= {"paid_not_booked", "amount_mismatch"}
