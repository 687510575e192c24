"""A flash sale through the load balancer while one part of the cluster fails; afterwards the
database must show no seat sold twice, no double charge, no confirmed booking lost."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request

import pytest

from bench.cluster_sale import BROKEN_IF_NONZERO, create_sale, invariants, run_sale
from tests.cluster.conftest import ctl, report, wait_outbox_drained

# A drill waits for a failover, a rejoin and the outbox to drain on a shared machine.
pytestmark = pytest.mark.timeout(900)

CUSTOMERS = 500
RATE = 20.0  # customers per second: the sale lasts ~25 s, longer than any fault below
PG_HOSTS = ("pg1", "pg2", "pg3")
PG_IP = {"pg1": "10.213.0.31", "pg2": "10.213.0.32", "pg3": "10.213.0.33"}


def sale(engine, env):
    show_id, tokens = create_sale(engine, env, CUSTOMERS)
    return show_id, tokens


def assert_sound(engine, show_id: str, stats) -> dict:
    wait_outbox_drained(engine)
    result = invariants(engine, show_id, stats.confirmed)
    broken = {k: result[k] for k in BROKEN_IF_NONZERO if result[k]}
    assert not broken, result
    assert stats.confirmed, "no booking confirmed at all"
    assert not stats.gave_up, f"customers gave up: {stats.gave_up}"
    assert not any(code.endswith(" 500") for code in stats.codes), stats.codes
    return result


def patroni(host: str, path: str = "patroni") -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{PG_IP[host]}:8008/{path}", timeout=0.5) as r:
            return json.loads(r.read())
    except Exception:  # noqa: BLE001 - a dead or partitioned host does not answer
        return None


def leader() -> str | None:
    for host in PG_HOSTS:
        info = patroni(host)
        if info and info.get("role") in ("master", "primary") and info["state"] == "running":
            return host
    return None


def wait_replicas_streaming(seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        host = leader()
        info = patroni(host, "cluster") if host else None
        if info:
            members = info["members"]
            streaming = [
                m
                for m in members
                if m["role"] != "leader" and m["state"] in ("streaming", "running")
            ]
            if len(members) == 3 and len(streaming) == 2 and all("lag" in m for m in streaming):
                return
        time.sleep(1)
    raise AssertionError(f"replicas did not rejoin: {patroni(leader() or 'pg1', 'cluster')}")


def test_flash_sale_through_load_balancer(engine, env) -> None:
    """No fault: the figures the drills below are read against."""
    show_id, tokens = sale(engine, env)
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE))
    result = assert_sound(engine, show_id, stats)
    assert result["pending_bookings"] == 0, result
    assert result["sold_seats"] > 0, result
    report("flash sale through the load balancer, no fault", {**stats.summary(), **result})


def test_kill_api_host_mid_sale(engine, env, after) -> None:
    show_id, tokens = sale(engine, env)
    after(8, lambda: ctl("kill", "api1"))
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE))
    ctl("start", "api1")
    ctl("sweep")  # holds the killed host left behind expire; no booking stays pending
    result = assert_sound(engine, show_id, stats)
    assert result["pending_bookings"] == 0, result
    report("kill api1 mid-sale", {**stats.summary(), **result})


def test_kill_postgres_primary_mid_sale(engine, env, after) -> None:
    show_id, tokens = sale(engine, env)
    old = leader()
    assert old, "no primary before the drill"
    times: dict[str, float] = {}

    def crash_primary() -> None:
        times["killed"] = time.monotonic()
        ctl("kill", old)
        while time.monotonic() - times["killed"] < 60:
            new = leader()
            if new and new != old:
                times["promoted"] = time.monotonic()
                times["new"] = new  # type: ignore[assignment]
                return
            time.sleep(0.1)

    after(8, crash_primary)
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE, patience=90))
    assert "promoted" in times, "Patroni promoted no replica within 60 s"
    first_ok_after = min(
        (t for t, ok in stats.outcomes if ok and t > times["promoted"]), default=None
    )
    result = assert_sound(engine, show_id, stats)
    ctl("start", old)  # the old primary rejoins as a replica (pg_rewind)
    wait_replicas_streaming()
    figures = {
        "old_primary": old,
        "new_primary": times["new"],
        "promotion_s": round(times["promoted"] - times["killed"], 1),
        "api_recovered_s": round(first_ok_after - times["killed"], 1) if first_ok_after else None,
        "longest_gap_between_successes_s": round(stats.longest_gap(), 1),
        **stats.summary(),
        **result,
    }
    report("kill the PostgreSQL primary mid-sale", figures)
    assert result["confirmed_seen_by_customers_but_lost"] == 0


def test_partition_sync_standby_and_heal(engine, env, after) -> None:
    """The synchronous standby drops off the network: commits wait until Patroni names the
    other replica synchronous, then go on; healed, the host catches up."""
    show_id, tokens = sale(engine, env)
    primary = leader()
    cluster = patroni(primary, "cluster") if primary else None
    assert cluster
    sync = next(m["name"] for m in cluster["members"] if m["role"] == "sync_standby")
    after(6, lambda: ctl("partition", sync))
    after(18, lambda: ctl("heal", sync))
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE, patience=90))
    result = assert_sound(engine, show_id, stats)
    wait_replicas_streaming()
    report(
        f"partition the synchronous standby ({sync}) for 12 s",
        {
            "longest_gap_between_successes_s": round(stats.longest_gap(), 1),
            **stats.summary(),
            **result,
        },
    )


def test_partition_api_host_and_heal(engine, env, after) -> None:
    show_id, tokens = sale(engine, env)
    after(6, lambda: ctl("partition", "api2"))
    after(16, lambda: ctl("heal", "api2"))
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE))
    result = assert_sound(engine, show_id, stats)
    report("partition api2 for 10 s", {**stats.summary(), **result})


def test_kill_worker_mid_delivery(engine, env, after) -> None:
    # Start from an empty outbox, so what is left afterwards is this drill's.
    assert wait_outbox_drained(engine, 300) == 0, "the outbox did not drain before the drill"
    show_id, tokens = sale(engine, env)
    after(8, lambda: ctl("kill", "worker1"))
    after(14, lambda: ctl("start", "worker1"))
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE))
    left = wait_outbox_drained(engine, 300)
    assert left == 0, f"{left} outbox rows undelivered after the worker came back"
    result = assert_sound(engine, show_id, stats)
    report("kill worker1 mid-delivery", {**stats.summary(), **result, "outbox_pending": left})


def test_restart_redis_mid_sale(engine, env, after) -> None:
    show_id, tokens = sale(engine, env)

    def restart() -> None:
        ctl("kill", "redis")
        time.sleep(2)
        ctl("start", "redis")

    after(8, restart)
    stats = asyncio.run(run_sale(show_id, tokens, rate=RATE))
    # Celery's broker was Redis: the worker reconnects and beat's next relay delivers the rest.
    left = wait_outbox_drained(engine, 300)
    assert left == 0, f"{left} outbox rows undelivered after Redis came back"
    result = assert_sound(engine, show_id, stats)
    report("restart redis mid-sale", {**stats.summary(), **result})
