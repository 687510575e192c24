"""Analytics KPIs: partners see their own theatres (`/v1/partner/analytics/...`), staff see all
(`/v1/admin/analytics/...`). The same endpoints on both, answered from the aggregate tables.

Dates are the theatres' local business days (`date_from`/`date_to` inclusive). Money is always
per currency. A partner naming a theatre that is not theirs gets 404, like the partner API.
"""

# No `from __future__ import annotations`: the endpoints `_register` defines name its
# `scope_dep` argument in their annotations, which FastAPI can only read evaluated.
import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from analytics import queries
from analytics.queries import Filters, Scope
from api.context import Ctx
from api.deps import PathId, QueryId
from api.problems import ApiProblem, not_found
from api.security.access import AdminReader, PartnerReader

partner_router = APIRouter(prefix="/v1/partner/analytics", tags=["partner"])
admin_router = APIRouter(prefix="/v1/admin/analytics", tags=["admin"])

MAX_DAYS = 400
Breakdown = Literal["city", "theatre", "screen", "movie", "language", "day", "hour", "hour_of_day"]
ReasonKind = Literal[
    "payment_failed", "hold_released", "refund", "sale_commit_failed", "booking_failed",
    "cancellation",
]  # fmt: skip
Dimension = Literal["language", "genre", "format", "time_of_day"]


def filters(
    date_from: Annotated[
        date | None, Query(description="First local business day (inclusive)")
    ] = None,
    date_to: Annotated[
        date | None, Query(description="Last local business day (inclusive)")
    ] = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    theatre_id: QueryId = None,
    screen_id: QueryId = None,
    movie_id: QueryId = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    show_id: QueryId = None,
) -> Filters:
    if date_from and date_to:
        if date_to < date_from:
            raise ApiProblem(422, "bad_range", "date_to is before date_from")
        if (date_to - date_from).days > MAX_DAYS:
            raise ApiProblem(422, "range_too_long", f"at most {MAX_DAYS} days at once")
    return Filters(
        date_from=date_from,
        date_to=date_to,
        city=city,
        theatre_id=theatre_id,
        screen_id=screen_id,
        movie_id=movie_id,
        language=language,
        extra={"show_id": show_id} if show_id else {},
    )


FilterQuery = Annotated[Filters, Depends(filters)]


def partner_scope(f: FilterQuery, principal: PartnerReader, ctx: Ctx) -> Scope:
    assert principal.partner_id
    with ctx.hub.engine.connect() as conn:
        own = queries.own_theatres(conn, principal.partner_id)
    if f.theatre_id is not None and f.theatre_id not in own:
        raise not_found("theatre", f.theatre_id)
    return Scope(own)


def admin_scope(principal: AdminReader) -> Scope:
    return Scope.everything()


def _csv(rows: list[dict[str, Any]], name: str) -> Response:
    buf = io.StringIO()
    if rows:
        flat = [_flatten(r) for r in rows]
        writer = csv.DictWriter(buf, fieldnames=list(flat[0]))
        writer.writeheader()
        writer.writerows(flat)
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV with a header"}
}


