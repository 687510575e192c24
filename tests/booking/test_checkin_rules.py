"""Door rules (booking.checkin) and the signed ticket payload (booking.tickets)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from booking import checkin, tickets
from booking.tickets import TicketClaim, TicketRejected, TicketSigner
from canonical import Money
from canonical.orders import Booking, BookingStatus, Ticket

TODAY = date(2026, 11, 26)
CLAIM = TicketClaim(code="K7P2X9QM", booking_id="bkg_1", show_id="shw_1", seat_ids=("C5", "C6"))
FACTS = checkin.TicketFacts(
    booking_id="bkg_1",
    booking_code="K7P2X9QM",
    status=BookingStatus.CONFIRMED,
    refunded=False,
    seat_ids=("C5", "C6"),
    show_id="shw_1",
    theatre_id="thr_1",
    business_date=TODAY,
)


def _admit(facts=FACTS, claim=CLAIM, **kw):
    args = {"door_theatre_id": "thr_1", "today": TODAY, "admitted": set()} | kw
    return checkin.admit(claim, facts, **args)


def test_a_valid_ticket_admits_the_seats_not_yet_in():
    assert _admit() == ["C5", "C6"]
    assert _admit(admitted={"C5"}) == ["C6"]
    assert _admit(only=["C6"]) == ["C6"]


@pytest.mark.parametrize(
    ("facts", "kw", "error"),
    [
        (None, {}, checkin.TicketUnknown),
        (
            FACTS.__class__(**{**FACTS.__dict__, "booking_code": "OTHER123"}),
            {},
            checkin.TicketUnknown,
        ),
        (FACTS.__class__(**{**FACTS.__dict__, "refunded": True}), {}, checkin.Refunded),
        (
            FACTS.__class__(**{**FACTS.__dict__, "status": BookingStatus.CANCELLED}),
            {},
            checkin.Cancelled,
        ),
        (
            FACTS.__class__(**{**FACTS.__dict__, "status": BookingStatus.PENDING}),
            {},
            checkin.NotConfirmed,
        ),
        (FACTS, {"door_theatre_id": "thr_2"}, checkin.WrongTheatre),
        (FACTS, {"today": date(2026, 11, 27)}, checkin.WrongDay),
        (FACTS, {"admitted": {"C5", "C6"}}, checkin.AlreadyAdmitted),
        (FACTS, {"only": ["C7"]}, checkin.SeatNotOnTicket),
    ],
)
def test_refusals_carry_their_reason(facts, kw, error):
    with pytest.raises(error) as refused:
        _admit(facts=facts, **kw)
    assert refused.value.code == error.code


def test_a_seat_moved_off_the_booking_is_not_admitted_by_an_old_ticket():
    moved = FACTS.__class__(**{**FACTS.__dict__, "seat_ids": ("C5", "D1")})
    assert _admit(facts=moved) == ["C5"]


def _booking() -> Booking:
    return Booking(
        id="bkg_1",
        code="K7P2X9QM",
        show_id="shw_1",
        customer_id="cus_1",
        hold_id="hld_1",
        status=BookingStatus.CONFIRMED,
        total=Money(amount=25000, currency="INR"),
        tickets=(
            Ticket(
                seat_id="C5",
                label="C5",
                category="standard",
                ticket_type="adult",
                price=Money(amount=25000, currency="INR"),
            ),
        ),
        created_at=datetime(2026, 11, 25, tzinfo=UTC),
    )


def test_signed_payload_round_trips_and_refuses_forgery():
    signer = TicketSigner("deployment secret")
    payload = signer.encode(_booking())
    assert tickets.verify(payload, signer.public_key) == TicketClaim(
        code="K7P2X9QM", booking_id="bkg_1", show_id="shw_1", seat_ids=("C5",)
    )
    assert TicketSigner("deployment secret").public_key_b64 == signer.public_key_b64
    with pytest.raises(TicketRejected) as other_key:
        tickets.verify(payload, TicketSigner("another deployment").public_key)
    assert other_key.value.reason == "bad_signature"
    for garbage in ("", "MQ1:K7P2X9QM:shw_1:C5", "MQ2.e30", "MQ2.!!.!!"):
        with pytest.raises(TicketRejected):
            tickets.verify(garbage, signer.public_key)
