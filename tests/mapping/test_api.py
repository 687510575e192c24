"""Public API: migrations, typed transport sections, status maps, render and outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from adapters.mapping import (
    CURRENT_VERSION,
    MIGRATIONS,
    CsvTransport,
    OutboundRequest,
    OutcomeStatus,
    RestTransport,
    SoapTransport,
    check_mapping,
    load_mapping,
)
from canonical.inventory import SeatStatus

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CTX = {"connector_id": "t", "theatres": {"C01": {"timezone": "Asia/Kolkata", "currency": "INR"}}}

V1 = f"""\
version: 1
system: old-restline
protocol: rest
lookups:
  formats: {MAPPINGS / "lookups" / "formats.yaml"}
entities:
  show:
    records: "Items[*]"
    theatre: CinemaId
    fields:
      id: {{derive: shw, from: SessionId, scope: "cinema:{{CinemaId}}"}}
      movie_id: {{derive: mov, from: FilmCode}}
      theatre_id: {{derive: thr, from: CinemaId}}
      screen_id: {{derive: scr, from: ScreenNumber, scope: "cinema:{{CinemaId}}"}}
      start: {{path: Showtime, steps: [datetime]}}
      end: {{path: EndTime, steps: [datetime]}}
      language: Language
      format: {{path: Format, steps: [upper, {{lookup: formats}}]}}
