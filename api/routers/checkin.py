"""Check-in at the door for a theatre's staff (scope `checkin`): scan the e-ticket's QR, let each
seat in once, and say clearly why not otherwise.

Refusals are problems whose `code` is the reason: 422 `malformed` / `bad_signature` (not a
genuine ticket), 404 `unknown_booking`, 409 `already_admitted`, `cancelled`, `refunded`,
`not_confirmed`, `wrong_theatre`, `wrong_day`, `seat_not_on_ticket`.

Scanners may verify tickets offline with the public key from GET /v1/checkin/key (Ed25519
over the QR's text); admitting still needs this API, which alone knows who is already in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Security
from pydantic import BaseModel, Field

from api.context import ApiContext, Ctx
from api.problems import not_found
from api.security.principal import Principal, current_principal
from booking import checkin, tickets
from canonical import Theatre
from canonical.time import business_date, utcnow
from store import admissions, catalog

router = APIRouter(prefix="/v1/checkin", tags=["partner"])


class ScanIn(BaseModel):
    code: str = Field(min_length=1, max_length=2000, description="The QR code's text")
    theatre_id: str = Field(max_length=64, description="The theatre whose door this is")
    seat_ids: list[str] | None = Field(
        default=None, max_length=50, description="Only these seats of the ticket (default: all)"
    )


class ScanOut(BaseModel):
    result: str = Field(description="admitted")
    booking_code: str
    show_id: str
    admitted: list[str] = Field(description="Seats let in by this scan")
    already_admitted: list[str] = Field(description="Seats of the ticket that were in before")
    pos_forwarded: bool
    pos_note: str = Field(description="Why the admission was or was not sent to the POS")


class KeyOut(BaseModel):
    algorithm: str = "Ed25519"
    public_key: str = Field(description="Raw public key, base64url without padding")
    format: str = Field(
        default="MQ2.<base64url JSON>.<base64url signature of the text before the last dot>"
    )


async def door_staff(
    principal: Annotated[Principal, Security(current_principal, scopes=["checkin"])],
) -> Principal:
    return principal


DoorStaff = Annotated[Principal, Depends(door_staff)]


def _door(ctx: ApiContext, principal: Principal, theatre_id: str) -> Theatre:
    with ctx.hub.engine.connect() as conn:
        theatre = catalog.get_theatre(conn, theatre_id)
    if theatre is None or not (principal.is_admin or theatre.partner_id == principal.partner_id):
        raise not_found("theatre", theatre_id)
    return theatre


def _pos_admissions(ctx: ApiContext, theatre: Theatre) -> tuple[bool, str]:
    """Whether the theatre's POS takes admissions: its connector's mapping declares an `admit`
    operation. None of the shipped legacy systems does (their wire formats have no such call),
    so for them nothing is forwarded."""
    if theatre.connector_id is None:
        return False, "native theatre: Marquee is the record of admissions"
    connector = ctx.hub.connector(theatre.connector_id)
    if "admit" not in connector.mapping.operations:
        return False, f"connector {theatre.connector_id} does not take admissions"
    return False, f"connector {theatre.connector_id} takes admissions; forwarding is not built yet"


@router.get(
    "/key",
    operation_id="partner_ticket_key",
    response_model=KeyOut,
    summary="Public key that verifies e-ticket QR codes",
)
def ticket_key(_: Annotated[Principal, Depends(door_staff)], ctx: Ctx) -> KeyOut:
    return KeyOut(public_key=ctx.hub.tickets.public_key_b64)


@router.post(
    "/scan",
    operation_id="partner_scan",
    response_model=ScanOut,
    summary="Scan an e-ticket and admit its seats",
)
def scan(
    body: ScanIn,
    principal: DoorStaff,
    ctx: Ctx,
) -> ScanOut:
    theatre = _door(ctx, principal, body.theatre_id)
    try:
        claim = tickets.verify(body.code, ctx.hub.tickets.public_key)
    except tickets.TicketRejected as rejected:
        raise checkin.INVALID[rejected.reason](str(rejected)) from None
    now = utcnow()
    today = business_date(now, theatre.timezone, theatre.business_day_cutover_hour)
    forwarded, note = _pos_admissions(ctx, theatre)
    with ctx.hub.engine.begin() as conn:
        facts = admissions.ticket_facts(conn, claim.booking_id)
        before = admissions.admitted_seats(conn, claim.booking_id)
        due = checkin.admit(
            claim,
            facts,
            door_theatre_id=theatre.id,
            today=today,
            admitted=before,
            only=body.seat_ids,
        )
        assert facts is not None
        let_in = admissions.admit(
            conn, facts, due, at=now, by=principal.subject, forwarded=forwarded
        )
    if not let_in:  # another door admitted them between our read and our insert
        raise checkin.AlreadyAdmitted(f"already admitted: {', '.join(due)}", seats=due)
    return ScanOut(
        result="admitted",
        booking_code=claim.code,
        show_id=claim.show_id,
        admitted=let_in,
        already_admitted=sorted(before & set(claim.seat_ids)),
        pos_forwarded=forwarded,
        pos_note=note,
    )
