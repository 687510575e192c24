"""The fact log exported to Parquet and read back with DuckDB gives the API's numbers; exporting
again replaces the day's file instead of adding to it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from analytics.export import export_parquet

CARD_OK = {"card_number": "4242424242424242"}


def test_parquet_export_reads_back_in_duckdb_with_the_same_numbers(any_world, tmp_path):
    api = any_world.api
    c = api.client
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    totals = {}
    for theatre in ("thr_chennai_marina", "thr_london_soho"):
        show = c.get("/v1/shows", params={"theatre_id": theatre, "date": day}).json()["items"][0]
        c.get(f"/v1/shows/{show['id']}/seat-map")
        auth = api.auth("cust-a@test.example")
        hold = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 2}).json()
        paid = c.post(
            "/v1/checkout", headers=auth, json={"hold_id": hold["id"], "payment": CARD_OK}
        )
        assert paid.status_code == 201, paid.text
        total = paid.json()["booking"]["total"]
        totals[total["currency"]] = total["amount"]
    any_world.deliver()

    staff = api.auth("admin@test.example")
    money = c.get("/v1/admin/analytics/summary", headers=staff).json()["money"]
    assert {m["currency"]: m["revenue"] for m in money} == totals

    out = tmp_path / "export"
    first = export_parquet(api.hub.engine, out)
    assert first.rows > 0
    again = export_parquet(api.hub.engine, out)
    assert (again.rows, again.days) == (first.rows, first.days)
    files = sorted(out.glob("events/day=*/events.parquet"))
    assert len(files) == first.days

    glob = str(out / "events" / "*" / "*.parquet")
    db = duckdb.connect()
    revenue = db.execute(
        "SELECT currency, sum(amount) FROM read_parquet(?, hive_partitioning = true) "
        "WHERE kind = 'BookingConfirmed' GROUP BY currency ORDER BY currency",
        [glob],
    ).fetchall()
    assert dict(revenue) == totals
    rows, views, tickets = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE kind = 'seat_map_view'), "
        "sum(quantity) FILTER (WHERE kind = 'BookingConfirmed') "
        "FROM read_parquet(?, hive_partitioning = true)",
        [glob],
    ).fetchone()
    assert (rows, views, tickets) == (first.rows, 2, 4)
    # The partition column comes from the folder names.
    days = db.execute(
        "SELECT DISTINCT CAST(day AS VARCHAR) FROM read_parquet(?, hive_partitioning = true)",
        [glob],
    ).fetchall()
    assert len(days) == first.days
