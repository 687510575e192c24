"""The allocation sales report as CSV (booking/allocation_sales.py): for an admin, a connector's
whole allocation; for a partner, one of its own theatres. The same file the theatre receives
on its SFTP server when the connector has a `sales_report` (connectors/sales_report.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.context import ApiContext, Ctx
from api.deps import KnownConnector, PathId
from api.routers.partner import reads_own_theatre
from api.security.access import AdminReader
from booking.allocation_sales import (
    NotAllocationMode,
    render_csv,
    report_days,
    sale_lines,
)
from connectors.selling import sells_allocation
from store import allocation_sales as sql

admin_router = APIRouter(prefix="/v1/admin", tags=["admin"])
partner_router = APIRouter(prefix="/v1/partner", tags=["partner"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}},
        "description": "UTF-8 CSV with a header row, one line per seat sold or cancelled",
    }
}
BusinessDay = Annotated[
    date, Query(alias="date", description="The theatre's local business day (YYYY-MM-DD)")
]
LastDay = Annotated[
    date | None,
    Query(description="Last business day of a range (inclusive; at most 31 days)"),
]


def _csv(
    ctx: ApiContext,
    connector_id: str,
    settings: Mapping[str, Any],
    first: date,
    last: date | None,
    theatre_ids: Sequence[str] | None,
) -> Response:
    if not sells_allocation(settings):
        raise NotAllocationMode(
            f"connector {connector_id!r} does not sell an allocation "
            f"(online_sales is {settings.get('online_sales') or 'its default'!r})",
            connector_id=connector_id,
        )
    day_from, day_to = report_days(first, last)
    with ctx.hub.engine.connect() as conn:
        booked = sql.allocation_bookings(conn, connector_id, day_from, day_to, theatre_ids)
    name = f"allocation-sales-{connector_id}-{day_from:%Y%m%d}"
    name += f"-{day_to:%Y%m%d}.csv" if day_to != day_from else ".csv"
    return Response(
        render_csv(sale_lines(booked)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@admin_router.get(
    "/connectors/{connector_id}/allocation-sales.csv",
    operation_id="admin_admin_allocation_sales",
    response_class=Response,
    summary="The seats sold from the connector's allocation on a business day, as CSV",
    responses=CSV_RESPONSE,
)
def admin_allocation_sales(
    connector_id: PathId,
    day: BusinessDay,
    _: AdminReader,
    connector: KnownConnector,
    ctx: Ctx,
    date_to: LastDay = None,
) -> Response:
    return _csv(ctx, connector_id, connector["settings"] or {}, day, date_to, None)


@partner_router.get(
    "/theatres/{theatre_id}/allocation-sales.csv",
    operation_id="partner_partner_allocation_sales",
    response_class=Response,
    dependencies=[Depends(reads_own_theatre)],
    summary="The seats Marquee sold from your theatre's allocation on a business day, as CSV",
    responses=CSV_RESPONSE,
)
def partner_allocation_sales(
    theatre_id: PathId,
    day: BusinessDay,
    ctx: Ctx,
    date_to: LastDay = None,
) -> Response:
    with ctx.hub.engine.connect() as conn:
        linked = sql.theatre_connector(conn, theatre_id)
    if linked is None:
        raise NotAllocationMode(
            f"theatre {theatre_id!r} sells through Marquee itself: it has no allocation",
            theatre_id=theatre_id,
        )
    return _csv(ctx, linked[0], linked[1], day, date_to, [theatre_id])
