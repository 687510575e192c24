"""`soapbox`: a SOAP 1.1 POS with a real WSDL (docs/legacy-systems.md section 2).

Document/literal, namespace `urn:soapbox:ticketing:2`, WSDL at `/TicketingService?wsdl`.
Incoming XML is parsed with entity resolution, DTDs and network access off, and every request
is validated against the WSDL's schema before anything happens: structurally bad requests get a
`soap:Client` fault, the error-rate knob a `soap:Server` fault, and requests that are well formed
but name unknown things a `Result` of `InvalidRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from simulators.base import HttpSimulator
from simulators.httpserver import Request, Response
from simulators.state import (
    InvalidRequest,
    OrderExpired,
    OrderNotFound,
    SeatEvent,
    SeatPos,
    SeatStatus,
    SeatsUnavailable,
    Session,
    SimError,
)

NS = "urn:soapbox:ticketing:2"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XS = "http://www.w3.org/2001/XMLSchema"
PATH = "/TicketingService"
DEFAULT_KEY = "soapbox-demo-key"
WSDL_TEMPLATE = (Path(__file__).with_name("soapbox.wsdl")).read_text(encoding="utf-8")
STATUS = {
    SeatStatus.FREE: "Empty",
    SeatStatus.HELD: "Reserved",
    SeatStatus.SOLD: "Sold",
    SeatStatus.BROKEN: "Broken",
    SeatStatus.HOUSE: "House",
}


def safe_parser() -> etree.XMLParser:
    """No entity expansion, no DTD loading, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def _schema() -> etree.XMLSchema:
    wsdl = etree.fromstring(WSDL_TEMPLATE.encode("utf-8"), safe_parser())
    schema = wsdl.find(f".//{{{XS}}}schema")
    assert schema is not None
    return etree.XMLSchema(schema)


SCHEMA = _schema()


class _Fault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
    el = etree.SubElement(parent, _q(name))
    if text is not None:
        el.text = str(text)
    return el


