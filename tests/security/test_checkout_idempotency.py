"""One hold, one booking, one charge. A customer (or their flaky network, or an attacker
replaying requests) checks out one hold many times at once: exactly one booking and one charge
come of it, every answer names the same booking and payment, and the database itself refuses a
second live booking per hold and a second attempt in flight per booking."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from booking.refusals import PaidBookingFailed
from canonical.orders import BookingStatus, PaymentStatus
from payments.offline import CARD_3DS, CARD_SUCCESS, OfflineGateway
from store.tables import bookings, payments
from tests.api.conftest import make_api
from tests.booking.sql_world import sql_service

pytestmark = pytest.mark.postgres

CLIENTS = 50


class CountingGateway(OfflineGateway):
    """The offline gateway, counting the charges it is asked to make."""

    def __init__(self) -> None:
        super().__init__()
        self.creates: list[str] = []
        self._count_lock = threading.Lock()

    def create_payment(self, request):
        with self._count_lock:
            self.creates.append(request.idempotency_key)
        return super().create_payment(request)


def test_fifty_parallel_checkouts_of_one_hold_make_one_booking_and_one_charge(fresh_pg_url):
    service, engine, _, _ = sql_service(fresh_pg_url, pool_size=CLIENTS + 5)
    gateway = CountingGateway()
    service.gateways = lambda name: gateway
    hold = service.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_1")
    barrier = threading.Barrier(CLIENTS)
    answers: list[object] = [None] * CLIENTS

    def checkout(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
        except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
            answers[i] = exc

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    errors = [a for a in answers if isinstance(a, Exception)]
    assert errors == []
    assert len(gateway.creates) == 1, gateway.creates
    assert Counter(a.created for a in answers) == {True: 1, False: CLIENTS - 1}
    assert {a.booking.id for a in answers} == {answers[0].booking.id}
    assert {a.payment.id for a in answers} == {answers[0].payment.id}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(bookings)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(payments)).scalar() == 1
    booking = service.get_booking(answers[0].booking.id)
    assert booking.status == BookingStatus.CONFIRMED
    # The gateway key is derived from the booking, so even a second process sending the same
    # attempt would reach the gateway under the same key.
    assert gateway.creates == [f"{booking.id}:attempt-1"]
    # Later repeats: still the same booking and the same payment, no new charge.
    again = service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
    assert (again.created, again.booking.id) == (False, booking.id)
    assert len(gateway.creates) == 1


def test_the_database_refuses_a_second_live_booking_and_a_second_attempt(fresh_pg_url):
    service, engine, _, _ = sql_service(fresh_pg_url)
    hold = service.place_hold("shw_sample", ["C5"], customer_id="cus_1")
    started = service.checkout(hold.id, "cus_1", details={"card_number": CARD_3DS})
    assert started.payment.status == PaymentStatus.IN_PROGRESS
    with engine.connect() as conn:
        row = conn.execute(select(bookings).where(bookings.c.id == started.booking.id)).one()
        pay = conn.execute(select(payments).where(payments.c.id == started.payment.id)).one()
    twin = dict(row._mapping, id="bkg_twin", code="TWINCODE")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(bookings).values(**twin))
    second = dict(pay._mapping, id="pay_twin", status="initiated")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(payments).values(**second))
    negative = dict(pay._mapping, id="pay_negative", status="failed", amount=-100)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(payments).values(**negative))


def test_paid_but_failed_booking_is_never_a_success(fresh_pg_url):
    service, _, _, clock = sql_service(fresh_pg_url)
    hold = service.place_hold("shw_sample", ["C5"], customer_id="cus_1")
    started = service.checkout(hold.id, "cus_1", details={"card_number": CARD_3DS})
    clock.advance(minutes=9)
    service.place_hold("shw_sample", ["C5"], customer_id="cus_2")  # the seat goes to someone else
    with pytest.raises(PaidBookingFailed) as refused:
        service.confirm_payment(started.payment.id)
    assert refused.value.extra["booking_id"] == started.booking.id
    assert service.get_booking(started.booking.id).status == BookingStatus.FAILED


@pytest.fixture
def pg_api(fresh_pg_url):
    yield from make_api(fresh_pg_url)


def tomorrow_show(client) -> str:
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    shows = client.get(
        "/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day}
    ).json()["items"]
    return shows[0]["id"]


def hold_one(api, headers) -> dict:
    r = api.client.post(
        "/v1/holds", json={"show_id": tomorrow_show(api.client), "count": 1}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_api_repeat_checkout_is_200_and_idempotency_key_replays(pg_api):
    api = pg_api
    headers = api.auth("cust-a@test.example")
    hold = hold_one(api, headers)
    body = {"hold_id": hold["id"], "payment": {"card_number": CARD_SUCCESS}}
    first = api.client.post("/v1/checkout", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["payment"]["status"] == "succeeded"
    repeat = api.client.post("/v1/checkout", json=body, headers=headers)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["booking"]["id"] == first.json()["booking"]["id"]
    assert repeat.json()["payment"]["id"] == first.json()["payment"]["id"]

    # Idempotency-Key on a second hold: the first answer replayed byte for byte, a different
    # body under the same key refused.
    hold2 = hold_one(api, headers)
    body2 = {"hold_id": hold2["id"], "payment": {"card_number": CARD_SUCCESS}}
    keyed = {**headers, "Idempotency-Key": "order-7f3a"}
    a = api.client.post("/v1/checkout", json=body2, headers=keyed)
    b = api.client.post("/v1/checkout", json=body2, headers=keyed)
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert b.headers.get("Idempotent-Replayed") == "true"
    other = {**body2, "payment": {"card_number": "4000000000000002"}}
    c = api.client.post("/v1/checkout", json=other, headers=keyed)
    assert c.status_code == 422 and c.json()["code"] == "idempotency_key_reused"
    # Another customer's identical key is theirs alone.
    other_headers = {**api.auth("cust-b@test.example"), "Idempotency-Key": "order-7f3a"}
    d = api.client.post("/v1/checkout", json=body2, headers=other_headers)
    assert d.status_code == 404

    # Cancel with a key: done once, replayed after.
    booking_id = a.json()["booking"]["id"]
    cancel_headers = {**headers, "Idempotency-Key": "cancel-1"}
    x = api.client.post(f"/v1/bookings/{booking_id}/cancel", headers=cancel_headers)
    y = api.client.post(f"/v1/bookings/{booking_id}/cancel", headers=cancel_headers)
    assert x.status_code == 200, x.text
    assert y.status_code == 200 and y.json() == x.json()
    # Without the key a second cancel is refused: the key, not luck, made the repeat safe.
    z = api.client.post(f"/v1/bookings/{booking_id}/cancel", headers=headers)
    assert z.status_code == 409
