"""A real Celery worker (subprocess, solo pool, embedded beat) on a real Redis, delivering outbox
events from a real PostgreSQL database to a loopback legacy POS.

The test that matters: the worker is SIGKILLed while the POS is in the middle of committing the
sale (the POS has recorded it and has not answered yet). A second worker starts; the delivery is
redone (Redis's visibility timeout and the outbox lease both bring it back), and the POS, asked
again with the same idempotency key, answers without selling again. Exactly one effect.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from booking.clock import SystemClock
from booking.services import BookingService
from canonical.orders import BookingStatus
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from notifications import FileChannel
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store import outbox as sql
from store.engine import make_engine
from store.tables import outbox, processed_messages

from .loopback_pos import HttpPosLink, LoopbackPos
from .world import seed

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def _wait(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Workers:
    """Start and kill `celery worker` subprocesses, each in its own process group (the embedded
    beat is a child process: a SIGKILL must take it down too)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.procs) + 1}.log").open("wb")
        proc = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "marquee.worker.celery_app",
                "worker",
                "--pool=solo",
                "--beat",
                "--loglevel=INFO",
                f"--hostname=w{len(self.procs) + 1}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        proc.wait(20)

    def log(self, n: int) -> str:
        return (self.logs / f"worker-{n}.log").read_text(errors="replace")

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)


@pytest.fixture
def setup(fresh_pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[dict]:
    settings = Settings(
        database_url=fresh_pg_url, notify_dir=tmp_path / "notify", var_dir=tmp_path / "var"
    )
    engine = make_engine(fresh_pg_url, pool_size=2)
    seed(engine, settings)
    pos = LoopbackPos().start()
    link = HttpPosLink(pos.url, timeout=5)
    services = BookingService(
        uow=build_hub(settings, engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=lambda theatre: link,
        clock=SystemClock(),
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": fresh_pg_url,
        "REDIS_URL": redis_url,
        "TASK_MODE": "celery",
        "NOTIFY_DIR": str(settings.notifications.notify_dir),
        "VAR_DIR": str(settings.files.var_dir),
        "THEATRE_LINKS": "tests.worker.loopback_pos:link_resolver",
        "LOOPBACK_POS_URL": pos.url,
        # Short enough for a test; both bring back a delivery a dead worker never finished.
        "OUTBOX_LEASE_SECONDS": "4",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "RELAY_INTERVAL_SECONDS": "0.5",
        "OUTBOX_RETRY_BASE_SECONDS": "0.5",
    }
    workers = Workers(env, tmp_path)
    yield {
        "engine": engine,
        "pos": pos,
        "services": services,
        "workers": workers,
        "settings": settings,
    }
    workers.close()
    pos.stop()
    engine.dispose()


def _book(services: BookingService) -> str:
    hold = services.place_hold("shw_sample", ["C5", "C6"], customer_id="cus_ta")
    return services.checkout(hold.id, "cus_ta", details={"card_number": CARD_SUCCESS}).booking.id


def _confirmed_row(engine) -> sql.OutboxMessage:
    with engine.connect() as conn:
        event_id = conn.execute(
            select(outbox.c.event_id).where(outbox.c.topic == "BookingConfirmed")
        ).scalar_one()
        message = sql.by_event_id(conn, event_id)
    assert message is not None
    return message


def test_killed_mid_pos_commit_the_outbox_delivers_exactly_one_effect(setup) -> None:
    engine, pos, services, workers = (
        setup["engine"],
        setup["pos"],
        setup["services"],
        setup["workers"],
    )
    pos.state.slow_confirms = 1  # the first commit is recorded, then the POS dawdles
    pos.state.confirm_delay = 20
    booking_id = _book(services)

    first = workers.start()
    _wait(pos.state.confirm_started.is_set, 60, "the worker to start the POS commit")
    time.sleep(0.3)  # well inside the POS's 20 s: the worker is waiting for the answer
    workers.kill(first)  # SIGKILL to the whole process group: no goodbye, no ack

    assert list(pos.state.sales) == [f"sale:{booking_id}"]  # the POS did sell...
    assert services.get_booking(booking_id).remote_ref is None  # ...we never heard back
    assert _confirmed_row(engine).delivered_at is None

    second = workers.start()
    _wait(
        lambda: _confirmed_row(engine).delivered_at is not None,
        60,
        "the restarted worker to deliver BookingConfirmed",
    )
    _wait(
        lambda: FileChannel(setup["settings"].notifications.notify_dir, "email").read(),
        20,
        "the e-ticket",
    )
    workers.kill(second, signal.SIGTERM)

    # Exactly one effect at the POS, although it was asked at least twice.
    assert list(pos.state.sales) == [f"sale:{booking_id}"]
    assert pos.state.confirm_calls() >= 2, workers.log(2)
    booking = services.get_booking(booking_id)
    assert booking.status == BookingStatus.CONFIRMED and booking.remote_ref == "ORD1|PN1"
    with engine.connect() as conn:
        topics = list(conn.execute(select(outbox.c.topic)).scalars())
        commits = conn.execute(
            select(func.count())
            .select_from(processed_messages)
            .where(processed_messages.c.consumer == "booking.handlers.commit_sale")
        ).scalar_one()
        failed = sql.counts(conn)["failed"]
    assert topics.count("SaleCommitted") == 1 and commits == 1 and failed == 0
    mails = FileChannel(setup["settings"].notifications.notify_dir, "email").read()
    assert [(m["kind"], m["language"]) for m in mails] == [("booking_confirmed", "ta")]


def test_celery_worker_retries_and_finally_fails_without_losing_the_event(setup) -> None:
    engine, pos, services, workers = (
        setup["engine"],
        setup["pos"],
        setup["services"],
        setup["workers"],
    )
    booking_id = _book(services)
    pos.state.down = True
    setup["workers"].env["OUTBOX_MAX_ATTEMPTS"] = "3"
    worker = workers.start()
    _wait(
        lambda: _confirmed_row(engine).failed_at is not None,
        60,
        "BookingConfirmed to run out of attempts",
    )
    workers.kill(worker, signal.SIGTERM)

    message = _confirmed_row(engine)
    assert message.attempts == 3 and "PosUnavailable" in (message.last_error or "")
    assert pos.state.confirm_calls() == 3 and not pos.state.sales
    assert services.get_booking(booking_id).status == BookingStatus.FAILED
    with engine.connect() as conn:
        topics = list(conn.execute(select(outbox.c.topic)).scalars())
    assert "SaleCommitFailed" in topics and "RefundRequested" in topics
