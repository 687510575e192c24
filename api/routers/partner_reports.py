"""Sales and occupancy reports for a partner's own theatres: per show, business day or theatre,
as JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.context import ApiContext, Ctx
from api.deps import QueryId
from api.problems import not_found
from api.schemas_partner import SalesReport, SalesRow
from api.security.access import PartnerReader
from api.security.principal import Principal
from canonical import Money
from store import admissions, partners
from store.partners import ShowSales

router = APIRouter(prefix="/v1/partner/reports", tags=["partner"])


class GroupBy(StrEnum):
    SHOW = "show"
    DAY = "day"
    THEATRE = "theatre"


KEYS: dict[GroupBy, Callable[[ShowSales], str]] = {
    GroupBy.SHOW: lambda s: s.show_id,
    GroupBy.DAY: lambda s: s.business_date.isoformat(),
    GroupBy.THEATRE: lambda s: s.theatre_id,
}


def _rows(
    sales: list[ShowSales], group_by: GroupBy, admitted: dict[str, int] | None = None
) -> list[SalesRow]:
    admitted = admitted or {}
    groups: dict[str, list[ShowSales]] = {}
    for s in sales:
        groups.setdefault(KEYS[group_by](s), []).append(s)
    out = []
    for key, items in groups.items():
        total = sum(s.seats_total for s in items)
        blocked = sum(s.seats_blocked for s in items)
        sold = sum(s.seats_sold for s in items)
        currencies = {s.currency for s in items}
        revenue = (
            Money(amount=sum(s.revenue for s in items), currency=currencies.pop())
            if len(currencies) == 1
            else None
        )
        first = items[0]
        out.append(
            SalesRow(
                key=key,
                theatre_id=first.theatre_id if group_by != GroupBy.DAY else None,
                show_id=first.show_id if group_by == GroupBy.SHOW else None,
                business_date=first.business_date if group_by != GroupBy.THEATRE else None,
                shows=len(items),
                seats_total=total,
                seats_sold=sold,
                seats_blocked=blocked,
                occupancy=round(sold / (total - blocked), 4) if total - blocked > 0 else 0.0,
                bookings=sum(s.bookings for s in items),
                tickets=sum(s.tickets for s in items),
                admitted=sum(admitted.get(s.show_id, 0) for s in items),
                revenue=revenue,
            )
        )
    return out


def _report(
    ctx: ApiContext,
    principal: Principal,
    group_by: GroupBy,
    theatre_id: str | None,
    show_id: str | None,
    date_from: date | None,
    date_to: date | None,
) -> SalesReport:
    assert principal.partner_id
    with ctx.hub.engine.connect() as conn:
        own = partners.partner_theatre_ids(conn, principal.partner_id)
        if theatre_id is not None:
            if theatre_id not in own:
                raise not_found("theatre", theatre_id)
            own = [theatre_id]
        sales = partners.sales_by_show(
            conn, own, day_from=date_from, day_to=date_to, show_id=show_id
        )
        admitted = admissions.admitted_counts(conn, [s.show_id for s in sales])
    return SalesReport(
        group_by=group_by.value,
        date_from=date_from,
        date_to=date_to,
        rows=_rows(sales, group_by, admitted),
    )


# The report's filters, the same for its JSON and its CSV.
GroupByQuery = Annotated[GroupBy, Query()]
QueryId = QueryId
FirstDay = Annotated[date | None, Query(description="First business date (inclusive)")]
LastDay = Annotated[date | None, Query(description="Last business date (inclusive)")]


@router.get(
    "/sales",
    operation_id="partner_sales",
    response_model=SalesReport,
    summary="Sales and occupancy per show, business day or theatre",
)
def sales(
    principal: PartnerReader,
    ctx: Ctx,
    group_by: GroupByQuery = GroupBy.SHOW,
    theatre_id: QueryId = None,
    show_id: QueryId = None,
    date_from: FirstDay = None,
    date_to: LastDay = None,
) -> SalesReport:
    return _report(ctx, principal, group_by, theatre_id, show_id, date_from, date_to)


COLUMNS = [
    "key",
    "theatre_id",
    "show_id",
    "business_date",
    "shows",
    "seats_total",
    "seats_sold",
    "seats_blocked",
    "occupancy",
    "bookings",
    "tickets",
    "revenue_minor",
    "currency",
    "admitted",
]


@router.get(
    "/sales.csv",
    operation_id="partner_sales_csv",
    response_class=Response,
    summary="The same report as CSV",
    responses={200: {"content": {"text/csv": {}}, "description": "CSV with a header"}},
)
def sales_csv(
    principal: PartnerReader,
    ctx: Ctx,
    group_by: GroupByQuery = GroupBy.SHOW,
    theatre_id: QueryId = None,
    show_id: QueryId = None,
    date_from: FirstDay = None,
    date_to: LastDay = None,
) -> Response:
    report = _report(ctx, principal, group_by, theatre_id, show_id, date_from, date_to)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for r in report.rows:
        writer.writerow(
            [
                r.key,
                r.theatre_id or "",
                r.show_id or "",
                r.business_date.isoformat() if r.business_date else "",
                r.shows,
                r.seats_total,
                r.seats_sold,
                r.seats_blocked,
                r.occupancy,
                r.bookings,
                r.tickets,
                r.revenue.amount if r.revenue else "",
                r.revenue.currency if r.revenue else "",
                r.admitted,
            ]
        )
    name = f"sales-by-{group_by.value}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
