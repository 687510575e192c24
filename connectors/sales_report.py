"""Delivering the allocation sales report to the theatre: the whole business day's file
(booking/allocation_sales.py) uploaded to the theatre's SFTP server, named by the connector's
`sales_report.path`, each time a sale or a cancellation of that day's shows happens.

Each upload is the whole day as the database has it at that moment, so uploading again is
harmless and a missed or failed upload is mended by the next one, or by the relay's retry of
the event that asked for it. Theatres that do not sell an allocation with a report cost one
read by primary key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from adapters.base import RemoteError
from booking.allocation_sales import render_csv, report_path, sale_lines
from connectors import selling
from connectors.connector import get_connector
from connectors.resilience import guarded
from store import allocation_sales as sql


def day_report(engine: Engine, connector_id: str, day_from: date, day_to: date) -> bytes:
    """The CSV of the connector's allocation sales on these business days."""
    with engine.connect() as conn:
        booked = sql.allocation_bookings(conn, connector_id, day_from, day_to)
    return render_csv(sale_lines(booked))


def upload_day(
    engine: Engine, connector_id: str, day: date, secrets_file: Path | None = None
) -> str | None:
    """Upload the day's report; the path written, or None when the connector sends none."""
    with engine.connect() as conn:
        settings = sql.connector_settings(conn, connector_id)
    template = selling.sales_report_path(settings or {})
    if template is None:
        return None
    body = day_report(engine, connector_id, day, day)
    connector = get_connector(engine, connector_id, secrets_file)
    upload = getattr(connector.adapter, "upload", None)
    if upload is None:  # registration refuses this; a plugin adapter may still lack it
        raise RemoteError(f"connector {connector_id}'s adapter cannot upload files")
    path = report_path(template, day)
    guarded(connector.id, connector.policy, lambda: upload(path, body), retry=True)
    return path


def upload_for_show(
    engine: Engine, theatre_id: str, show_id: str, secrets_file: Path | None = None
) -> str | None:
    """After a sale or cancellation for a show: upload its day's report if its theatre's
    connector sends one."""
    with engine.connect() as conn:
        connector_id = reporting_connector(conn, theatre_id)
        if connector_id is None:
            return None
        day = sql.show_business_date(conn, show_id)
    if day is None:
        return None
    return upload_day(engine, connector_id, day, secrets_file)


def reporting_connector(conn: Connection, theatre_id: str) -> str | None:
    """The id of the theatre's connector when it sends an allocation sales report, else None
    (a native theatre, or a connector without `sales_report`)."""
    linked = sql.theatre_connector(conn, theatre_id)
    if linked is None or selling.sales_report_path(linked[1]) is None:
        return None
    return linked[0]
