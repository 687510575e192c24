"""Consumers that report to the theatre: after a sale or a cancellation at a theatre whose
connector sells an allocation with a `sales_report`, the business day's sales file is uploaded
to the theatre's SFTP server (connectors/sales_report.py).

A remote consumer: the upload happens, then the processed-message record. A crash in between
uploads the same day again on redelivery, which is harmless (the file is the whole day); a
failed upload raises, and the relay retries the event with its back-off.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine

from booking import events as ev
from connectors.sales_report import reporting_connector, upload_for_show
from marquee.worker.consumers import Consumer, remote
from marquee.worker.relay import Undeliverable
from store.outbox import OutboxMessage

ALLOCATION_SALES = "marquee.worker.reports.allocation_sales"


def report_consumers(engine: Engine, secrets_file: Path | None = None) -> list[Consumer]:
    def upload(message: OutboxMessage) -> None:
        try:
            event = ev.from_message(message.topic, message.payload)
        except ValueError as bad:
            raise Undeliverable(f"cannot rebuild {message.topic}: {bad}") from bad
        assert isinstance(event, ev.BookingConfirmed | ev.BookingCancelled)
        upload_for_show(engine, event.theatre_id, event.show_id, secrets_file)

    def applies(message: OutboxMessage, conn: Connection) -> bool:
        # Most sales are at theatres that send no report: one read, nothing recorded.
        theatre_id = message.payload.get("theatre_id")
        if not isinstance(theatre_id, str):
            return True  # `upload` explains what is wrong with it
        return reporting_connector(conn, theatre_id) is not None

    return [
        remote(
            ALLOCATION_SALES,
            {ev.BookingConfirmed.name, ev.BookingCancelled.name},
            upload,
            applies,
        )
    ]
