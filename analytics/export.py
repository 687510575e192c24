"""Export of the fact log to Parquet, for a deployment whose analytics outgrow PostgreSQL: the
files are read as they are by DuckDB, ClickHouse, Spark or pandas.

Layout: `<out>/events/day=YYYY-MM-DD/events.parquet`, one file per local business day (Hive-style
partitioning, so engines prune by day). Exporting a day again replaces its file atomically
(written beside it, then renamed), so a nightly export of "yesterday and today" is idempotent.

    SELECT city, currency, sum(amount) FROM read_parquet('out/events/*/*.parquet',
        hive_partitioning = true) WHERE kind = 'BookingConfirmed' GROUP BY ALL;
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from store.tables_analytics import analytics_events

COLUMNS = [
    "event_id",
    "source",
    "kind",
    "occurred_at",
    "hour",
    "theatre_id",
    "screen_id",
    "movie_id",
    "show_id",
    "city",
    "country",
    "language",
    "format",
    "customer_id",
    "booking_id",
    "currency",
    "amount",
    "quantity",
    "reason",
    "latency_ms",
    "payload",
]


def schema():
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("event_id", text),
            ("source", text),
            ("kind", text),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("hour", pa.int16()),
            ("theatre_id", text),
            ("screen_id", text),
            ("movie_id", text),
            ("show_id", text),
            ("city", text),
            ("country", text),
            ("language", text),
            ("format", text),
            ("customer_id", text),
            ("booking_id", text),
            ("currency", text),
            ("amount", pa.int64()),  # minor units of `currency`
            ("quantity", pa.int32()),
            ("reason", text),
            ("latency_ms", pa.float64()),
            ("payload", text),  # the original event, as JSON
        ]
    )


@dataclass
class ExportReport:
    days: int = 0
    rows: int = 0
    files: list[str] = field(default_factory=list)


def export_parquet(
    engine: Engine, out: Path, *, date_from: date | None = None, date_to: date | None = None
) -> ExportReport:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as missing:  # pragma: no cover - depends on the installation
        raise RuntimeError("Parquet export needs pyarrow: pip install 'marquee[analytics]'") from (
            missing
        )
    e = analytics_events.c
    report = ExportReport()
    arrow_schema = schema()
    with engine.connect() as conn:
        days_q = select(e.day).distinct().order_by(e.day)
        if date_from is not None:
            days_q = days_q.where(e.day >= date_from)
        if date_to is not None:
            days_q = days_q.where(e.day <= date_to)
        days = list(conn.execute(days_q).scalars())
        for day in days:
            rows = conn.execute(
                select(*(e[c] for c in COLUMNS))
                .where(e.day == day)
                .order_by(e.occurred_at, e.event_id)
            ).all()
            columns = {c: [getattr(r, c) for r in rows] for c in COLUMNS}
            columns["payload"] = [json.dumps(p, sort_keys=True) for p in columns["payload"]]
            table = pa.Table.from_pydict(columns, schema=arrow_schema)
            folder = out / "events" / f"day={day.isoformat()}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / "events.parquet"
            partial = folder / ".events.parquet.partial"
            pq.write_table(table, partial, compression="zstd")
            os.replace(partial, target)
            report.days += 1
            report.rows += len(rows)
            report.files.append(str(target))
    return report