"""


def test_version_1_is_migrated_and_maps_like_version_2(write_mapping, restline):
    assert CURRENT_VERSION == 2 and 1 in MIGRATIONS
    old = load_mapping(write_mapping(V1))
    assert old.version == 2
    payload = (MAPPINGS / "restline/samples/sessions.json").read_bytes()
    ctx = {**CTX, "connector_id": "same"}
    new_shows = restline.read("show", payload, ctx).records
    old_shows = old.read("show", payload, ctx).records
    assert [s.start for s in old_shows] == [s.start for s in new_shows]
    assert [s.id for s in old_shows] == [s.id for s in new_shows]
    assert [s.format for s in old_shows] == [s.format for s in new_shows]


def test_errors_in_a_migrated_file_point_at_its_own_lines(write_mapping):
    text = V1.replace("steps: [datetime]}\n      end", "steps: [datetme]}\n      end")
    assert text != V1
    _, _, issues = check_mapping(write_mapping(text))
    [issue] = issues
    assert issue.path == "entities.show.fields.start.transforms.0"
    assert issue.line == 15 and issue.suggestion == "datetime"


def test_typed_transport_sections(restline, soapbox, reelfeed):
    show = restline.transport("show")
    assert isinstance(show, RestTransport)
    assert (show.base_path, show.path, show.method) == ("/api/v1", "/sessions", "GET")
    assert show.auth_header == "X-Restline-Token" and show.query == {"CinemaId": "{$cinema_id}"}
    assert show.paging.page_param == "Page" and show.paging.total_pages_field == "TotalPages"
    assert show.paging.items_field == "Items" and show.paging.page_size == 100
    assert restline.transport("seat_events").cursor.param == "Since"
    assert restline.transport("confirm").path == "/orders/{order_ref}/complete"

    sessions = soapbox.transport("show")
    assert isinstance(sessions, SoapTransport) and sessions.operation == "GetSessions"
    assert sessions.arguments == {
        "CinemaId": "{$cinema_id}",
        "FromDate": "{$from_date}",
        "ToDate": "{$to_date}",
    }
    assert sessions.namespace == "urn:soapbox:ticketing:2"
    assert soapbox.transport("hold").operation == "AddTickets"

    schedule = reelfeed.transport("show")
    assert isinstance(schedule, CsvTransport)
    assert (schedule.file_glob, schedule.encoding, schedule.delimiter) == (
        "schedule_*.csv",
        "latin-1",
        ";",
    )
    assert schedule.folder == "/outbound/"
    hold = reelfeed.transport("hold")
    assert (hold.request_folder, hold.request_filename) == ("/inbound/", "req_{RequestId}.csv")
    assert (hold.ack_folder, hold.ack_filename) == ("/ack/", "ack_{RequestId}.csv")
    assert reelfeed.transport("seat_layout").filename_vars.startswith("^layout_")
    with pytest.raises(KeyError):
        reelfeed.transport("nope")


def test_seat_status_maps(restline, soapbox, reelfeed):
    assert restline.seat_status(0) is SeatStatus.AVAILABLE
    assert restline.seat_status("3") is SeatStatus.BLOCKED
    assert soapbox.seat_status("Reserved") is SeatStatus.HELD
    assert reelfeed.seat_status("S") is SeatStatus.SOLD
    with pytest.raises(ValueError):
        reelfeed.seat_status("Q")


def test_render_hold_in_three_styles(restline, soapbox, reelfeed):
    request = OutboundRequest(
        request_id="k-1",
        theatre_external_id="C01",
        show_external_id="14164",
        seat_ids=("1-0-3", "2-4-11"),
        hold_seconds=600,
    )
    rest = restline.render("hold", request, CTX)
    assert rest.method == "POST" and rest.path == "/api/v1/orders"
    assert json.loads(rest.body) == {
        "UserSessionId": "k-1",
        "CinemaId": "C01",
        "SessionId": "14164",
        "HoldSeconds": 600,
        "Seats": [
            {"AreaNumber": 1, "RowIndex": 0, "ColumnIndex": 3},
            {"AreaNumber": 2, "RowIndex": 4, "ColumnIndex": 11},
        ],
    }

    soap = soapbox.render("hold", request, CTX)
    root = etree.fromstring(soap.body)
    ns = {"t": "urn:soapbox:ticketing:2"}
    assert root.tag == "{urn:soapbox:ticketing:2}AddTickets"
    assert root.findtext("t:HoldMinutes", namespaces=ns) == "10"
    seats = root.findall("t:SelectedSeats/t:SelectedSeat", namespaces=ns)
    assert [s.findtext("t:ColumnIndex", namespaces=ns) for s in seats] == ["3", "11"]
    assert soap.soap_operation == "AddTickets" and soap.data["SelectedSeats"]["SelectedSeat"]

    csv = reelfeed.render("hold", request, CTX)
    assert csv.filename == "req_k-1.csv" and csv.folder == "/inbound/"
    assert csv.body.decode("latin-1").splitlines() == [
        "RequestId;Action;SiteCode;ShowID;Seats;HoldMinutes;OrderRef",
        "k-1;HOLD;C01;14164;0:3|4:11;10;",
    ]
    assert csv.body.endswith(b"\r\n")


def test_outcomes_from_result_codes(restline, soapbox, reelfeed):
    unavailable = restline.outcome(
        "hold",
        json.dumps(
            {"Result": 8, "UnavailableSeats": [{"AreaNumber": 1, "RowIndex": 0, "ColumnIndex": 3}]}
        ),
        CTX,
    )
    assert unavailable.status is OutcomeStatus.SEATS_UNAVAILABLE
    assert unavailable.seat_ids == ("1-0-3",)
    assert restline.outcome("confirm", {"Result": 9}, CTX).status is OutcomeStatus.NOT_FOUND
    assert restline.outcome("hold", {"Result": 5}, CTX).status is OutcomeStatus.TRANSIENT
    assert restline.outcome("hold", {"Result": 77}, CTX).status is OutcomeStatus.INVALID
    fault = (
        (MAPPINGS / "soapbox/samples/fault.xml")
        .read_bytes()
        .replace(b"soap:Server", b"soap:Client")
    )
    assert soapbox.outcome("hold", fault, CTX).status is OutcomeStatus.INVALID
    expired = b"RequestId;Result;OrderRef;Detail\r\nk;EXPIRED;RF-1;hold expired\r\n"
    outcome = reelfeed.outcome("confirm", expired, CTX)
    assert outcome.status is OutcomeStatus.EXPIRED and outcome.message == "hold expired"
