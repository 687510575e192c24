"""Check-in at the door through HTTP: the e-ticket's signed QR admits each seat once, and every
refusal says why (second entry, forged or garbled code, another theatre, another day, a refunded
booking, a token without the `checkin` scope). The show's admitted count is in the partner's
sales report."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import update

from canonical.time import business_date
from store.tables import shows

CARD_OK = {"card_number": "4242424242424242"}
MARINA, ADYAR = "thr_chennai_marina", "thr_chennai_adyar"


def _show(c, day_offset: int, index: int = 0) -> dict:
    day = (datetime.now(UTC) + timedelta(days=day_offset)).date().isoformat()
    items = c.get("/v1/shows", params={"theatre_id": MARINA, "date": day}).json()["items"]
    return items[index]


def _book(api, show_id: str, seats: list[str], email: str = "cust-a@test.example") -> dict:
    c, auth = api.client, api.auth(email)
    hold = c.post("/v1/holds", headers=auth, json={"show_id": show_id, "seat_ids": seats})
    assert hold.status_code == 201, hold.text
    paid = c.post(
        "/v1/checkout", headers=auth, json={"hold_id": hold.json()["id"], "payment": CARD_OK}
    )
    assert paid.status_code == 201, paid.text
    booking = paid.json()["booking"]
    ticket = c.get(f"/v1/bookings/{booking['id']}/ticket", headers=auth)
    assert ticket.status_code == 200, ticket.text
    return {**booking, "qr": ticket.json()["qr_payload"]}


def _today_at_the_door(api, show_id: str) -> None:
    """Make the show today's at the theatre (the demo's shows start tomorrow)."""
    today = business_date(datetime.now(UTC), "Asia/Kolkata")
    with api.hub.engine.begin() as conn:
        conn.execute(update(shows).where(shows.c.id == show_id).values(business_date=today))


def _scan(api, code: str, theatre: str = MARINA, staff="staff-a@test.example", **kw):
    return api.client.post(
        "/v1/checkin/scan",
        headers=api.auth(staff),
        json={"code": code, "theatre_id": theatre, **kw},
    )


def test_each_seat_enters_once_and_refusals_say_why(api):
    show = _show(api.client, 1)
    booking = _book(api, show["id"], ["F7", "F8", "F9"])
    _today_at_the_door(api, show["id"])
    qr = booking["qr"]
    assert qr.startswith("MQ2.")

    first = _scan(api, qr, seat_ids=["F7"])
    assert first.status_code == 200, first.text
    assert first.json()["admitted"] == ["F7"] and first.json()["already_admitted"] == []
    assert first.json()["pos_forwarded"] is False and "native" in first.json()["pos_note"]
    rest = _scan(api, qr)
    assert rest.status_code == 200, rest.text
    assert rest.json()["admitted"] == ["F8", "F9"] and rest.json()["already_admitted"] == ["F7"]
    again = _scan(api, qr)
    assert again.status_code == 409 and again.json()["code"] == "already_admitted"
    assert again.json()["seats"] == ["F7", "F8", "F9"]
    not_on_it = _scan(api, qr, seat_ids=["F10"])
    assert not_on_it.status_code == 409 and not_on_it.json()["code"] == "seat_not_on_ticket"

    # Forged: the same payload with a seat added, the old signature kept.
    head, body, sig = qr.split(".")
    claim = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b'"F9"', b'"F9","F10"')
    forged = f"{head}.{base64.urlsafe_b64encode(claim).rstrip(b'=').decode()}.{sig}"
    assert _scan(api, forged).json()["code"] == "bad_signature"
    garbled = _scan(api, "MQ1:ABCDEFGH:shw_x:F7")
    assert garbled.status_code == 422 and garbled.json()["code"] == "malformed"

    # Another theatre of the same partner; another partner's staff at their own door.
    other = _scan(api, qr, theatre=ADYAR)
    assert other.status_code == 409 and other.json()["code"] == "wrong_theatre"
    assert _scan(api, qr, staff="staff-b@test.example").status_code == 404
    # A customer's token has no `checkin` scope.
    denied = api.client.post(
        "/v1/checkin/scan",
        headers=api.auth("cust-a@test.example"),
        json={"code": qr, "theatre_id": MARINA},
    )
    assert denied.status_code == 403

    # The partner's report counts the seats let in.
    report = api.client.get(
        "/v1/partner/reports/sales",
        headers=api.auth("staff-a@test.example"),
        params={"show_id": show["id"]},
    ).json()
    assert [r["admitted"] for r in report["rows"]] == [3]
    csv = api.client.get(
        "/v1/partner/reports/sales.csv",
        headers=api.auth("staff-a@test.example"),
        params={"show_id": show["id"]},
    ).text
    assert csv.splitlines()[0].endswith(",admitted") and csv.splitlines()[1].endswith(",3")


def test_another_days_ticket_and_a_refunded_one_are_refused(api):
    tomorrow = _book(api, _show(api.client, 1)["id"], ["G7", "G8"])
    wrong_day = _scan(api, tomorrow["qr"])
    assert wrong_day.status_code == 409 and wrong_day.json()["code"] == "wrong_day"

    show = _show(api.client, 1, 1)
    booking = _book(api, show["id"], ["H7"], email="cust-b@test.example")
    cancelled = api.client.post(
        f"/v1/bookings/{booking['id']}/cancel", headers=api.auth("cust-b@test.example")
    )
    assert cancelled.status_code == 200, cancelled.text
    _today_at_the_door(api, show["id"])
    refused = _scan(api, booking["qr"])
    assert refused.status_code == 409 and refused.json()["code"] in ("refunded", "cancelled")


def test_scanners_can_verify_tickets_offline_with_the_public_key(api):
    booking = _book(api, _show(api.client, 1)["id"], ["J7"])
    key = api.client.get("/v1/checkin/key", headers=api.auth("staff-a@test.example"))
    assert key.status_code == 200 and key.json()["algorithm"] == "Ed25519"
    raw = key.json()["public_key"]
    public = Ed25519PublicKey.from_public_bytes(
        base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    )
    head, body, sig = booking["qr"].split(".")
    public.verify(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), f"{head}.{body}".encode())


def test_the_door_key_is_the_deployments_before_any_booking_was_made(sqlite_url, monkeypatch):
    # A fresh API process with its worker elsewhere (Celery) signs nothing before a scan: the
    # key the door is given must still be the deployment's, not the development one.
    from booking import tickets
    from tests.api.conftest import make_api

    monkeypatch.setattr(tickets, "_signer", None)
    secret = "door-key-test-" + "k" * 32
    for api in make_api(sqlite_url, jwt_secret=secret, task_mode="celery"):
        key = api.client.get("/v1/checkin/key", headers=api.auth("staff-a@test.example"))
        assert key.status_code == 200, key.text
        assert key.json()["public_key"] == tickets.TicketSigner(secret).public_key_b64
        assert (
            key.json()["public_key"]
            != tickets.TicketSigner(tickets._DEVELOPMENT_SECRET).public_key_b64
        )
