"""Back-office schedule changes in the simulators: a show re-issued under a new id
(`reschedule`) and a cancelled show (`cancel_session`), through the box office and /_sim."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import requests

from simulators.reelfeed import ReelfeedSimulator
from simulators.restline import RestlineSimulator
from simulators.soapbox import SoapboxSimulator
from simulators.state import SeatStatus, UnknownSession


def _listed(sim: RestlineSimulator) -> list[dict]:
    r = requests.get(
        f"{sim.base_url}/sessions",
        params={"PageSize": 1000},
        headers={"X-Restline-Token": sim.token},
        timeout=5,
    )
    assert r.status_code == 200 and r.json()["Result"] == 0
    return r.json()["Items"]


def test_restline_reschedule_keeps_show_and_seats_under_a_new_id() -> None:
    with RestlineSimulator(seed=1, cinemas=1, screens=2, shows_per_day=2, days=1) as sim:
        before = _listed(sim)
        old = before[0]
        sim.box_office.sell(old["CinemaId"], old["SessionId"], [(1, 1, 3)])
        new_id = sim.box_office.reschedule(old["CinemaId"], old["SessionId"])
        assert new_id != old["SessionId"]
        after = _listed(sim)
        ids = [s["SessionId"] for s in after]
        assert old["SessionId"] not in ids and new_id in ids and len(after) == len(before)
        moved = next(s for s in after if s["SessionId"] == new_id)
        for key in ("FilmCode", "ScreenNumber", "Showtime"):
            assert moved[key] == old[key]
        assert sim.seat_status(old["CinemaId"], new_id, (1, 1, 3)) == SeatStatus.SOLD
        with pytest.raises(UnknownSession):
            sim.seat_status(old["CinemaId"], old["SessionId"], (1, 1, 3))
        # Twice: the id changes again, the previous one disappears too.
        newer = sim.box_office.reschedule(old["CinemaId"], new_id)
        assert [s["SessionId"] for s in _listed(sim)].count(newer) == 1
        assert new_id not in [s["SessionId"] for s in _listed(sim)]


def test_restline_cancel_session_through_the_admin_route() -> None:
    with RestlineSimulator(seed=1, cinemas=1, screens=1, shows_per_day=3, days=1) as sim:
        victim = _listed(sim)[1]
        r = requests.post(
            f"{sim.admin_url}/boxoffice/cancel-session",
            timeout=5,
            json={"CinemaId": victim["CinemaId"], "SessionId": victim["SessionId"]},
        )
        assert r.status_code == 200, r.text
        listed = _listed(sim)
        assert len(listed) == 2 and victim["SessionId"] not in [s["SessionId"] for s in listed]
        again = requests.post(
            f"{sim.admin_url}/boxoffice/cancel-session",
            timeout=5,
            json={"CinemaId": victim["CinemaId"], "SessionId": victim["SessionId"]},
        )
        assert again.status_code == 400  # it is gone


def test_soapbox_reschedule_through_the_admin_route() -> None:
    with SoapboxSimulator(seed=1, cinemas=1, screens=1, shows_per_day=2, days=1) as sim:
        cinema = sim.state.cinemas[0]
        first = next(sim.state.sessions(cinema))
        r = requests.post(
            f"{sim.admin_url}/boxoffice/reschedule",
            timeout=5,
            json={"CinemaId": cinema.id, "SessionId": str(first.number)},
        )
        assert r.status_code == 200, r.text
        new_no = int(r.json()["SessionId"])
        numbers = [s.number for s in sim.state.sessions(cinema)]
        assert new_no in numbers and first.number not in numbers


def _schedule(root: Path) -> list[list[str]]:
    files = sorted((root / "outbound").glob("schedule_*.csv"))
    assert len(files) == 1  # one schedule file: the POS replaces it
    with open(files[0], encoding="latin-1", newline="") as f:
        return list(csv.reader(f, delimiter=";"))[1:]


def test_reelfeed_reschedule_and_cancel_rewrite_the_schedule(tmp_path: Path) -> None:
    with ReelfeedSimulator(
        seed=5,
        cinemas=1,
        screens=1,
        shows_per_day=3,
        days=1,
        root=tmp_path / "drop",
        snapshot_seconds=60,
    ) as sim:
        rows = _schedule(sim.root)
        site, old_id = rows[0][1], rows[0][0]
        new_id = sim.box_office.reschedule(site, old_id)
        assert new_id.startswith(old_id + "|")  # film, start and aud stay where they are
        ids = [r[0] for r in _schedule(sim.root)]
        assert new_id in ids and old_id not in ids and len(ids) == 3
        with pytest.raises(UnknownSession):
            sim.session_number(site, old_id)
        sim.box_office.sell(site, new_id, [(1, 1, 3)])
        snapshot = sim.write_snapshot_now()
        assert snapshot is not None and new_id in snapshot.read_text(encoding="latin-1")
        sim.box_office.cancel_session(site, rows[1][0])
        assert [r[0] for r in _schedule(sim.root)] == [new_id, rows[2][0]]
