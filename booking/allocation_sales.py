"""The allocation's sales, as the theatre reads them: one line per seat Marquee sold from the
seats a theatre allocated to online sales (`online_sales: allocation`), for one business day
or a range, with the cancelled ones marked. The box office reconciles its counter with it
and stops selling what Marquee sold.

Pure: the store reads the bookings (`store/allocation_sales.py`), this module turns them into
lines and the CSV file, and the API and the worker's upload (`connectors/sales_report.py`)
serve the same bytes.

The CSV is UTF-8 without a byte-order mark, comma-separated, a header row first, lines ending
in CRLF (RFC 4180), in the column order of `COLUMNS`; times are the theatre's local time in
ISO 8601 with their UTC offset, prices in the currency's major unit with its decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from booking.errors import Conflict, InvalidRequest
from canonical.money import Money, exponent
from canonical.orders import Ticket
from canonical.time import zone

# A report is read by people at a counter; a month is more than any of them reconciles at once.
MAX_DAYS = 31

COLUMNS = (
    "business_date",
    "show_id",
    "pos_show_ref",
    "show_start",
    "screen_id",
    "screen_name",
    "seat_id",
    "seat_label",
    "booking_code",
    "ticket_type",
    "category",
    "price",
    "fee",
    "currency",
    "status",
    "sold_at",
    "cancelled_at",
)


class NotAllocationMode(Conflict):
    code = "not_allocation_mode"
    title = "The connector does not sell an allocation"


class InvalidReportDays(InvalidRequest):
    code = "invalid_report_days"
    title = "Invalid report days"


@dataclass(frozen=True)
class AllocationBooking:
    """A booking Marquee sold from an allocation, with what the report says of its show."""

    code: str
    status: str  # "confirmed" or "cancelled"
    tickets: tuple[Ticket, ...]
    confirmed_at: datetime
    cancelled_at: datetime | None
    show_id: str
    pos_show_ref: str | None
    start_at: datetime
    business_date: date
    timezone: str
    screen_id: str
    screen_name: str


@dataclass(frozen=True)
class SaleLine:
    business_date: date
    show_id: str
    pos_show_ref: str
    show_start: str
    screen_id: str
    screen_name: str
    seat_id: str
    seat_label: str
    booking_code: str
    ticket_type: str
    category: str
    price: str
    fee: str
    currency: str
    status: str
    sold_at: str
    cancelled_at: str

    def row(self) -> list[str]:
        return [str(getattr(self, name)) for name in COLUMNS]


def report_days(first: date, last: date | None = None) -> tuple[date, date]:
    """The days a report covers (inclusive), or the refusal of a range it cannot cover."""
    last = first if last is None else last
    if last < first:
        raise InvalidReportDays(
            f"date_to {last.isoformat()} is before date {first.isoformat()}",
            date=first.isoformat(),
            date_to=last.isoformat(),
        )
    if (last - first) >= timedelta(days=MAX_DAYS):
        raise InvalidReportDays(
            f"a report covers at most {MAX_DAYS} days; "
            f"{first.isoformat()} to {last.isoformat()} is {(last - first).days + 1}",
            max_days=MAX_DAYS,
        )
    return first, last


def sale_lines(booked: Iterable[AllocationBooking]) -> list[SaleLine]:
    """One line per ticket, ordered by day, show start, show, seat and sale time: a seat sold,
    cancelled and sold again has two lines, the cancelled one first."""
    out: list[tuple[tuple[Any, ...], SaleLine]] = []
    for b in booked:
        tz = zone(b.timezone)
        cancelled = b.status == "cancelled"
        for t in b.tickets:
            line = SaleLine(
                business_date=b.business_date,
                show_id=b.show_id,
                pos_show_ref=b.pos_show_ref or "",
                show_start=_local(b.start_at, tz),
                screen_id=b.screen_id,
                screen_name=b.screen_name,
                seat_id=t.seat_id,
                seat_label=t.label,
                booking_code=b.code,
                ticket_type=t.ticket_type,
                category=t.category,
                price=_amount(t.price),
                fee=_amount(t.fee) if t.fee else "",
                currency=t.price.currency,
                status="cancelled" if cancelled else "sold",
                sold_at=_local(b.confirmed_at, tz),
                cancelled_at=_local(b.cancelled_at, tz) if cancelled and b.cancelled_at else "",
            )
            key = (b.business_date, b.start_at, b.show_id, t.seat_id, b.confirmed_at, b.code)
            out.append((key, line))
    return [line for _, line in sorted(out, key=lambda pair: pair[0])]


def render_csv(lines: Iterable[SaleLine]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(line.row())
    return buf.getvalue().encode("utf-8")


def report_path(template: str, day: date) -> str:
    """The file a day's report is uploaded as: `template` with `{date:...}` filled in
    (`/inbox/marquee-sales-{date:%Y%m%d}.csv` -> `/inbox/marquee-sales-20261206.csv`)."""
    return template.format(date=day)


def report_path_problem(template: object) -> str | None:
    """Why a `sales_report.path` cannot name a day's file, or None when it can."""
    if not isinstance(template, str) or not template.strip():
        return "sales_report.path must be a file path such as /inbox/sales-{date:%Y%m%d}.csv"
    if not template.startswith("/"):
        return f"sales_report.path {template!r} must be absolute (start with /)"
    try:
        one = report_path(template, date(2001, 2, 3))
        other = report_path(template, date(2001, 2, 4))
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return f"sales_report.path {template!r} cannot be filled in: {exc}"
    if one == other:
        # Each day's file must have its own name, or one day would overwrite another.
        return f"sales_report.path {template!r} must name the day, e.g. {{date:%Y%m%d}}"
    if one.endswith("/"):
        return f"sales_report.path {template!r} must name a file, not a folder"
    return None


def _local(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).isoformat(timespec="seconds")


def _amount(money: Money) -> str:
    return f"{money.to_decimal():.{exponent(money.currency)}f}"
