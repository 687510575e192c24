"""restline speaks docs/legacy-systems.md section 1 over real HTTP on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from simulators.restline import RestlineSimulator

SEAT = {"AreaNumber": 1, "RowIndex": 1, "ColumnIndex": 3}
SEAT_T = (1, 1, 3)


@pytest.fixture
def sim() -> Iterator[RestlineSimulator]:
    with RestlineSimulator(seed=1, cinemas=2, screens=2, shows_per_day=3, days=2) as s:
        yield s


@pytest.fixture
def http(sim: RestlineSimulator) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["X-Restline-Token"] = sim.token
        yield session


def get(http: requests.Session, sim: RestlineSimulator, path: str, **params: Any) -> dict:
    response = http.get(sim.base_url + path, params=params, timeout=5)
    assert response.status_code == 200
    return response.json()


def post(http: requests.Session, sim: RestlineSimulator, path: str, body: Any) -> dict:
    data = body if isinstance(body, bytes) else json.dumps(body)
    response = http.post(
        sim.base_url + path, data=data, timeout=5, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    return response.json()


def order(key: str, seats: list[dict] | None = None, hold: int = 480) -> dict:
    return {
        "UserSessionId": key,
        "CinemaId": "C01",
        "SessionId": "10000",
        "Seats": seats or [SEAT],
        "HoldSeconds": hold,
    }


def test_catalog_matches_the_contract(sim: RestlineSimulator, http: requests.Session) -> None:
    cinemas = get(http, sim, "/cinemas")
    assert cinemas["Result"] == 0 and cinemas["TotalPages"] == 1
    assert cinemas["Items"][0] == {
        "CinemaId": "C01",
        "Name": "Restline Velachery",
        "City": "Chennai",
        "CountryCode": "IN",
        "TimeZone": "Asia/Kolkata",
        "Currency": "INR",
        "DefaultLanguage": "ta",
        "Address": "10 Restline Velachery Road, Chennai",
    }
    assert cinemas["Items"][1]["City"] == "Bengaluru"

    films = get(http, sim, "/films")["Items"]
    kaala = next(f for f in films if f["FilmCode"] == "HO00000720")
    assert kaala["Title"] == "காலா வேட்டை" and kaala["OriginalLanguage"] == "ta"
    assert kaala["Genres"] == "Action|Drama"
    assert kaala["OpeningDate"].startswith("/Date(") and kaala["OpeningDate"].endswith("+0530)/")
    translations = get(http, sim, "/films/translations")["Items"]
    assert {
        "FilmCode": "HO00000720",
        "LanguageTag": "ta",
        "Title": "காலா வேட்டை",
        "Synopsis": "ஒரு வேட்டைக்காரனின் கடைசி இரவு.",
    } in translations
    assert any(t["LanguageTag"] == "hi-IN" for t in translations)

    screens = get(http, sim, "/cinemas/C01/screens")["Items"]
    licensed = screens[0].pop("LicensedCapacity")
    assert screens[0] == {"ScreenNumber": 1, "ScreenName": "Audi 1", "Formats": "2D,3D"}

    layout = get(http, sim, "/cinemas/C01/screens/1/layout")
    assert layout["Result"] == 0 and layout["CinemaId"] == "C01"
    seats = [s for a in layout["Areas"] for r in a["Rows"] for s in r["Seats"]]
    styles = {s["Style"] for s in seats}
    assert styles == {"Normal", "Wheelchair", "Companion", "Sofa", "Broken"}
    sofas = [s for s in seats if s["Style"] == "Sofa"]
    assert all(s["GroupId"] for s in sofas) and len({s["GroupId"] for s in sofas}) * 2 == len(sofas)
    assert 0 < licensed < len(seats)  # the licence excludes a few seats of the plan
    first_row = layout["Areas"][0]["Rows"][0]
    assert first_row["PhysicalName"] == "A" and first_row["Seats"][0]["SeatId"] == "A1"

    sessions = get(http, sim, "/sessions", CinemaId="C01", PageSize=5)
    assert sessions["TotalPages"] == 3  # 2 screens x 3 shows x 2 days = 12 sessions
    s0 = sessions["Items"][0]
    assert s0["SessionId"] == "10000" and s0["Showtime"].endswith("+05:30")
    assert {p["AreaCategoryCode"] for p in s0["Prices"]} == {"0000000001", "0000000002"}
    assert s0["SessionStatus"] == "Open" and s0["BookingFeeInCents"] > 0
    assert (s0["OnlineSalesOpenMinutes"], s0["OnlineSalesAfterStartMinutes"]) == (20160, 15)
    assert (s0["SubtitleLanguage"] is None) == (s0["Language"] == "ta")
    last = get(http, sim, "/sessions", CinemaId="C01", PageSize=5, Page=3)["Items"]
    assert len(last) == 2
    # SessionId is unique per cinema only
    c02 = get(http, sim, "/sessions", CinemaId="C02", PageSize=1)["Items"][0]
    assert c02["SessionId"] == "10000" and c02["CinemaId"] == "C02"


def test_bad_token_is_http_200_with_result_11(sim: RestlineSimulator) -> None:
    response = requests.get(
        sim.base_url + "/cinemas", headers={"X-Restline-Token": "nope"}, timeout=5
    )
    assert response.status_code == 200
    assert response.json() == {"Result": 11, "ErrorDescription": "Invalid token"}


def test_order_hold_complete_cancel(sim: RestlineSimulator, http: requests.Session) -> None:
    created = post(http, sim, "/orders", order("u-1"))
    assert created["Result"] == 0 and created["OrderId"].startswith("ORD-")
    assert created["ExpiryUtc"].endswith("Z")
    assert sim.seat_status("C01", "10000", SEAT_T) == "held"
    seats = get(http, sim, "/cinemas/C01/sessions/10000/seats")["Seats"]
    assert {**SEAT, "SeatId": "B4", "Status": 2} in seats

    again = post(http, sim, "/orders", order("u-1"))  # idempotent by UserSessionId
    assert again == created

    other = post(http, sim, "/orders", order("u-2", [SEAT, {**SEAT, "ColumnIndex": 4}]))
    assert other["Result"] == 8 and other["UnavailableSeats"] == [SEAT]
    assert sim.seat_status("C01", "10000", (1, 1, 4)) == "free"  # all or nothing

    done = post(
        http,
        sim,
        f"/orders/{created['OrderId']}/complete",
        {"PaymentValueCents": 18000, "BookingRef": "MQ7K2P9X"},
    )
    assert done["Result"] == 0 and done["BookingNumber"].startswith("RB-")
    assert sim.seat_status("C01", "10000", SEAT_T) == "sold"

    assert post(http, sim, f"/orders/{created['OrderId']}/cancel", {}) == {"Result": 0}
    assert sim.seat_status("C01", "10000", SEAT_T) == "free"
    assert post(http, sim, "/orders/ORD-999999/cancel", {})["Result"] == 9


def test_hold_expires(sim: RestlineSimulator, http: requests.Session) -> None:
    created = post(http, sim, "/orders", order("u-exp", hold=60))
    sim.advance_clock(61)
    assert sim.seat_status("C01", "10000", SEAT_T) == "free"
    done = post(
        http,
        sim,
        f"/orders/{created['OrderId']}/complete",
        {"PaymentValueCents": 18000, "BookingRef": "MQ1"},
    )
    assert done["Result"] == 12


def test_seat_events_feed_and_webhook(
    sim: RestlineSimulator, http: requests.Session, receiver: Any
) -> None:
    sim.set_push_target(receiver.url, "s3cret")
    feed = get(http, sim, "/seat-events")
    assert feed == {"Result": 0, "Cursor": "0", "Events": []}
    started = time.monotonic()
    sim.box_office.sell("C01", "10000", [SEAT_T, (1, 1, 4)])
    received = receiver.wait(1)
    assert time.monotonic() - started < 2
    assert len(received) == 1
    push = received[0]
    # Timestamped: "t=<unix seconds>,v1=<hex HMAC of '<t>.' + body>".
    stamp, mac = (p.split("=", 1)[1] for p in push.headers["X-Restline-Signature"].split(","))
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + push.body, hashlib.sha256).hexdigest()
    assert mac == expected and abs(int(stamp) - time.time()) < 60
    body = json.loads(push.body)
    assert body == {
        "EventType": "SeatsChanged",
        "Seq": 2,
        "CinemaId": "C01",
        "SessionId": "10000",
        "Seats": [{**SEAT, "Status": 1}, {**SEAT, "ColumnIndex": 4, "Status": 1}],
    }

    feed = get(http, sim, "/seat-events", Since="0")
    assert feed["Cursor"] == "2" and [e["Seq"] for e in feed["Events"]] == [1, 2]
    assert feed["Events"][0]["Status"] == 1 and feed["Events"][0]["AtUtc"].endswith("Z")
    assert get(http, sim, "/seat-events", Since="2")["Events"] == []
    post(http, sim, "/orders", order("u-feed", [{**SEAT, "ColumnIndex": 5}]))
    events = get(http, sim, "/seat-events", Since="2")
    assert events["Cursor"] == "3" and events["Events"][0]["Status"] == 2
    assert len(receiver.received) == 1  # online holds are not pushed, only box-office changes


def test_admin_endpoint_sells_and_sets_knobs(sim: RestlineSimulator, receiver: Any) -> None:
    sim.set_push_target(receiver.url, "k")
    response = requests.post(
        f"{sim.admin_url}/boxoffice/sell",
        timeout=5,
        json={"CinemaId": "C01", "SessionId": "10000", "Seats": [SEAT]},
    )
    assert response.status_code == 200
    assert sim.seat_status("C01", "10000", SEAT_T) == "sold"
    assert len(receiver.wait(1)) == 1
    refused = requests.post(
        f"{sim.admin_url}/boxoffice/sell",
        timeout=5,
        json={"CinemaId": "C01", "SessionId": "10000", "Seats": [SEAT]},
    )
    assert refused.status_code == 409
    requests.post(f"{sim.admin_url}/knobs", json={"down": True}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.base_url + "/cinemas", timeout=2)
    requests.post(f"{sim.admin_url}/knobs", json={"down": False}, timeout=5)
    ok = requests.get(sim.base_url + "/cinemas", headers={"X-Restline-Token": sim.token}, timeout=5)
    assert ok.json()["Result"] == 0


def test_down_refuses_and_closes_open_connections(
    sim: RestlineSimulator, http: requests.Session
) -> None:
    assert get(http, sim, "/cinemas")["Result"] == 0  # a kept-alive connection is now open
    sim.set_knobs(down=True)
    with pytest.raises(requests.ConnectionError):
        http.get(sim.base_url + "/cinemas", timeout=2)
    sim.set_knobs(down=False)
    assert get(http, sim, "/cinemas")["Result"] == 0


def test_error_rate_gives_result_5_and_changes_nothing(
    sim: RestlineSimulator, http: requests.Session
) -> None:
    sim.set_knobs(error_rate=1.0)
    failed = post(http, sim, "/orders", order("u-err"))
    assert failed["Result"] == 5 and "ErrorDescription" in failed
    sim.set_knobs(error_rate=0.0)
    assert sim.seat_status("C01", "10000", SEAT_T) == "free"
    assert post(http, sim, "/orders", order("u-err"))["Result"] == 0  # the retry works

    sim.set_knobs(error_rate=0.5)
    results = [get(http, sim, "/cinemas")["Result"] for _ in range(40)]
    assert set(results) == {0, 5}


def test_latency(sim: RestlineSimulator, http: requests.Session) -> None:
    sim.set_knobs(latency_ms=150)
    started = time.monotonic()
    get(http, sim, "/cinemas")
    assert time.monotonic() - started >= 0.15


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        {"UserSessionId": "", "CinemaId": "C01", "SessionId": "10000", "Seats": [SEAT]},
        {"UserSessionId": "x", "CinemaId": "C99", "SessionId": "10000", "Seats": [SEAT]},
        {"UserSessionId": "x", "CinemaId": "C01", "SessionId": "99", "Seats": [SEAT]},
        {"UserSessionId": "x", "CinemaId": "C01", "SessionId": "10000", "Seats": []},
        {
            "UserSessionId": "x",
            "CinemaId": "C01",
            "SessionId": "10000",
            "Seats": [SEAT, {"AreaNumber": 1, "RowIndex": 0, "ColumnIndex": 99}],
        },
        {
            "UserSessionId": "x",
            "CinemaId": "C01",
            "SessionId": "10000",
            "Seats": [SEAT],
            "HoldSeconds": "ten",
        },
    ],
)
def test_malformed_orders_get_result_4_and_change_nothing(
    sim: RestlineSimulator, http: requests.Session, body: Any
) -> None:
    answer = post(http, sim, "/orders", body)
    assert answer["Result"] == 4 and answer["ErrorDescription"]
    assert sim.seat_status("C01", "10000", SEAT_T) == "free"
    assert sim.state.last_seq == 0


def test_bad_paging_and_unknown_resources(sim: RestlineSimulator, http: requests.Session) -> None:
    assert get(http, sim, "/cinemas", Page=0)["Result"] == 4
    assert get(http, sim, "/cinemas", PageSize="many")["Result"] == 4
    assert get(http, sim, "/nowhere")["Result"] == 4
    assert get(http, sim, "/seat-events", Since="abc")["Result"] == 4
    assert get(http, sim, "/cinemas/C01/screens/9/layout")["Result"] == 4
