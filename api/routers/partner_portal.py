"""Partner portal helpers on top of the partner API: checking a seat layout before saving it,
with every problem pinned to the seat it concerns (the layout editor draws them on the seat).

The checks are the ones `PUT /v1/partner/screens/{id}/layout` applies (the canonical layout's
own rules: unique ids, one seat per position, no single-seat group, declared categories), plus
the theatre rules a customer meets at booking time (a companion seat next to a wheelchair
space, a sofa group on one row, side by side).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select

from api.context import Ctx
from api.deps import PathId
from api.routers.partner import (
    _screen,
    _screen_out,
    _show,
    _theatre,
    owns_screen,
)
from api.schemas_partner import LayoutIn, ScreenOut
from api.security.access import PartnerReader, PartnerWriter
from canonical import SeatLayout
from canonical.catalog import Seat, SeatFlag
from store import seat_categories
from store.tables import booking_seats, bookings

router = APIRouter(prefix="/v1/partner", tags=["partner"])


class SeatProblem(BaseModel):
    seat_id: str | None
    code: str
    message: str


class LayoutCheck(BaseModel):
    valid: bool
    seat_count: int
    categories: list[str]
    problems: list[SeatProblem]


def _seats(body: LayoutIn) -> list[tuple[int, Seat]]:
    return [(a.number, s) for a in body.areas for r in a.rows for s in r.seats]


def check_layout(body: LayoutIn, companion_needs_wheelchair: bool) -> LayoutCheck:
    problems: list[SeatProblem] = []
    seats = _seats(body)
    seen: dict[str, Seat] = {}
    at: dict[tuple[int, int, int], Seat] = {}
    for _, seat in seats:
        if seat.id in seen:
            problems.append(
                SeatProblem(seat_id=seat.id, code="duplicate_id", message="seat id used twice")
            )
        seen[seat.id] = seat
        pos = (seat.position.area, seat.position.row, seat.position.column)
        if pos in at:
            problems.append(
                SeatProblem(
                    seat_id=seat.id,
                    code="overlap",
                    message=f"shares its position with seat {at[pos].id}",
                )
            )
        at[pos] = seat
        if seat.category not in body.categories:
            problems.append(
                SeatProblem(
                    seat_id=seat.id,
                    code="unknown_category",
                    message=f"category {seat.category!r} is not declared",
                )
            )
    groups: dict[str, list[Seat]] = {}
    for _, seat in seats:
        if seat.group:
            groups.setdefault(seat.group, []).append(seat)
    for name, members in groups.items():
        if len(members) < 2:
            problems.append(
                SeatProblem(
                    seat_id=members[0].id, code="lonely_group", message=f"group {name} has one seat"
                )
            )
            continue
        rows = {(s.position.area, s.position.row) for s in members}
        columns = sorted(s.position.column for s in members)
        if len(rows) > 1 or columns != list(range(columns[0], columns[0] + len(columns))):
            for s in members:
                problems.append(
                    SeatProblem(
                        seat_id=s.id,
                        code="group_not_together",
                        message=f"the seats of group {name} must sit side by side on one row",
                    )
                )
    if companion_needs_wheelchair:
        for _, seat in seats:
            if SeatFlag.COMPANION not in seat.flags:
                continue
            a, r, c = seat.position.area, seat.position.row, seat.position.column
            beside = [at.get((a, r, c - 1)), at.get((a, r, c + 1))]
            if not any(n is not None and SeatFlag.WHEELCHAIR in n.flags for n in beside):
                problems.append(
                    SeatProblem(
                        seat_id=seat.id,
                        code="companion_alone",
                        message="a companion seat must be next to a wheelchair space",
                    )
                )
    if not problems:
        try:
            SeatLayout(id="lay_check", screen_id="scr_check", areas=tuple(body.areas))
        except ValidationError as err:  # anything the canonical model refuses that we did not name
            problems.append(SeatProblem(seat_id=None, code="invalid", message=str(err)[:500]))
    return LayoutCheck(
        valid=not problems,
        seat_count=len(seats),
        categories=sorted({s.category for _, s in seats}),
        problems=problems,
    )


@router.post(
    "/screens/{screen_id}/layout/check",
    operation_id="partner_check_screen_layout",
    response_model=LayoutCheck,
    summary="Check a seat layout without saving it: every problem named with its seat",
    # Ownership before the body: another partner's screen is a 404 whatever is sent.
    dependencies=[Depends(owns_screen)],
)
def check_screen_layout(
    body: LayoutIn,
    screen_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> LayoutCheck:
    with ctx.hub.engine.connect() as conn:
        theatre, _screen_ = _screen(conn, principal, screen_id)
    return check_layout(body, theatre.rules.companion_requires_wheelchair)


class ScreenDetail(ScreenOut):
    theatre_name: str
    category_colours: dict[str, str] = Field(
        default_factory=dict,
        description="The theatre's seat category colours (saved with its layouts), so a new "
        "layout starts with the colours its theatre's categories already have",
    )


@router.get(
    "/screens/{screen_id}",
    operation_id="partner_get_screen",
    response_model=ScreenDetail,
    summary="One of your screens, with its theatre's name and category colours (the layout "
    "editor's heading and palette)",
)
def get_screen(
    screen_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> ScreenDetail:
    with ctx.hub.engine.connect() as conn:
        theatre, screen = _screen(conn, principal, screen_id)
        named = seat_categories.names(conn, theatre.id)
    return ScreenDetail(
        **_screen_out(screen).model_dump(),
        theatre_name=theatre.name,
        category_colours={code: n.colour for code, n in named.items() if n.colour},
    )


class CancelPreview(BaseModel):
    show_id: str
    live_bookings: int
    tickets: int
    customers: int
    refunds: list[dict[str, int | str]]
    cancellable_now: bool
    note: str


@router.get(
    "/shows/{show_id}/cancel-preview",
    operation_id="partner_cancel_preview",
    response_model=CancelPreview,
    summary="What cancelling a show would mean: bookings, customers and refunds per currency",
)
def cancel_preview(
    show_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> CancelPreview:
    with ctx.hub.engine.connect() as conn:
        _show(conn, principal, show_id)
        rows = conn.execute(
            select(
                bookings.c.currency,
                func.count(),
                func.count(func.distinct(bookings.c.customer_id)),
                func.sum(bookings.c.total_amount),
            )
            .where(bookings.c.show_id == show_id, bookings.c.status == "confirmed")
            .group_by(bookings.c.currency)
        ).all()
        tickets = conn.execute(
            select(func.count())
            .select_from(booking_seats)
            .where(booking_seats.c.show_id == show_id, booking_seats.c.active)
        ).scalar_one()
    live = sum(r[1] for r in rows)
    return CancelPreview(
        show_id=show_id,
        live_bookings=live,
        tickets=tickets,
        customers=sum(r[2] for r in rows),
        refunds=[{"currency": r[0], "amount": int(r[3] or 0)} for r in rows],
        cancellable_now=live == 0,
        note="A show with live bookings is refused by DELETE /v1/partner/shows/{id}: cancel "
        "or refund its bookings first; the refunds above are the bookings' full totals.",
    )


@router.get(
    "/theatres/{theatre_id}/settings",
    operation_id="partner_theatre_settings",
    summary="A theatre as the partner edits it: address, time zone and sales rules",
)
def theatre_settings(
    theatre_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> dict[str, object]:
    with ctx.hub.engine.connect() as conn:
        theatre = _theatre(conn, principal, theatre_id)
    return theatre.model_dump(mode="json", exclude={"partner_id", "connector_id", "external_refs"})