def _local(moment: datetime) -> str:
    """The cinema's wall-clock time without an offset, as the contract requires."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def envelope(body: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(code: str, message: str) -> Response:
    root = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(root, "faultcode").text = f"soap:{code}"
    etree.SubElement(root, "faultstring").text = message
    return Response(500, envelope(root), "text/xml; charset=utf-8")


class SoapboxSimulator(HttpSimulator):
    system = "soapbox"

    def __init__(self, *, key: str = DEFAULT_KEY, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.push_secret = key
        self._ops: dict[str, Callable[[etree._Element, etree._Element], None]] = {
            "GetCinemas": self._get_cinemas,
            "GetFilms": self._get_films,
            "GetScreens": self._get_screens,
            "GetSeatPlan": self._get_seat_plan,
            "GetSessions": self._get_sessions,
            "GetSessionSeatData": self._get_seat_data,
            "AddTickets": self._add_tickets,
            "CompleteOrder": self._complete_order,
            "CancelOrder": self._cancel_order,
        }

    @property
    def endpoint(self) -> str:
        return f"{self.http.base}{PATH}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.endpoint}?wsdl"

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "base_url": self.http.base,
            "endpoint": self.endpoint,
            "wsdl_url": self.wsdl_url,
            "callback_key_header": "X-Soapbox-Key",
            "callback_key": self.push_secret,
        }

    def session_number(self, cinema_id: str, session_id: str) -> int:
        try:
            return int(session_id)
        except (TypeError, ValueError):
            raise InvalidRequest(f"unknown session {session_id!r}") from None

    # ----------------------------------------------------------------------------- dispatch
    def _handle(self, request: Request) -> Response:
        if request.path.rstrip("/") != PATH:
            return Response(404, b"not found", "text/plain")
        if request.method == "GET":
            if any(k.lower() == "wsdl" for k in request.query):
                wsdl = WSDL_TEMPLATE.replace("{LOCATION}", self.endpoint)
                return Response(200, wsdl.encode("utf-8"), "text/xml; charset=utf-8")
            return Response(404, b"append ?wsdl", "text/plain")
        if request.method != "POST":
            return fault("Client", f"method {request.method} not allowed")
        self.delay()
        try:
            operation = self._parse(request.body)
            if self.should_fail():
                raise _Fault("Server", "Ticketing server unavailable (simulated)")
            name = etree.QName(operation).localname
            response = etree.Element(_q(f"{name}Response"), nsmap={None: NS})
            result = _sub(response, "Result", "OK")
            try:
                self._ops[name](operation, response)
            except SeatsUnavailable as exc:
                self._reset(response, result, "SeatsUnavailable", str(exc))
                unavailable = etree.Element(_q("UnavailableSeats"))
                for pos in exc.seats:
                    _position(unavailable, "SelectedSeat", pos)
                response.insert(1, unavailable)
            except OrderNotFound as exc:
                self._reset(response, result, "OrderNotFound", str(exc))
            except OrderExpired as exc:
                self._reset(response, result, "OrderExpired", str(exc))
            except SimError as exc:
                self._reset(response, result, "InvalidRequest", str(exc))
            return Response(200, envelope(response), "text/xml; charset=utf-8")
        except _Fault as exc:
            return fault(exc.code, str(exc))

    @staticmethod
    def _reset(response: etree._Element, result: etree._Element, code: str, text: str) -> None:
        for child in list(response):
            if child is not result:
                response.remove(child)
        result.text = code
        _sub(response, "ErrorDescription", text)

    def _parse(self, body: bytes) -> etree._Element:
        try:
            root = etree.fromstring(body, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise _Fault("Client", f"malformed XML: {exc}") from None
        tree = root.getroottree()
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise _Fault("Client", "DTDs and entity declarations are not accepted")
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise _Fault("Client", "not a SOAP 1.1 envelope")
        soap_body = root.find(f"{{{SOAP_ENV}}}Body")
        if soap_body is None or len(soap_body) != 1:
            raise _Fault("Client", "the SOAP Body must hold exactly one operation element")
        operation = soap_body[0]
        if not isinstance(operation.tag, str):
            raise _Fault("Client", "the SOAP Body must hold an element")
        qname = etree.QName(operation)
        if qname.namespace != NS or qname.localname not in self._ops:
            raise _Fault("Client", f"unknown operation {operation.tag}")
        if not SCHEMA.validate(operation):
            error = SCHEMA.error_log.last_error
            raise _Fault("Client", f"request does not match the WSDL: {error.message}")
        return operation

    # ----------------------------------------------------------------------------- catalog
    def _get_cinemas(self, req: etree._Element, resp: etree._Element) -> None:
        cinemas = _sub(resp, "Cinemas")
        for c in self.state.cinemas:
            el = _sub(cinemas, "Cinema")
            for name, value in (
                ("CinemaId", c.id),
                ("Name", c.name),
                ("City", c.city.city),
                ("Country", c.city.country),
                ("TimeZone", c.city.tz),
                ("Currency", c.city.currency),
                ("DefaultLanguage", c.city.language),
            ):
                _sub(el, name, value)

    def _get_films(self, req: etree._Element, resp: etree._Element) -> None:
        films = _sub(resp, "Films")
        for f in self.state.flavour.films:
            el = _sub(films, "Film")
            _sub(el, "FilmCode", f.code)
            _sub(el, "RunTime", f.runtime)
            _sub(el, "Rating", f.rating)
            for genre in f.genres:
                _sub(el, "Genre", genre)
            _sub(el, "OriginalLanguage", f.original_language)
            titles, synopses = _sub(el, "Titles"), _sub(el, "Synopses")
            for lang, text in f.titles.items():
                _sub(titles, "Title", text).set("lang", lang)
            for lang, text in f.synopses.items():
                _sub(synopses, "Synopsis", text).set("lang", lang)

    def _get_screens(self, req: etree._Element, resp: etree._Element) -> None:
        cinema = self.state.cinema(_text(req, "CinemaId"))
        screens = _sub(resp, "Screens")
        for screen in self.state.screens(cinema):
            el = _sub(screens, "Screen")
            _sub(el, "ScreenNumber", screen.number)
            _sub(el, "Name", screen.name)
            _sub(el, "Formats", ",".join(screen.formats))

    def _get_seat_plan(self, req: etree._Element, resp: etree._Element) -> None:
        cinema = self.state.cinema(_text(req, "CinemaId"))
        screen = self.state.screen(cinema, int(_text(req, "ScreenNumber")))
        areas = _sub(_sub(resp, "SeatPlan"), "Areas")
        for area in screen.layout.areas:
            a = _sub(areas, "Area")
            _sub(a, "AreaNumber", area.number)
            _sub(a, "AreaCategoryCode", area.category.code)
            _sub(a, "Description", area.category.description)
            rows = _sub(a, "Rows")
            for row in area.rows:
                r = _sub(rows, "Row")
                _sub(r, "RowIndex", row.index)
                _sub(r, "PhysicalName", row.letter)
                seats = _sub(r, "Seats")
                for seat in row.seats:
                    s = _sub(seats, "Seat")
                    _sub(s, "ColumnIndex", seat.col)
                    _sub(s, "SeatLabel", seat.number)  # numbered right to left
                    _sub(s, "Style", "House" if seat.house else seat.style)
                    if seat.group:
                        group = _sub(s, "SeatsInGroup")
                        for pos in screen.layout.groups[seat.group]:
                            _position(group, "SeatPosition", pos)

    def _get_sessions(self, req: etree._Element, resp: etree._Element) -> None:
        cinema = self.state.cinema(_text(req, "CinemaId"))
        first = date.fromisoformat(_text(req, "FromDate")[:10])
        last = date.fromisoformat(_text(req, "ToDate")[:10])
        if last < first or (last - first).days > 31:
            raise InvalidRequest("ToDate must be on or after FromDate, at most 31 days later")
        days = range(self.state.day_index(first), self.state.day_index(last) + 1)
        sessions = _sub(resp, "Sessions")
        for s in self.state.sessions(cinema, days):
            self._session(sessions, s)

    @staticmethod
    def _session(parent: etree._Element, s: Session) -> None:
        el = _sub(parent, "Session")
        for name, value in (
            ("SessionId", s.number),
            ("CinemaId", s.cinema.id),
            ("FilmCode", s.film.code),
            ("ScreenNumber", s.screen),
            ("Showtime", _local(s.start)),
            ("EndTime", _local(s.end)),
            ("Language", s.language),
            ("Format", s.format),
            ("SalesChannels", ";WWW;POS;KIOSK;"),
        ):
            _sub(el, name, value)
        types = _sub(el, "TicketTypes")
        for p in s.prices:
            t = _sub(types, "TicketType")
            _sub(t, "TicketTypeCode", p.ticket_type.code)
            _sub(t, "Description", p.ticket_type.description)
            _sub(t, "AreaCategoryCode", p.category.code)
            _sub(t, "Price", _money(p.minor))

    # ----------------------------------------------------------------------------- inventory
    def _get_seat_data(self, req: etree._Element, resp: etree._Element) -> None:
        cinema_id = _text(req, "CinemaId")
        plan = self.state.seat_plan(
            cinema_id, self.session_number(cinema_id, _text(req, "SessionId"))
        )
        data = _sub(resp, "SeatData")
        for seat, status in plan:
            _seat_state(data, seat.pos, status)

    def _add_tickets(self, req: etree._Element, resp: etree._Element) -> None:
        key, cinema_id = _text(req, "UserSessionId"), _text(req, "CinemaId")
        if not key.strip():
            raise InvalidRequest("UserSessionId must not be empty")
        existing = self.state.order_by_key(key)
        if existing is None:
            minutes = int(_text(req, "HoldMinutes"))
            if not 1 <= minutes <= 60:
                raise InvalidRequest("HoldMinutes must be between 1 and 60")
            seats = [
                (
                    int(_text(s, "AreaNumber")),
                    int(_text(s, "RowIndex")),
                    int(_text(s, "ColumnIndex")),
                )
                for s in req.iterfind(f"{_q('SelectedSeats')}/{_q('SelectedSeat')}")
            ]
            session_no = self.session_number(cinema_id, _text(req, "SessionId"))
            existing = self.state.hold(cinema_id, session_no, seats, minutes * 60, key=key)
        cinema = self.state.cinema(existing.cinema_id)
        _sub(resp, "OrderId", existing.order_id)
        _sub(resp, "ExpiryDate", _local(existing.expires_at.astimezone(cinema.tz)))

    def _complete_order(self, req: etree._Element, resp: etree._Element) -> None:
        try:
            value = Decimal(_text(req, "PaymentValue"))
        except InvalidOperation:
            raise InvalidRequest("PaymentValue must be a decimal") from None
        if value < 0:
            raise InvalidRequest("PaymentValue must not be negative")
        order = self.state.complete(
            _text(req, "OrderId"), _text(req, "BookingRef"), int(value * 100)
        )
        _sub(resp, "BookingNumber", order.booking_number)

    def _cancel_order(self, req: etree._Element, resp: etree._Element) -> None:
        self.state.cancel(_text(req, "OrderId"))

    # ----------------------------------------------------------------------------- callback
    def _push(self, events: list[SeatEvent]) -> None:
        assert self.push_target is not None
        by_session: dict[tuple[str, int], list[SeatEvent]] = {}
        for e in events:
            by_session.setdefault((e.cinema_id, e.session_no), []).append(e)
        for (cinema_id, session_no), evs in by_session.items():
            body = etree.Element(_q("SeatStatusChanged"), nsmap={None: NS})
            _sub(body, "CinemaId", cinema_id)
            _sub(body, "SessionId", session_no)
            _sub(body, "Sequence", evs[-1].seq)
            seats = _sub(body, "Seats")
            for e in evs:
                _seat_state(seats, e.pos, e.status)
            self.pusher.send(
                self.push_target,
                envelope(body),
                {
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{NS}/SeatStatusChanged"',
                    "X-Soapbox-Key": self.push_secret,
                },
            )


def _text(parent: etree._Element, name: str) -> str:
    el = parent.find(_q(name))
    return (el.text or "").strip() if el is not None else ""


def _position(parent: etree._Element, name: str, pos: SeatPos) -> None:
    el = _sub(parent, name)
    _sub(el, "AreaNumber", pos[0])
    _sub(el, "RowIndex", pos[1])
    _sub(el, "ColumnIndex", pos[2])


def _seat_state(parent: etree._Element, pos: SeatPos, status: SeatStatus) -> None:
    el = _sub(parent, "Seat")
    _sub(el, "AreaNumber", pos[0])
    _sub(el, "RowIndex", pos[1])
    _sub(el, "ColumnIndex", pos[2])
    _sub(el, "Status", STATUS[status])