def _register(router: APIRouter, scope_dep: Callable[..., Scope]) -> None:
    ScopeDep = Annotated[Scope, Depends(scope_dep)]
    # The same endpoints on both routers: the router's tag keeps their operation ids apart.
    tag = router.tags[0]

    @router.get(
        "/summary",
        operation_id=f"{tag}_analytics_summary",
        summary="Totals, money per currency, funnel, abandonment, occupancy",
    )
    def analytics_summary(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
    ) -> dict[str, Any]:
        with ctx.hub.engine.connect() as conn:
            return queries.totals(conn, scope, f)

    @router.get(
        "/breakdown",
        operation_id=f"{tag}_analytics_breakdown",
        summary="Every counter by one dimension (and currency)",
    )
    def analytics_breakdown(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
        by: Annotated[Breakdown, Query()] = "day",
    ) -> list[dict[str, Any]]:
        with ctx.hub.engine.connect() as conn:
            return queries.breakdown(conn, scope, f, by)

    @router.get(
        "/breakdown.csv",
        operation_id=f"{tag}_analytics_breakdown_csv",
        response_class=Response,
        responses=CSV,
        summary="The breakdown as CSV",
    )
    def analytics_breakdown_csv(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
        by: Annotated[Breakdown, Query()] = "day",
    ) -> Response:
        with ctx.hub.engine.connect() as conn:
            return _csv(queries.breakdown(conn, scope, f, by), f"analytics-by-{by}.csv")

    @router.get(
        "/shows",
        operation_id=f"{tag}_analytics_shows",
        summary="Per show: capacity, seats sold, occupancy, funnel (heat map)",
    )
    def analytics_shows(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
    ) -> list[dict[str, Any]]:
        with ctx.hub.engine.connect() as conn:
            return queries.show_occupancy(conn, scope, f)

    @router.get(
        "/shows.csv",
        operation_id=f"{tag}_analytics_shows_csv",
        response_class=Response,
        responses=CSV,
        summary="Per show, as CSV",
    )
    def analytics_shows_csv(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
    ) -> Response:
        with ctx.hub.engine.connect() as conn:
            return _csv(queries.show_occupancy(conn, scope, f), "analytics-shows.csv")

    @router.get(
        "/reasons",
        operation_id=f"{tag}_analytics_reasons",
        summary="Failed payments, released holds, refunds... by reason",
    )
    def analytics_reasons(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
        kind: Annotated[ReasonKind | None, Query()] = None,
    ) -> list[dict[str, Any]]:
        with ctx.hub.engine.connect() as conn:
            return queries.reasons(conn, scope, f, kind)

    @router.get(
        "/pace",
        operation_id=f"{tag}_analytics_pace",
        summary="Tickets sold by days before the show (shows in range or one)",
    )
    def analytics_pace(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
    ) -> list[dict[str, Any]]:
        with ctx.hub.engine.connect() as conn:
            return queries.pace(conn, scope, f)

    @router.get(
        "/active-customers",
        operation_id=f"{tag}_analytics_active_customers",
        summary="Distinct customers who held or booked, per day",
    )
    def analytics_active_customers(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
    ) -> dict[str, Any]:
        with ctx.hub.engine.connect() as conn:
            return {
                "total": queries.active_customers(conn, scope, f),
                "by_day": queries.active_customers_by_day(conn, scope, f),
            }

    @router.get(
        "/preferences/trends",
        operation_id=f"{tag}_analytics_preference_trends",
        summary="Bookings per month by language/genre/format/time",
    )
    def analytics_preference_trends(
        f: FilterQuery,
        scope: ScopeDep,
        ctx: Ctx,
        dimension: Annotated[Dimension, Query()] = "genre",
    ) -> list[dict[str, Any]]:
        with ctx.hub.engine.connect() as conn:
            return queries.preference_trends(conn, scope, f, dimension)


_register(partner_router, partner_scope)
_register(admin_router, admin_scope)


@admin_router.get(
    "/searches",
    operation_id="admin_analytics_searches",
    summary="Search volume and latency (UTC days)",
)
def analytics_searches(
    f: FilterQuery,
    _: AdminReader,
    ctx: Ctx,
) -> dict[str, Any]:
    with ctx.hub.engine.connect() as conn:
        return queries.searches(conn, f)


@admin_router.get(
    "/customers/{customer_id}/preferences",
    operation_id="admin_analytics_customer_preferences",
    summary="What one customer books: language, genre, format, time of day",
)
def analytics_customer_preferences(
    customer_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> dict[str, Any]:
    with ctx.hub.engine.connect() as conn:
        return {
            "customer_id": customer_id,
            "preferences": queries.customer_preferences(conn, customer_id),
        }
