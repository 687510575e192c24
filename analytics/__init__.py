"""The analytics service: business facts taken from the outbox's domain events and from tracked
customer activity (show pages, seat maps, searches), kept as aggregated tables in the database
and maintained incrementally; rebuildable from scratch; exportable to Parquet.

- `facts`: an event (outbox message or tracked activity) -> one `Fact` with its dimensions.
- `aggregate`: a fact -> increments of the aggregate tables, applied in one upsert per row.
- `ingest`: the idempotent path every fact takes (outbox consumer, tracker, rebuild).
- `queries`: the KPIs the partner and admin APIs serve.
"""
