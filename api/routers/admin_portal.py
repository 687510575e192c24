"""Admin panel helpers on top of the admin API: finding bookings, and the payments that need a
person (stuck in flight, a refund that failed, a chargeback, money without a booking, an amount
that differs from the booking's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import or_, select

from analytics import queries as analytics_queries
from api.context import Ctx
from api.deps import QueryId
from api.security.access import AdminReader
from canonical.time import utcnow
from store.tables import bookings, outbox, payments, shows, theatres

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _booking(row: Any, titles: dict[str, str], screen_names: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "status": row.status,
        "show_id": row.show_id,
        # What a support person reads: the movie, where and when, not the ids.
        "movie_title": titles.get(row.movie_id, row.movie_id),
        "theatre_name": row.theatre_name,
        "screen_name": screen_names.get(row.screen_id, (row.screen_id,))[0],
        "start_at": row.start_at,
        "timezone": row.timezone,
        "theatre_id": row.theatre_id,
        "city": row.city,
        "customer_id": row.customer_id,
        "total": {"amount": row.total_amount, "currency": row.currency},
        "created_at": row.created_at,
        "confirmed_at": row.confirmed_at,
        "cancelled_at": row.cancelled_at,
    }


@router.get(
    "/bookings/search",
    operation_id="admin_search_bookings",
    summary="Bookings by code, id, customer, show, theatre or status",
)
def search_bookings(
    _: AdminReader,
    ctx: Ctx,
    q: Annotated[
        str | None, Query(max_length=64, description="Booking code or id (prefix)")
    ] = None,
    customer_id: QueryId = None,
    show_id: QueryId = None,
    theatre_id: QueryId = None,
    status: Literal["pending", "confirmed", "cancelled", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    b = bookings.c
    stmt = (
        select(*b, shows.c.theatre_id, theatres.c.city, theatres.c.timezone)
        .add_columns(theatres.c.name.label("theatre_name"), shows.c.movie_id, shows.c.screen_id)
        .add_columns(shows.c.start_at)
        .join(shows, shows.c.id == b.show_id)
        .join(theatres, theatres.c.id == shows.c.theatre_id)
    )
    if q:
        term = q.strip()
        stmt = stmt.where(or_(b.code == term.upper(), b.id.startswith(term, autoescape=True)))
    if customer_id:
        stmt = stmt.where(b.customer_id == customer_id)
    if show_id:
        stmt = stmt.where(b.show_id == show_id)
    if theatre_id:
        stmt = stmt.where(shows.c.theatre_id == theatre_id)
    if status:
        stmt = stmt.where(b.status == status)
    with ctx.hub.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(b.created_at.desc(), b.id).limit(limit)).all()
        titles = analytics_queries.movie_titles(conn, {r.movie_id for r in rows})
        screens = analytics_queries.screen_names(conn, {r.screen_id for r in rows})
    return [_booking(r, titles, screens) for r in rows]


# What each reason asks of the person reading the list.
ATTENTION: dict[str, tuple[str, str]] = {
    "stuck": (
        "in flight for longer than it should be",
        "look the payment up at the gateway: if it went through, the webhook is missing",
    ),
    "refund_failed": (
        "the refund ran out of attempts",
        "refund at the gateway by hand or requeue the outbox message (marquee worker requeue)",
    ),
    "refund_pending": (
        "the refund is still being retried",
        "check the gateway is reachable; the message is retried on its own",
    ),
    "disputed": (
        "the customer's bank opened a chargeback; the booking was cancelled",
        "answer the dispute at the gateway",
    ),
    "paid_not_booked": (
        "money taken for a booking that is not confirmed, and no refund asked for",
        "refund the payment or confirm the booking",
    ),
    "amount_mismatch": (
        "the amount paid differs from the booking's total",
        "refund the difference or charge it",
    ),
}
REFUND_TOPIC = "RefundRequested"
CANCEL_TOPIC = "BookingCancelled"


def _refund_done(conn: Any, payment_id: str, payload: dict[str, Any]) -> bool:
    asked = int((payload.get("amount") or {}).get("amount", 0))
    got = conn.execute(
        select(payments.c.refunded_amount).where(payments.c.id == payment_id)
    ).scalar()
    return got is not None and asked > 0 and got >= asked


def _attention_rows(conn: Any, now: Any, stuck_minutes: int, days: int) -> list[dict[str, Any]]:
    """Payments an admin has to act on. Ordinary outcomes (a declined card, a refund that went
    through) are not listed: they need nobody."""
    p, b, o = payments.c, bookings.c, outbox.c
    since = now - timedelta(days=days)
    settled = now - timedelta(minutes=stuck_minutes)
    found: dict[str, tuple[str, str | None]] = {}  # payment id -> (reason, last error)

    for pid in conn.execute(
        select(p.id).where(p.status.in_(("initiated", "in_progress")), p.updated_at < settled)
    ).scalars():
        found.setdefault(pid, ("stuck", None))

    # Refunds are asked for through the outbox: one that ran out of attempts, or that is still
    # retrying long after it was asked, is waiting for a person.
    for payload, failed_at, created_at, error in conn.execute(
        select(o.payload, o.failed_at, o.created_at, o.last_error).where(
            o.topic == REFUND_TOPIC, o.created_at >= since, o.delivered_at.is_(None)
        )
    ):
        pid = (payload or {}).get("payment_id")
        if not pid or _refund_done(conn, pid, payload):
            # Issued at once when the customer cancelled; the message only confirms it.
            continue
        if failed_at is not None:
            found[pid] = ("refund_failed", error)
        elif created_at < settled:
            found.setdefault(pid, ("refund_pending", error))

    refund_asked = {
        (payload or {}).get("booking_id")
        for (payload,) in conn.execute(
            select(o.payload).where(o.topic == REFUND_TOPIC, o.created_at >= since)
        )
    }
    # A chargeback cancels the booking with no fee and no refund of ours (the bank took the
    # money back): a cancelled booking whose payment still stands, and whose cancellation
    # charged no fee, was cancelled that way.
    no_fee_cancels = {
        (payload or {}).get("booking_id")
        for (payload,) in conn.execute(
            select(o.payload).where(o.topic == CANCEL_TOPIC, o.created_at >= since)
        )
        if int(((payload or {}).get("fee") or {}).get("amount", 0)) == 0
    }
    standing = conn.execute(
        select(p.id, p.amount, p.currency, b.id.label("bid"), b.status, b.total_amount)
        .add_columns(b.currency.label("bcur"))
        .join(bookings, b.id == p.booking_id)
        .where(
            p.status.in_(("succeeded", "partially_refunded")),
            p.updated_at >= since,
            p.updated_at < settled,
        )
    ).all()
    for r in standing:
        if r.status == "cancelled" and r.bid in no_fee_cancels and r.bid not in refund_asked:
            found.setdefault(r.id, ("disputed", None))
        elif r.status in ("pending", "failed") and r.bid not in refund_asked:
            found.setdefault(r.id, ("paid_not_booked", None))
        elif r.status == "confirmed" and (r.amount, r.currency) != (r.total_amount, r.bcur):
            found.setdefault(r.id, ("amount_mismatch", None))

    if not found:
        return []
    rows = conn.execute(
        select(p.id, p.booking_id, p.gateway, p.amount, p.currency, p.refunded_amount)
        .add_columns(p.status, p.gateway_ref, p.created_at, p.updated_at)
        .add_columns(b.code, b.status.label("booking_status"), b.total_amount)
        .add_columns(b.currency.label("booking_currency"))
        .join(bookings, b.id == p.booking_id)
        .where(p.id.in_(sorted(found)))
        .order_by(p.updated_at.desc(), p.id)
    ).all()
    out = []
    for r in rows:
        reason, error = found[r.id]
        what, action = ATTENTION[reason]
        out.append(
            {
                "id": r.id,
                "booking_id": r.booking_id,
                "booking_code": r.code,
                "booking_status": r.booking_status,
                "booking_total": {"amount": r.total_amount, "currency": r.booking_currency},
                "gateway": r.gateway,
                "gateway_ref": r.gateway_ref,
                "status": r.status,
                "reason": reason,
                "detail": what,
                "action": action,
                "last_error": error,
                "amount": {"amount": r.amount, "currency": r.currency},
                "refunded": {"amount": r.refunded_amount, "currency": r.currency},
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
        )
    return out


@router.get(
    "/payments/attention",
    operation_id="admin_payments_attention",
    summary="Payments a person must act on: stuck in flight, a refund that failed or hangs, "
    "a chargeback, money taken without a booking, an amount that differs from the booking",
    description="Ordinary outcomes are left out: a declined card (the customer tries again) "
    "and a refund that went through need nobody. Each row says why it is listed (`reason`, "
    "`detail`) and what to do (`action`).",
)
def payments_attention(
    _: AdminReader,
    ctx: Ctx,
    stuck_minutes: Annotated[
        int, Query(ge=1, le=1440, description="In flight longer than this")
    ] = 15,
    days: Annotated[int, Query(ge=1, le=90, description="Look back this many days")] = 7,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    with ctx.hub.engine.connect() as conn:
        return _attention_rows(conn, utcnow(), stuck_minutes, days)[:limit]
