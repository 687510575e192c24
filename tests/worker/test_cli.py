"""`marquee worker` as an operator runs it: the production composition (settings from the
environment, SQL unit of work, connectors' link resolver, file notifier) on a SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from booking.services import BookingService
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from notifications import FileChannel
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store import outbox as sql
from store.engine import make_engine

from .world import seed

MARQUEE = Path(sys.executable).with_name("marquee")


def _marquee(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(MARQUEE), "worker", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done


def test_relay_once_status_failed_and_requeue(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, notify_dir=tmp_path / "notify", var_dir=tmp_path)
    engine = make_engine(sqlite_url)
    seed(engine, settings)
    # A native theatre: nothing to forward, the e-ticket goes out at once.
    services = BookingService(
        uow=build_hub(settings, engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
    )
    hold = services.place_hold("shw_sample", ["B3"], customer_id="cus_en")
    booking = services.checkout(hold.id, "cus_en", details={"card_number": CARD_SUCCESS}).booking
    with engine.begin() as conn:
        sql.append(
            conn,
            event_id="evt_from_the_future",
            topic="SomethingNew",
            payload={},
            now=datetime.now(UTC),
        )
    env = {
        "DATABASE_URL": sqlite_url,
        "NOTIFY_DIR": str(settings.notifications.notify_dir),
        "VAR_DIR": str(tmp_path),
    }

    relayed = _marquee(env, "relay-once")
    assert relayed.returncode == 0, relayed.stderr
    report = json.loads(relayed.stdout.strip().splitlines()[-1])
    assert report["failed"] == 1 and report["delivered"] == report["claimed"] - 1 > 0
    [mail] = FileChannel(settings.notifications.notify_dir, "email").read()
    assert mail["kind"] == "booking_confirmed" and booking.code in mail["subject"]

    status = json.loads(_marquee(env, "status").stdout)
    assert status == {"pending": 0, "delivered": report["delivered"], "failed": 1}
    [failed] = [json.loads(line) for line in _marquee(env, "failed").stdout.splitlines()]
    assert failed["topic"] == "SomethingNew" and "no consumer knows" in failed["error"]
    assert _marquee(env, "requeue", str(failed["id"])).returncode == 0
    assert json.loads(_marquee(env, "status").stdout)["pending"] == 1
    assert _marquee(env, "requeue", "999999").returncode == 1
    engine.dispose()
