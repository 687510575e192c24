"""soapbox speaks docs/legacy-systems.md section 2; a zeep client built from its WSDL calls it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

from simulators.soapbox import NS, SoapboxSimulator

SEAT = {"AreaNumber": 1, "RowIndex": 1, "ColumnIndex": 3}
SEAT_T = (1, 1, 3)
OPERATIONS = {
    "GetCinemas",
    "GetFilms",
    "GetScreens",
    "GetSeatPlan",
    "GetSessions",
    "GetSessionSeatData",
    "AddTickets",
    "CompleteOrder",
    "CancelOrder",
}


@pytest.fixture
def sim() -> Iterator[SoapboxSimulator]:
    with SoapboxSimulator(seed=1, cinemas=2, screens=3, shows_per_day=3, days=2) as s:
        yield s


@pytest.fixture
def client(sim: SoapboxSimulator) -> Iterator[Any]:
    transport = zeep.Transport(timeout=5, operation_timeout=5)
    c = zeep.Client(sim.wsdl_url, transport=transport)
    yield c.service
    transport.session.close()


def add(
    client: Any, key: str, seats: list[dict] | None = None, minutes: int = 8, cinema: str = "1001"
) -> Any:
    return client.AddTickets(
        UserSessionId=key,
        CinemaId=cinema,
        SessionId="10000",
        HoldMinutes=minutes,
        SelectedSeats={"SelectedSeat": seats or [SEAT]},
    )


def raw(sim: SoapboxSimulator, body: bytes | str) -> requests.Response:
    data = body.encode() if isinstance(body, str) else body
    return requests.post(
        sim.endpoint, data=data, timeout=5, headers={"Content-Type": "text/xml; charset=utf-8"}
    )


def test_wsdl_describes_every_operation(sim: SoapboxSimulator) -> None:
    client = zeep.Client(sim.wsdl_url)
    binding = client.wsdl.services["TicketingService"].ports["TicketingServiceSoap"].binding
    assert set(binding._operations) == OPERATIONS
    assert client.wsdl.types.get_element(f"{{{NS}}}SeatStatusChanged") is not None
    assert client.service._binding_options["address"] == sim.endpoint


def test_catalog(sim: SoapboxSimulator, client: Any) -> None:
    cinemas = client.GetCinemas()
    assert cinemas.Result == "OK"
    zones = {c.CinemaId: (c.TimeZone, c.Currency) for c in cinemas.Cinemas.Cinema}
    assert zones == {"1001": ("Asia/Kolkata", "INR"), "1002": ("Europe/London", "GBP")}

    film = client.GetFilms().Films.Film[0]
    titles = {t.lang: t._value_1 for t in film.Titles.Title}
    assert titles["hi"] == "सुरों का सफ़र" and titles["ta"] == "இசைப் பயணம்"
    assert film.Genre == ["Drama", "Music"] and film.RunTime == 158

    screens = client.GetScreens(CinemaId="1001").Screens.Screen
    assert [s.ScreenNumber for s in screens] == [1, 2, 3]

    plans = [client.GetSeatPlan(CinemaId="1001", ScreenNumber=n).SeatPlan for n in (1, 2, 3)]
    rows = [r for p in plans for a in p.Areas.Area for r in a.Rows.Row]
    letters = {r.PhysicalName for r in rows}
    assert "I" not in letters and "O" not in letters
    assert {r.PhysicalName for r in rows if r.RowIndex == 8} == {"J"}
    for row in rows:  # numbered right to left: ColumnIndex 0 carries the highest label
        labels = [int(s.SeatLabel) for s in row.Seats.Seat]
        assert labels == sorted(labels, reverse=True) and labels[-1] == 1
        assert row.Seats.Seat[0].ColumnIndex == 0 and labels[0] == len(labels)
    seats = [s for r in rows for s in r.Seats.Seat]
    assert {s.Style for s in seats} == {"Normal", "Wheelchair", "Companion", "Sofa", "House"}
    sofa = next(s for s in seats if s.Style == "Sofa")
    assert len(sofa.SeatsInGroup.SeatPosition) == 2


def test_sessions_are_local_and_cinema_scoped(sim: SoapboxSimulator, client: Any) -> None:
    day = sim.state.start_date
    india = client.GetSessions(CinemaId="1001", FromDate=day, ToDate=day).Sessions.Session
    london = client.GetSessions(CinemaId="1002", FromDate=day, ToDate=day).Sessions.Session
    assert len(india) == 9  # 3 screens x 3 shows
    assert india[0].SessionId == london[0].SessionId == "10000"
    assert india[0].Showtime == datetime.combine(day, datetime.min.time()).replace(hour=9)
    assert india[0].Showtime.tzinfo is None  # wall-clock time without an offset
    prices = {
        (t.TicketTypeCode, t.AreaCategoryCode): t.Price for t in london[0].TicketTypes.TicketType
    }
    assert str(prices[("0001", "0000000001")]) == "10.00"
    two_days = client.GetSessions(CinemaId="1001", FromDate=day, ToDate=day + timedelta(1))
    assert len(two_days.Sessions.Session) == 18
    bad = client.GetSessions(CinemaId="1001", FromDate=day, ToDate=day - timedelta(1))
    assert bad.Result == "InvalidRequest"


def test_add_tickets_complete_cancel(sim: SoapboxSimulator, client: Any) -> None:
    added = add(client, "k-1")
    assert added.Result == "OK" and added.OrderId
    assert added.ExpiryDate.tzinfo is None
    india_now = datetime.now(sim.state.cinema("1001").tz).replace(tzinfo=None)
    assert timedelta(minutes=7) < added.ExpiryDate - india_now <= timedelta(minutes=8)
    data = client.GetSessionSeatData(CinemaId="1001", SessionId="10000").SeatData.Seat
    status = {(s.AreaNumber, s.RowIndex, s.ColumnIndex): s.Status for s in data}
    assert status[SEAT_T] == "Reserved" and "House" in status.values()
    assert sim.seat_status("1001", "10000", SEAT_T) == "held"
    assert sim.seat_status("1002", "10000", SEAT_T) == "free"  # another cinema's session

    assert add(client, "k-1").OrderId == added.OrderId  # idempotent by UserSessionId
    refused = add(client, "k-2", [SEAT, {**SEAT, "ColumnIndex": 4}])
    assert refused.Result == "SeatsUnavailable" and refused.OrderId is None
    assert [
        (s.AreaNumber, s.RowIndex, s.ColumnIndex) for s in refused.UnavailableSeats.SelectedSeat
    ] == [SEAT_T]

    done = client.CompleteOrder(OrderId=added.OrderId, BookingRef="MQ7K2P9X", PaymentValue="250.00")
    assert done.Result == "OK" and done.BookingNumber
    assert sim.seat_status("1001", "10000", SEAT_T) == "sold"
    assert client.CancelOrder(OrderId=added.OrderId).Result == "OK"
    assert sim.seat_status("1001", "10000", SEAT_T) == "free"
    assert client.CancelOrder(OrderId="nope").Result == "OrderNotFound"


def test_hold_expires(sim: SoapboxSimulator, client: Any) -> None:
    added = add(client, "k-exp", minutes=1)
    sim.advance_clock(61)
    assert sim.seat_status("1001", "10000", SEAT_T) == "free"
    late = client.CompleteOrder(OrderId=added.OrderId, BookingRef="X", PaymentValue="1.00")
    assert late.Result == "OrderExpired"


def test_box_office_sale_calls_back(sim: SoapboxSimulator, client: Any, receiver: Any) -> None:
    sim.set_push_target(receiver.url, "cb-key")
    started = time.monotonic()
    sim.box_office.sell("1002", "10000", [SEAT_T])
    (push,) = receiver.wait(1)
    assert time.monotonic() - started < 2
    assert push.headers["X-Soapbox-Key"] == "cb-key"
    body = etree.fromstring(push.body).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
    assert body.tag == f"{{{NS}}}SeatStatusChanged"
    value = (
        zeep.Client(sim.wsdl_url)
        .wsdl.types.get_element(f"{{{NS}}}SeatStatusChanged")
        .parse(body, None)
    )
    assert value.CinemaId == "1002" and value.SessionId == "10000" and value.Sequence == 1
    assert [(s.RowIndex, s.ColumnIndex, s.Status) for s in value.Seats.Seat] == [(1, 3, "Sold")]
    sold = client.GetSessionSeatData(CinemaId="1002", SessionId="10000").SeatData.Seat
    assert {(s.RowIndex, s.ColumnIndex): s.Status for s in sold}[(1, 3)] == "Sold"


def test_faults_and_knobs(sim: SoapboxSimulator, client: Any) -> None:
    sim.set_knobs(error_rate=1.0)
    with pytest.raises(Fault) as failed:
        add(client, "k-f")
    assert failed.value.code == "soap:Server"
    sim.set_knobs(error_rate=0.0)
    assert sim.seat_status("1001", "10000", SEAT_T) == "free"

    sim.set_knobs(down=True)
    with pytest.raises(requests.ConnectionError):
        client.GetCinemas()
    sim.set_knobs(down=False, latency_ms=100)
    started = time.monotonic()
    assert client.GetCinemas().Result == "OK"
    assert time.monotonic() - started >= 0.1


def _envelope(inner: str, prolog: str = "") -> str:
    return (
        f'{prolog}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:t="{NS}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    "body",
    [
        "this is not xml",
        "<unclosed>",
        "<Envelope/>",
        _envelope("<t:NoSuchOperation/>"),
        _envelope("<t:GetScreens/>"),  # CinemaId missing
        _envelope(
            "<t:AddTickets><t:UserSessionId>k</t:UserSessionId><t:CinemaId>1001</t:CinemaId>"
            "<t:SessionId>10000</t:SessionId><t:HoldMinutes>ten</t:HoldMinutes>"
            "<t:SelectedSeats/></t:AddTickets>"
        ),
        _envelope("<t:GetScreens><t:CinemaId>&lol4;</t:CinemaId></t:GetScreens>", BILLION_LAUGHS),
        _envelope("<t:GetScreens><t:CinemaId>&xxe;</t:CinemaId></t:GetScreens>", XXE),
    ],
)
def test_malformed_requests_get_client_faults(sim: SoapboxSimulator, body: str) -> None:
    response = raw(sim, body)
    assert response.status_code == 500
    fault = etree.fromstring(response.content).find(
        "{http://schemas.xmlsoap.org/soap/envelope/}Body/"
        "{http://schemas.xmlsoap.org/soap/envelope/}Fault"
    )
    assert fault.findtext("faultcode") == "soap:Client"
    assert "root:" not in response.text  # nothing of /etc/passwd
    assert sim.state.last_seq == 0


def test_unknown_seats_are_invalid_requests_and_change_nothing(
    sim: SoapboxSimulator, client: Any
) -> None:
    answer = add(client, "k-bad", [SEAT, {"AreaNumber": 1, "RowIndex": 0, "ColumnIndex": 99}])
    assert answer.Result == "InvalidRequest" and "no seat" in answer.ErrorDescription
    assert sim.seat_status("1001", "10000", SEAT_T) == "free"
    assert add(client, "k-bad2", cinema="4242").Result == "InvalidRequest"
    assert add(client, "k-bad3", minutes=0).Result == "InvalidRequest"
    assert sim.state.last_seq == 0
