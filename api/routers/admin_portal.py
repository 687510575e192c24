"""Admin panel helpers on top of the admin API: finding bookings, and the payments that need a
person (stuck in flight, failed, refunded)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import and_, or_, select

from api.context import ApiContext, get_ctx
from api.routers.admin import admin_read
from api.security.principal import Principal
from canonical.time import utcnow
from store.tables import bookings, payments, shows, theatres

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _booking(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "status": row.status,
        "show_id": row.show_id,
        "theatre_id": row.theatre_id,
        "city": row.city,
        "customer_id": row.customer_id,
        "total": {"amount": row.total_amount, "currency": row.currency},
        "created_at": row.created_at,
        "confirmed_at": row.confirmed_at,
        "cancelled_at": row.cancelled_at,
    }


@router.get("/bookings/search", summary="Bookings by code, id, customer, show, theatre or status")
def search_bookings(
    q: str | None = Query(None, max_length=64, description="Booking code or id (prefix)"),
    customer_id: str | None = Query(None, max_length=64),
    show_id: str | None = Query(None, max_length=64),
    theatre_id: str | None = Query(None, max_length=64),
    status: Literal["pending", "confirmed", "cancelled", "failed"] | None = None,
    limit: int = Query(50, ge=1, le=200),
    _: Principal = Depends(admin_read),
    ctx: ApiContext = Depends(get_ctx),
) -> list[dict[str, Any]]:
    b = bookings.c
    stmt = (
        select(*b, shows.c.theatre_id, theatres.c.city)
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
    return [_booking(r) for r in rows]


@router.get(
    "/payments/attention",
    summary="Payments stuck in flight, failed or refunded recently: what a person should look at",
)
def payments_attention(
    stuck_minutes: int = Query(15, ge=1, le=1440, description="In flight longer than this"),
    days: int = Query(7, ge=1, le=90, description="Failures and refunds of the last N days"),
    limit: int = Query(100, ge=1, le=500),
    _: Principal = Depends(admin_read),
    ctx: ApiContext = Depends(get_ctx),
) -> list[dict[str, Any]]:
    now = utcnow()
    p = payments.c
    stuck = and_(
        p.status.in_(("initiated", "in_progress")),
        p.updated_at < now - timedelta(minutes=stuck_minutes),
    )
    recent = and_(
        p.status.in_(("failed", "refunded", "partially_refunded")),
        p.updated_at >= now - timedelta(days=days),
    )
    with ctx.hub.engine.connect() as conn:
        rows = conn.execute(
            select(p.id, p.booking_id, p.gateway, p.amount, p.currency, p.refunded_amount)
            .add_columns(p.status, p.gateway_ref, p.created_at, p.updated_at)
            .where(or_(stuck, recent))
            .order_by(p.updated_at.desc(), p.id)
            .limit(limit)
        ).all()
    out = []
    for r in rows:
        in_flight = r.status in ("initiated", "in_progress")
        out.append(
            {
                "id": r.id,
                "booking_id": r.booking_id,
                "gateway": r.gateway,
                "gateway_ref": r.gateway_ref,
                "status": r.status,
                "reason": "stuck" if in_flight else r.status,
                "amount": {"amount": r.amount, "currency": r.currency},
                "refunded": {"amount": r.refunded_amount, "currency": r.currency},
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
        )
    return out
