"""A customer's bookings: list, read, cancel (with refund), and the e-ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from api.context import ApiContext, Ctx
from api.deps import Languages, PathId, QueryId
from api.idempotency import idempotency_key, run_once
from api.pagination import Page, Paging, encode_cursor
from api.problems import ApiProblem, not_found
from api.schemas_booking import BookingOut, BookingShowOut, CancellationOut, ETicketOut
from api.security.access import Customer
from api.security.principal import Principal
from api.show_details import booking_shows
from booking.errors import UnknownBooking
from booking.services import ticket_payload
from canonical.orders import Booking
from canonical.time import zone
from marquee import observability
from store import catalog, users

router = APIRouter(prefix="/v1/bookings", tags=["booking"])


def _own(ctx: ApiContext, principal: Principal, booking_id: str) -> Booking:
    try:
        booking = ctx.booking.get_booking(booking_id)
    except UnknownBooking:
        raise not_found("booking", booking_id) from None
    if booking.customer_id != principal.subject:
        raise not_found("booking", booking_id)
    return booking


def _out(ctx: ApiContext, booking: Booking, show: BookingShowOut | None = None) -> BookingOut:
    with ctx.booking.uow() as uow:
        payments = uow.payments.for_booking(booking.id)
    return BookingOut.of(booking, payments, show)


def _with_shows(ctx: ApiContext, bookings: list[Booking], languages: list[str]) -> list[BookingOut]:
    with ctx.hub.engine.connect() as conn:
        shows = booking_shows(conn, (b.show_id for b in bookings), languages)
    return [_out(ctx, b, shows.get(b.show_id)) for b in bookings]


@router.get(
    "",
    operation_id="booking_list_bookings",
    response_model=Page[BookingOut],
    summary="Your bookings, newest first",
)
def list_bookings(
    page: Paging,
    principal: Customer,
    ctx: Ctx,
    languages: Languages,
    status: Literal["pending", "confirmed", "cancelled", "failed"] | None = None,
    show_id: QueryId = None,
) -> Page[BookingOut]:
    key = page.key()
    before = None
    if key is not None:
        try:
            before = (datetime.fromisoformat(str(key[0])), str(key[1]))
        except (ValueError, IndexError):
            raise ApiProblem(400, "invalid_cursor", "the cursor does not fit this list") from None
    with ctx.hub.engine.connect() as conn:
        ids = users.customer_booking_ids(
            conn,
            principal.subject,
            status=status,
            show_id=show_id,
            before=before,
            limit=page.limit + 1,
        )
    items = _with_shows(ctx, [ctx.booking.get_booking(i) for i in ids[: page.limit]], languages)
    cursor = None
    if len(ids) > page.limit:
        last = items[-1]
        cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page[BookingOut](items=items, next_cursor=cursor)


@router.get("/{booking_id}", operation_id="booking_get_booking", response_model=BookingOut)
def get_booking(
    booking_id: PathId,
    principal: Customer,
    ctx: Ctx,
    languages: Languages,
) -> BookingOut:
    return _with_shows(ctx, [_own(ctx, principal, booking_id)], languages)[0]


@router.post(
    "/{booking_id}/cancel",
    operation_id="booking_cancel_booking",
    response_model=CancellationOut,
    summary="Cancel a confirmed booking; the refund follows the theatre's policy",
)
def cancel_booking(
    booking_id: PathId,
    principal: Customer,
    ctx: Ctx,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> JSONResponse:
    _own(ctx, principal, booking_id)

    def work() -> tuple[int, CancellationOut]:
        result = ctx.booking.cancel_booking(booking_id, principal.subject)
        observability.BOOKINGS.labels("cancelled").inc()
        observability.REFUNDS.labels("issued" if result.refund_issued else "queued").inc()
        return 200, CancellationOut(
            booking=_out(ctx, result.booking),
            refund=result.refund,
            fee=result.fee,
            refund_issued=result.refund_issued,
        )

    return run_once(ctx, principal.subject, key, "cancel", {"booking_id": booking_id}, work)


def _require_ticket(booking: Booking) -> None:
    if booking.status.value != "confirmed":
        raise ApiProblem(
            409,
            "no_ticket",
            f"booking {booking.code} is {booking.status.value}; "
            "only confirmed bookings have a ticket",
            state=booking.status.value,
        )


@router.get(
    "/{booking_id}/ticket",
    operation_id="booking_ticket",
    response_model=ETicketOut,
    summary="The e-ticket",
)
def ticket(
    booking_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> ETicketOut:
    booking = _own(ctx, principal, booking_id)
    _require_ticket(booking)
    with ctx.hub.engine.connect() as conn:
        show = catalog.get_show(conn, booking.show_id)
        theatre = catalog.get_theatre(conn, show.theatre_id) if show else None
        movie = catalog.get_movie(conn, show.movie_id) if show else None
    if show is None or theatre is None:
        raise not_found("show", booking.show_id)
    title = movie.title.resolve([], movie.original_language) if movie else None
    base = f"/v1/bookings/{booking.id}/ticket"
    return ETicketOut(
        booking_id=booking.id,
        code=booking.code,
        status=booking.status.value,
        movie=title,
        theatre=theatre.name,
        screen_id=show.screen_id,
        start=show.start,
        local_start=show.start.astimezone(zone(theatre.timezone)).isoformat(),
        seats=[t.label for t in booking.tickets],
        total=booking.total,
        qr_payload=ticket_payload(booking),
        qr_svg_url=f"{base}/qr.svg",
        qr_png_url=f"{base}/qr.png",
    )


QR: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}, "image/png": {}}, "description": "QR code"}
}


@router.get(
    "/{booking_id}/ticket/qr.{fmt}",
    operation_id="booking_ticket_qr",
    response_class=Response,
    responses=QR,
    summary="The e-ticket's QR code as SVG or PNG",
)
def ticket_qr(
    fmt: Literal["svg", "png"],
    booking_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> Response:
    from notifications.ticket import qr_png, qr_svg

    booking = _own(ctx, principal, booking_id)
    _require_ticket(booking)
    payload = ticket_payload(booking)
    if fmt == "png":
        return Response(qr_png(payload), media_type="image/png")
    return Response(qr_svg(payload), media_type="image/svg+xml")
