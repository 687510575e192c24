"""The allocation sales report's lines and file (booking.allocation_sales), and the settings
that name where a theatre receives it (connectors.selling)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.allocation_sales import (
    COLUMNS,
    AllocationBooking,
    InvalidReportDays,
    render_csv,
    report_days,
    report_path,
    report_path_problem,
    sale_lines,
)
from canonical.money import Money
from canonical.orders import Ticket
from connectors.selling import problems, sales_report_path

DAY = date(2026, 12, 6)
START = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)  # 19:00 in São Paulo (UTC-3)


def ticket(seat: str, price: int = 3200, ticket_type: str = "adult", fee: int | None = None):
    return Ticket(
        seat_id=seat,
        label=seat.replace("1-", "", 1),
        category="standard",
        ticket_type=ticket_type,
        price=Money(amount=price, currency="BRL"),
        fee=Money(amount=fee, currency="BRL") if fee is not None else None,
    )


def booking(code: str, *tickets: Ticket, **changes) -> AllocationBooking:
    base = {
        "code": code,
        "status": "confirmed",
        "tickets": tickets,
        "confirmed_at": START - timedelta(hours=5),
        "cancelled_at": None,
        "show_id": "shw_a",
        "pos_show_ref": "S-1001",
        "start_at": START,
        "business_date": DAY,
        "timezone": "America/Sao_Paulo",
        "screen_id": "scr_1",
        "screen_name": "Sala 1",
    }
    return AllocationBooking(**{**base, **changes})


def test_one_line_per_seat_in_local_time_with_cancelled_seats_marked():
    sold = booking("MQ2", ticket("1-10-2"), ticket("1-10-1", 1600, "half", fee=250))
    cancelled = booking(
        "MQ1",
        ticket("1-10-2"),
        confirmed_at=START - timedelta(hours=8),
        status="cancelled",
        cancelled_at=START - timedelta(hours=6, minutes=30),
    )
    lines = sale_lines([sold, cancelled])
    assert [(ln.seat_id, ln.booking_code, ln.status) for ln in lines] == [
        ("1-10-1", "MQ2", "sold"),
        ("1-10-2", "MQ1", "cancelled"),  # sold first, cancelled, then sold again below
        ("1-10-2", "MQ2", "sold"),
    ]
    half = lines[0]
    assert half.show_start == "2026-12-06T19:00:00-03:00"
    assert half.sold_at == "2026-12-06T14:00:00-03:00"
    assert (half.price, half.fee, half.currency) == ("16.00", "2.50", "BRL")
    assert half.ticket_type == "half"
    assert lines[1].cancelled_at == "2026-12-06T12:30:00-03:00"
    assert lines[2].cancelled_at == ""


def test_the_file_has_a_header_and_stable_columns():
    body = render_csv(sale_lines([booking("MQ1", ticket("1-10-1"))]))
    text = body.decode("utf-8")
    assert text.split("\r\n") == [
        ",".join(COLUMNS),
        "2026-12-06,shw_a,S-1001,2026-12-06T19:00:00-03:00,scr_1,Sala 1,1-10-1,10-1,MQ1,adult,"
        "standard,32.00,,BRL,sold,2026-12-06T14:00:00-03:00,",
        "",
    ]
    assert render_csv([]) == (",".join(COLUMNS) + "\r\n").encode()


def test_names_with_commas_and_accents_are_quoted_utf8():
    body = render_csv(sale_lines([booking("MQ1", ticket("1-1-1"), screen_name="Sala 1, Térreo")]))
    assert '"Sala 1, Térreo"' in body.decode("utf-8")
    assert not body.startswith(b"\xef\xbb\xbf")  # no byte-order mark: a POS reads the header


def test_a_show_unknown_to_the_pos_has_an_empty_reference():
    [line] = sale_lines([booking("MQ1", ticket("1-1-1"), pos_show_ref=None)])
    assert line.pos_show_ref == ""


def test_report_days():
    assert report_days(DAY) == (DAY, DAY)
    assert report_days(DAY, DAY + timedelta(days=30)) == (DAY, DAY + timedelta(days=30))
    with pytest.raises(InvalidReportDays, match="before"):
        report_days(DAY, DAY - timedelta(days=1))
    with pytest.raises(InvalidReportDays, match="at most 31 days"):
        report_days(DAY, DAY + timedelta(days=31))


def test_report_path_names_the_day():
    assert report_path("/inbox/marquee-sales-{date:%Y%m%d}.csv", DAY) == (
        "/inbox/marquee-sales-20261206.csv"
    )
    assert report_path("/inbox/{date}/sales.csv", DAY) == "/inbox/2026-12-06/sales.csv"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, "must be a file path"),
        ("", "must be a file path"),
        ("inbox/sales-{date:%Y%m%d}.csv", "must be absolute"),
        ("/inbox/sales.csv", "must name the day"),
        ("/inbox/sales-{day}.csv", "cannot be filled in"),
        ("/inbox/sales-{date:%Y%m%d", "cannot be filled in"),
        ("/inbox/{date:%Y%m%d}/", "must name a file"),
    ],
)
def test_a_report_path_that_cannot_name_a_days_file_is_refused(path, message):
    found = report_path_problem(path)
    assert found is not None and message in found


ALLOCATION = {"online_sales": "allocation", "allocation": {"*": ["1-1-1"]}}
REPORT = {"path": "/inbound/marquee-sales-{date:%Y%m%d}.csv"}


def test_sales_report_settings_are_checked_with_the_selling_settings():
    export = frozenset({"export"})
    assert problems({**ALLOCATION, "sales_report": REPORT}, export, "csv_sftp") == []
    assert sales_report_path({**ALLOCATION, "sales_report": REPORT}) == REPORT["path"]
    assert problems({"sales_report": REPORT}, export, "csv_sftp") == [
        "`sales_report` is read only with online_sales 'allocation', not 'closed'"
    ]
    assert sales_report_path({"sales_report": REPORT}) is None
    [found] = problems({**ALLOCATION, "sales_report": REPORT}, export, "rest")
    assert "needs the csv_sftp adapter, not 'rest'" in found
    [found] = problems({**ALLOCATION, "sales_report": "/inbound/x.csv"}, export, "csv_sftp")
    assert found.startswith("sales_report must be {")
    [found] = problems({**ALLOCATION, "sales_report": {**REPORT, "mode": "x"}}, export)
    assert found.startswith("sales_report must be {")
    [found] = problems({**ALLOCATION, "sales_report": {"path": "/x.csv"}}, export)
    assert "must name the day" in found
    assert sales_report_path({**ALLOCATION, "sales_report": {"path": "/x.csv"}}) is None
