"""Check-in at the door: may this ticket's seats enter now, at this theatre? Pure rules; the
store records admissions (one row per booking seat, so a seat enters once even when two doors
scan the same ticket at the same moment) and the API answers with the reason code.

Reason codes (the `code` of the refusal): `malformed`, `bad_signature`, `unknown_booking`,
`not_confirmed`, `cancelled`, `refunded`, `wrong_theatre`, `wrong_day`, `already_admitted`,
`seat_not_on_ticket`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from booking.errors import Conflict, InvalidRequest, NotFound
from booking.tickets import TicketClaim
from canonical.orders import BookingStatus


class CheckinRefused(Conflict):
    """A genuine ticket that may not enter now; `code` says why."""

    code = "checkin_refused"
    title = "Not admitted"


class Refunded(CheckinRefused):
    code = "refunded"


class Cancelled(CheckinRefused):
    code = "cancelled"


class NotConfirmed(CheckinRefused):
    code = "not_confirmed"


class WrongTheatre(CheckinRefused):
    code = "wrong_theatre"


class WrongDay(CheckinRefused):
    code = "wrong_day"


class AlreadyAdmitted(CheckinRefused):
    code = "already_admitted"


class SeatNotOnTicket(CheckinRefused):
    code = "seat_not_on_ticket"


class TicketInvalid(InvalidRequest):
    """Not a genuine Marquee ticket (`malformed` or `bad_signature`)."""

    code = "ticket_invalid"
    title = "Not a valid ticket"


class Malformed(TicketInvalid):
    code = "malformed"


class BadSignature(TicketInvalid):
    code = "bad_signature"


INVALID: dict[str, type[TicketInvalid]] = {"malformed": Malformed, "bad_signature": BadSignature}


class TicketUnknown(NotFound):
    code = "unknown_booking"
    title = "No such booking"


@dataclass(frozen=True)
class TicketFacts:
    """What the store knows about the ticket's booking and show."""

    booking_id: str
    booking_code: str
    status: BookingStatus
    refunded: bool  # any refund on its payments
    seat_ids: tuple[str, ...]  # the booking's seats
    show_id: str
    theatre_id: str
    business_date: date


def admit(
    claim: TicketClaim,
    facts: TicketFacts | None,
    *,
    door_theatre_id: str,
    today: date,
    admitted: Collection[str],
    only: Sequence[str] | None = None,
) -> list[str]:
    """The seats to admit now, or raise the refusal. `today` is the theatre's business day;
    `admitted` the seats of this booking already in; `only` a subset the staff chose."""
    if facts is None or facts.booking_code != claim.code or facts.show_id != claim.show_id:
        raise TicketUnknown(f"no booking {claim.code} for this show")
    if facts.refunded:
        raise Refunded(f"booking {facts.booking_code} was refunded")
    if facts.status == BookingStatus.CANCELLED:
        raise Cancelled(f"booking {facts.booking_code} was cancelled")
    if facts.status != BookingStatus.CONFIRMED:
        raise NotConfirmed(f"booking {facts.booking_code} is {facts.status.value}")
    if facts.theatre_id != door_theatre_id:
        raise WrongTheatre(
            "this ticket is for another theatre",
            ticket_theatre_id=facts.theatre_id,
        )
    if facts.business_date != today:
        raise WrongDay(
            f"this ticket is for {facts.business_date.isoformat()}",
            show_date=facts.business_date.isoformat(),
        )
    # Seats moved off the booking since the ticket was printed are not admitted by it.
    valid = [s for s in claim.seat_ids if s in facts.seat_ids]
    wanted = list(dict.fromkeys(only)) if only else valid
    foreign = [s for s in wanted if s not in valid]
    if foreign:
        raise SeatNotOnTicket(f"not on this ticket: {', '.join(foreign)}", seats=foreign)
    due = [s for s in wanted if s not in admitted]
    if not due:
        raise AlreadyAdmitted(
            f"already admitted: {', '.join(wanted)}",
            seats=wanted,
        )
    return due
