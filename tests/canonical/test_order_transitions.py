"""Holds and bookings change state through their own methods, which refuse what their current
state does not allow (the use cases' compare-and-set saves then guard against races)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from canonical.money import Money
from canonical.orders import (
    Booking,
    BookingStatus,
    Hold,
    HoldStatus,
    InvalidTransition,
    Ticket,
)

T0 = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


def _hold(**changes: object) -> Hold:
    base = Hold(
        id="hld_1",
        show_id="shw_1",
        seat_ids=("A1", "A2"),
        customer_id="cus_1",
        created_at=T0,
        expires_at=T0 + timedelta(minutes=10),
    )
    return base.model_copy(update=changes)


def _booking(status: BookingStatus = BookingStatus.PENDING) -> Booking:
    price = Money(amount=25000, currency="INR")
    return Booking(
        id="bkg_1",
        code="MQ7K2P9X",
        show_id="shw_1",
        customer_id="cus_1",
        hold_id="hld_1",
        tickets=(
            Ticket(seat_id="A1", label="A1", category="gold", ticket_type="adult", price=price),
        ),
        total=price,
        status=status,
        created_at=T0,
    )


def test_an_active_hold_is_released_expired_or_extended_once() -> None:
    hold = _hold()
    assert hold.release().status == HoldStatus.RELEASED
    assert hold.expire().status == HoldStatus.EXPIRED
    later = T0 + timedelta(minutes=20)
    extended = hold.extend(later)
    assert (extended.expires_at, extended.extended) == (later, True)
    with pytest.raises(InvalidTransition, match="extended once"):
        extended.extend(later + timedelta(minutes=5))
    assert hold.status == HoldStatus.ACTIVE  # the original is unchanged (frozen)


@pytest.mark.parametrize("status", [HoldStatus.RELEASED, HoldStatus.EXPIRED, HoldStatus.CONVERTED])
def test_an_ended_hold_cannot_be_released_expired_or_extended(status: HoldStatus) -> None:
    hold = _hold(status=status)
    for change in (hold.release, hold.expire, lambda: hold.extend(T0 + timedelta(hours=1))):
        with pytest.raises(InvalidTransition, match=f"a {status.value} hold"):
            change()


def test_a_hold_converts_once_and_a_retaken_one_drops_its_pos_order() -> None:
    forwarded = _hold().forwarded("ORD-7")
    assert forwarded.remote_ref == "ORD-7"
    assert forwarded.convert().remote_ref == "ORD-7"
    lapsed = forwarded.expire()
    converted = lapsed.convert(retaken=True)
    assert (converted.status, converted.remote_ref) == (HoldStatus.CONVERTED, None)
    with pytest.raises(InvalidTransition, match="convert a converted hold"):
        converted.convert()


def test_a_booking_is_confirmed_from_pending_and_cancelled_from_confirmed() -> None:
    pending = _booking()
    confirmed = pending.confirm(T0)
    assert (confirmed.status, confirmed.confirmed_at) == (BookingStatus.CONFIRMED, T0)
    later = T0 + timedelta(hours=1)
    cancelled = confirmed.cancel(later)
    assert (cancelled.status, cancelled.cancelled_at) == (BookingStatus.CANCELLED, later)
    with pytest.raises(InvalidTransition, match="cancel a pending booking"):
        pending.cancel(later)
    with pytest.raises(InvalidTransition, match="confirm a confirmed booking"):
        confirmed.confirm(later)
    with pytest.raises(InvalidTransition, match="confirm a cancelled booking"):
        cancelled.confirm(later)


def test_a_booking_fails_while_pending_or_confirmed_only() -> None:
    assert _booking().fail().status == BookingStatus.FAILED
    assert _booking(BookingStatus.CONFIRMED).fail().status == BookingStatus.FAILED
    for status in (BookingStatus.CANCELLED, BookingStatus.FAILED):
        with pytest.raises(InvalidTransition, match=f"fail a {status.value} booking"):
            _booking(status).fail()
    assert _booking(BookingStatus.CONFIRMED).committed_at_theatre("ORD|9").remote_ref == "ORD|9"
