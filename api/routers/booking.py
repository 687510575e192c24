"""Customer booking: best available, holds, checkout, 3-D Secure confirmation.

Domain errors become problems by their own code and status (api/problems.py):
seats taken -> 409 `seat_unavailable` naming the seats; unknown seat or too many seats -> 422;
theatre POS unreachable or its circuit open -> 503 `theatre_unavailable` with Retry-After;
an expired hold -> 410 `hold_expired` (Gone: the hold existed and will not come back; a hold
released or converted is 409 `hold_not_active`); a declined payment -> 402 `payment_declined`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from api.context import ApiContext, Ctx
from api.deps import PathId
from api.idempotency import idempotency_key, run_once
from api.problems import not_found
from api.ratelimit import limit_checkout, limit_hold
from api.schemas_booking import (
    BestAvailableOut,
    BookingOut,
    CheckoutIn,
    CheckoutOut,
    ConfirmPaymentIn,
    HoldIn,
    HoldOut,
    PaymentOut,
    PaymentsConfigOut,
)
from api.security.access import Customer, signed_customer
from api.security.principal import (
    Principal,
    standing_then,
)
from booking.errors import (
    BookingError,
    PaymentDeclined,
    SeatsUnavailable,
    Unavailable,
    UnknownHold,
    UnknownPayment,
)
from booking.services import CheckoutResult
from canonical.orders import Hold, Payment
from marquee import observability

router = APIRouter(prefix="/v1", tags=["booking"])


@router.get(
    "/shows/{show_id}/best-available",
    operation_id="booking_best_available",
    response_model=BestAvailableOut,
    summary="The best N adjacent free seats (not held: hold them with POST /v1/holds)",
)
def best_available(
    show_id: PathId,
    ctx: Ctx,
    count: Annotated[int, Query(ge=1, le=50)] = 2,
    category: Annotated[str | None, Query(max_length=40)] = None,
) -> BestAvailableOut:
    seat_ids = ctx.booking.best_available(show_id, count, category)
    return BestAvailableOut(show_id=show_id, seat_ids=seat_ids)


def _outcome(err: BookingError) -> str:
    if isinstance(err, SeatsUnavailable):
        return "seats_taken"
    if isinstance(err, Unavailable):
        return "theatre_unavailable"
    return err.code


@router.post(
    "/holds",
    operation_id="booking_place_hold",
    response_model=HoldOut,
    status_code=201,
    summary="Hold seats for a few minutes, all or none",
    responses={
        409: {"description": "Seats taken (named in `seats`)"},
        503: {
            "description": "The theatre's system is not answering; "
            "Retry-After says when to try again"
        },
    },
)
async def place_hold(
    body: HoldIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(signed_customer)],
    ctx: Ctx,
) -> HoldOut:
    await limit_hold(request, principal.subject)
    booking = ctx.booking
    try:
        # In a sell-out most requests are bound to fail and a recent snapshot knows it: refuse
        # those on the event loop; the rest go to a thread and the database. The refusal says
        # only what the public seat map says, so the token's standing (a database read for a
        # caller not seen this second) is confirmed after it, before anything is held.
        booking.refuse_early(body.show_id, body.seat_ids, body.count, body.category)
        if body.seat_ids is not None:
            hold = await standing_then(
                ctx.hub,
                principal,
                booking.place_hold,
                body.show_id,
                body.seat_ids,
                principal.subject,
            )
        else:
            assert body.count is not None
            hold = await standing_then(
                ctx.hub,
                principal,
                booking.hold_best_available,
                body.show_id,
                body.count,
                body.category,
                principal.subject,
            )
    except BookingError as err:
        observability.HOLDS.labels(_outcome(err)).inc()
        raise
    observability.HOLDS.labels("placed").inc()
    response.headers["Location"] = f"/v1/holds/{hold.id}"
    return HoldOut.of(hold)


def _own_hold(ctx: ApiContext, principal: Principal, hold_id: str) -> Hold:
    try:
        hold = ctx.booking.get_hold(hold_id)
    except UnknownHold:
        raise not_found("hold", hold_id) from None
    if hold.customer_id != principal.subject:
        raise not_found("hold", hold_id)
    return hold


@router.get("/holds/{hold_id}", operation_id="booking_get_hold", response_model=HoldOut)
def get_hold(
    hold_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> HoldOut:
    return HoldOut.of(_own_hold(ctx, principal, hold_id))


@router.post(
    "/holds/{hold_id}/extend",
    operation_id="booking_extend_hold",
    response_model=HoldOut,
    summary="Extend a hold once by its time-to-live",
)
def extend_hold(
    hold_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> HoldOut:
    _own_hold(ctx, principal, hold_id)
    return HoldOut.of(ctx.booking.extend_hold(hold_id))


@router.delete(
    "/holds/{hold_id}",
    operation_id="booking_release_hold",
    response_model=HoldOut,
    summary="Let the seats go",
)
def release_hold(
    hold_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> HoldOut:
    _own_hold(ctx, principal, hold_id)
    observability.HOLDS.labels("released").inc()
    return HoldOut.of(ctx.booking.release_hold(hold_id))


def _checkout_out(result: CheckoutResult) -> CheckoutOut:
    return CheckoutOut(
        booking=BookingOut.of(result.booking, [result.payment]),
        payment=PaymentOut.of(result.payment),
        next_action=result.next_action,
        client_secret=result.client_secret,
    )


def _record_payment(gateway: str, result: CheckoutResult | None, err: Exception | None) -> None:
    if isinstance(err, PaymentDeclined):
        observability.PAYMENTS.labels(gateway, "declined").inc()
    elif isinstance(err, Unavailable):
        observability.PAYMENTS.labels(gateway, "unavailable").inc()
    elif result is not None:
        observability.PAYMENTS.labels(gateway, result.payment.status.value).inc()
        if result.booking.status.value == "confirmed":
            observability.BOOKINGS.labels("confirmed").inc()


@router.post(
    "/checkout",
    operation_id="booking_checkout",
    response_model=CheckoutOut,
    status_code=201,
    summary="Pay for a hold: creates the booking and confirms it when the payment succeeds",
    responses={
        200: {
            "description": "A repeat: this hold's existing booking and payment",
            "model": CheckoutOut,
        },
        402: {"description": "Payment declined"},
        409: {"description": "Paid but the booking could not be confirmed (refunded)"},
        410: {"description": "The hold expired"},
        422: {"description": "Idempotency-Key reused with a different body"},
    },
)
def checkout(
    body: CheckoutIn,
    request: Request,
    principal: Customer,
    ctx: Ctx,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> JSONResponse:
    limit_checkout(request, principal.subject)
    _own_hold(ctx, principal, body.hold_id)
    gateway = body.gateway or ctx.hub.settings.payments.gateway

    def work() -> tuple[int, CheckoutOut]:
        try:
            result = ctx.booking.checkout(
                body.hold_id,
                principal.subject,
                gateway=gateway,
                method=body.method,
                ticket_types=body.ticket_types,
                details=body.payment,
            )
        except BookingError as err:
            _record_payment(gateway, None, err)
            raise
        if result.created:
            _record_payment(gateway, result, None)
        # A repeat (same hold, concurrent or later) is answered with the existing booking and
        # payment: 200, not a second 201.
        return (201 if result.created else 200), _checkout_out(result)

    return run_once(ctx, principal.subject, key, "checkout", body, work)


@router.get(
    "/payments/config",
    operation_id="booking_payments_config",
    response_model=PaymentsConfigOut,
    summary="The payment gateway the checkout uses, and Stripe's publishable key when Stripe",
)
def payments_config(ctx: Ctx) -> PaymentsConfigOut:
    settings = ctx.hub.settings
    stripe = settings.payments.gateway == "stripe"
    return PaymentsConfigOut(
        gateway=settings.payments.gateway,
        publishable_key=settings.payments.publishable_key if stripe else None,
    )


def owns_payment(
    payment_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> Payment:
    """A dependency, so another customer's payment id is 404 before the body is looked at."""
    try:
        payment = ctx.booking.get_payment(payment_id)
        booking = ctx.booking.get_booking(payment.booking_id)
    except (UnknownPayment, BookingError):
        raise not_found("payment", payment_id) from None
    if booking.customer_id != principal.subject:
        raise not_found("payment", payment_id)
    return payment


@router.post(
    "/payments/{payment_id}/confirm",
    operation_id="booking_confirm_payment",
    response_model=CheckoutOut,
    summary="Finish a payment that needed customer action (3-D Secure)",
)
def confirm_payment(
    body: ConfirmPaymentIn,
    payment_id: PathId,
    payment: Annotated[Payment, Depends(owns_payment)],
    ctx: Ctx,
) -> CheckoutOut:
    try:
        result = ctx.booking.confirm_payment(payment_id, body.details)
    except BookingError as err:
        _record_payment(payment.gateway, None, err)
        raise
    _record_payment(payment.gateway, result, None)
    return _checkout_out(result)
