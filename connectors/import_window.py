"""The days an import asked for. Some POSes take a date range (soapbox's GetSessions); others
list every show they have (restline's sessions, reelfeed's schedule file), so the import keeps
only the shows of the window it was asked for (`marquee sync catalog --days N`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from canonical import Show


def beyond_window(show: Show, window: dict[str, Any]) -> bool:
    """True for a show after the import window: its business day is on or after the window's
    end (`to_date`, exclusive), and it starts after the UTC midnight that ends the schedule
    sweep's window, so a show the sweep looks at is always one the import listed."""
    end = window.get("to_date")
    start = window.get("from_date")
    if not end:
        return False
    last = date.fromisoformat(end)
    days = (last - date.fromisoformat(start)).days if start else 0
    sweep_end = datetime.combine(date.today() + timedelta(days=days), time(0), tzinfo=UTC)
    return show.business_date >= last and show.start >= sweep_end
