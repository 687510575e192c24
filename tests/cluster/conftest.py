"""Fault drills against the local cluster (deploy/local): run with `make cluster-test` after
`make cluster`, as root. The ordinary suite skips them: they need the cluster and root."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# make cluster-test runs these drills from the cluster's copy of the code (var/cluster/app, the
# code the hosts run) and names the cluster's directory and the checkout's control script.
CTL = Path(os.environ.get("MARQUEE_CLUSTER_CTL") or ROOT / "deploy" / "local" / "cluster-ctl.sh")
CLUSTER_DIR = Path(os.environ.get("MARQUEE_CLUSTER_DIR") or ROOT / "var" / "cluster")
GATE = "MARQUEE_CLUSTER_TESTS"
# Figures of the drills of this session, printed together at the end (pytest_terminal_summary).
RESULTS: list[dict] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if os.environ.get(GATE) != "1":
        reason = f"cluster drills run only with {GATE}=1 (make cluster-test)"
    elif not (CLUSTER_DIR / "app.env").exists():
        reason = "no local cluster is running (make cluster)"
    elif os.geteuid() != 0:
        reason = "cluster drills inject faults into network namespaces: run as root"
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in Path(item.fspath).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


def ctl(*args: str, check: bool = True) -> str:
    done = subprocess.run(
        [str(CTL), *args], capture_output=True, text=True, check=False, timeout=120
    )
    if check and done.returncode:
        raise RuntimeError(f"cluster-ctl {' '.join(args)}: {done.stderr or done.stdout}")
    return done.stdout.strip()


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    from bench.cluster_sale import cluster_env

    return cluster_env(CLUSTER_DIR)


@pytest.fixture(scope="session")
def engine(env: dict[str, str]) -> Iterator:
    from bench.cluster_sale import primary_engine

    eng = primary_engine(env)
    yield eng
    eng.dispose()


@pytest.fixture
def after() -> Iterator[Callable[[float, Callable[[], None]], None]]:
    """after(seconds, action): run `action` that many seconds from now, in the background
    (the fault lands while the sale runs). Errors are raised at teardown."""
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []

    def schedule(seconds: float, action: Callable[[], None]) -> None:
        def run() -> None:
            time.sleep(seconds)
            try:
                action()
            except BaseException as err:  # noqa: BLE001 - reported at teardown
                errors.append(err)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)

    yield schedule
    for thread in threads:
        thread.join(timeout=180)
    if errors:
        raise errors[0]


def report(title: str, figures: dict) -> None:
    print(f"\n=== {title}\n{json.dumps(figures, indent=2, default=str)}")
    RESULTS.append({"drill": title, **figures})
    with (CLUSTER_DIR / "drill-results.jsonl").open("a") as out:
        out.write(json.dumps({"drill": title, **figures}, default=str) + "\n")


def summary_lines(results: list[dict]) -> list[str]:
    """The figures an operator reads after a run: the sale through the load balancer without
    a fault, the failover time, and one line per drill."""
    lines = []
    for r in results:
        retries = r.get("retries") or {}
        line = (
            f"{r['drill']}: {r['bookings_confirmed']} bookings confirmed in {r['seconds']} s "
            f"({r['bookings_per_s']}/s), {r['sold_seats']} seats sold, "
            f"hold p50 {r['hold_p50_ms']} ms / p99 {r['hold_p99_ms']} ms, "
            f"checkout p99 {r['checkout_p99_ms']} ms, "
            f"retries {sum(retries.values())}, 503+Retry-After {r['503_with_retry_after']}, "
            f"oversold {r['oversold_seats']}, lost {r['confirmed_seen_by_customers_but_lost']}"
        )
        lines.append(line)
        if "promotion_s" in r:
            lines.append(
                f"  FAILOVER TIME: {r['old_primary']} killed, {r['new_primary']} promoted after "
                f"{r['promotion_s']} s; first success through the load balancer "
                f"{r['api_recovered_s']} s after the kill"
            )
        if "longest_gap_between_successes_s" in r and "promotion_s" not in r:
            lines.append(
                f"  longest gap between successes {r['longest_gap_between_successes_s']} s"
            )
    return lines


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("cluster drills: figures (var/cluster/drill-results.jsonl)")
    for line in summary_lines(RESULTS):
        terminalreporter.write_line(line)


def wait_outbox_drained(engine, seconds: float = 90) -> int:
    """Wait for the worker to deliver every outbox row; returns the rows still pending."""
    from sqlalchemy import text

    deadline = time.monotonic() + seconds
    left = -1
    while time.monotonic() < deadline:
        try:
            with engine.connect() as conn:
                left = conn.execute(
                    text(
                        "select count(*) from outbox where delivered_at is null "
                        "and failed_at is null"
                    )
                ).scalar_one()
        except Exception:  # noqa: BLE001 - the primary may be switching
            left = -1
        if left == 0:
            return 0
        time.sleep(1)
    return left
