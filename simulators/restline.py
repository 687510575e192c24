"""`restline`: a REST/JSON POS (docs/legacy-systems.md section 1).

PascalCase JSON, HTTP 200 with a `Result` code even on failure, a token header, paged lists,
idempotent orders keyed by `UserSessionId`, holds that expire, a seat-event cursor feed and a
signed webhook for box-office sales.
"""

from __future__ import annotations

import hmac
import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from itertools import chain, islice
from typing import Any
from zoneinfo import ZoneInfo

from simulators.base import HttpSimulator
from simulators.httpserver import Request, Response
from simulators.push import signature as push_signature
from simulators.state import (
    InvalidRequest,
    LayoutSeat,
    Order,
    OrderExpired,
    OrderNotFound,
    SeatEvent,
    SeatStatus,
    SeatsUnavailable,
    Session,
    SimError,
    row_letters,
)

PREFIX = "/api/v1"
OK, INVALID, CONNECT_ERROR, UNAVAILABLE, NOT_FOUND, UNAUTHORIZED, EXPIRED = 0, 4, 5, 8, 9, 11, 12
STATUS_CODES = {
    SeatStatus.FREE: 0,
    SeatStatus.SOLD: 1,
    SeatStatus.HELD: 2,
    SeatStatus.BROKEN: 3,
    SeatStatus.HOUSE: 2,
}
DEFAULT_TOKEN = "restline-demo-token"
_LETTERS = row_letters(skip_io=False)


class _Fail(Exception):
    def __init__(self, result: int, description: str, **extra: Any) -> None:
        super().__init__(description)
        self.result, self.description, self.extra = result, description, extra


def _ms_date(day: datetime) -> str:
    """The legacy Microsoft JSON date: /Date(<ms since epoch>+0530)/."""
    offset = day.strftime("%z")
    return f"/Date({int(day.timestamp() * 1000)}{offset})/"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: Any, name: str, lo: int = 0, hi: int = 10**9) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _Fail(INVALID, f"{name} must be an integer between {lo} and {hi}")
    return value


class RestlineSimulator(HttpSimulator):
    system = "restline"

    def __init__(self, *, token: str = DEFAULT_TOKEN, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token
        # SessionStatus per (cinema id, session number) the theatre changed: a show it still
        # lists but reports `Cancelled` or `SoldOut`.
        self.session_status: dict[tuple[str, int], str] = {}
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]] = [
            ("GET", re.compile(r"/cinemas"), self._cinemas),
            ("GET", re.compile(r"/films"), self._films),
            ("GET", re.compile(r"/films/translations"), self._translations),
            ("GET", re.compile(r"/cinemas/([^/]+)/screens"), self._screens),
            ("GET", re.compile(r"/cinemas/([^/]+)/screens/(\d+)/layout"), self._layout),
            ("GET", re.compile(r"/sessions"), self._sessions),
            ("GET", re.compile(r"/cinemas/([^/]+)/sessions/([^/]+)/seats"), self._seats),
            ("GET", re.compile(r"/seat-events"), self._seat_events),
            ("POST", re.compile(r"/orders"), self._create_order),
            ("POST", re.compile(r"/orders/([^/]+)/complete"), self._complete),
            ("POST", re.compile(r"/orders/([^/]+)/cancel"), self._cancel),
        ]

    @property
    def base_url(self) -> str:
        return f"{self.http.base}{PREFIX}"

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            # What a connector's endpoint takes (the mapping adds /api/v1); api_root is for curl.
            "base_url": self.http.base,
            "api_root": self.base_url,
            "token": self.token,
            "token_header": "X-Restline-Token",
        }

    def session_number(self, cinema_id: str, session_id: str) -> int:
        try:
            return int(session_id)
        except (TypeError, ValueError):
            raise InvalidRequest(f"unknown session {session_id!r}") from None

    # ----------------------------------------------------------------------------- dispatch
    def _handle(self, request: Request) -> Response:
        self.delay()
        try:
            if not request.path.startswith(PREFIX + "/"):
                raise _Fail(INVALID, f"unknown resource {request.path}")
            if self.should_fail():
                raise _Fail(CONNECT_ERROR, "Cinema connection error (simulated)")
            token = request.headers.get("X-Restline-Token", "")
            if not hmac.compare_digest(token.encode(), self.token.encode()):
                raise _Fail(UNAUTHORIZED, "Invalid token")
            path = request.path[len(PREFIX) :].rstrip("/")
            for method, pattern, route in self._routes:
                match = pattern.fullmatch(path)
                if match and method == request.method:
                    return Response.json({"Result": OK, **route(request, *match.groups())})
            raise _Fail(INVALID, f"unknown resource {request.method} {request.path}")
        except _Fail as exc:
            return Response.json(
                {"Result": exc.result, "ErrorDescription": exc.description, **exc.extra}
            )
        except SeatsUnavailable as exc:
            return Response.json(
                {
                    "Result": UNAVAILABLE,
                    "ErrorDescription": "Seats unavailable",
                    "UnavailableSeats": [_seat_ref(p) for p in exc.seats],
                }
            )
        except OrderNotFound as exc:
            return Response.json({"Result": NOT_FOUND, "ErrorDescription": str(exc)})
        except OrderExpired as exc:
            return Response.json({"Result": EXPIRED, "ErrorDescription": str(exc)})
        except SimError as exc:
            return Response.json({"Result": INVALID, "ErrorDescription": str(exc)})

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise _Fail(INVALID, "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _Fail(INVALID, "request body must be a JSON object")
        return body

    @staticmethod
    def _page(
        request: Request, total: int, items: Callable[[int, int], list[Any]]
    ) -> dict[str, Any]:
        try:
            page = int(request.arg("Page", "1") or 1)
            size = int(request.arg("PageSize", "100") or 100)
        except ValueError:
            raise _Fail(INVALID, "Page and PageSize must be integers") from None
        if page < 1 or not 1 <= size <= 1000:
            raise _Fail(INVALID, "Page must be >= 1 and PageSize between 1 and 1000")
        return {
            "Page": page,
            "PageSize": size,
            "TotalPages": max(1, math.ceil(total / size)),
            "Items": items((page - 1) * size, size),
        }

    def _paged_iter(
        self, request: Request, total: int, iterate: Callable[[], Iterator[Any]]
    ) -> dict[str, Any]:
        return self._page(
            request, total, lambda offset, size: list(islice(iterate(), offset, offset + size))
        )

    # ----------------------------------------------------------------------------- catalog
    def _cinemas(self, request: Request) -> dict[str, Any]:
        def item(c: Any) -> dict[str, Any]:
            return {
                "CinemaId": c.id,
                "Name": c.name,
                "City": c.city.city,
                "CountryCode": c.city.country,
                "TimeZone": c.city.tz,
                "Currency": c.city.currency,
                "DefaultLanguage": c.city.language,
                "Address": f"{10 + c.index} {c.name} Road, {c.city.city}",
            }

        cinemas = self.state.cinemas
        return self._page(request, len(cinemas), lambda o, s: [item(c) for c in cinemas[o : o + s]])

    def _films(self, request: Request) -> dict[str, Any]:
        ist = ZoneInfo("Asia/Kolkata")
        assert self.state.start_date is not None
        start_date = self.state.start_date

        def item(f: Any) -> dict[str, Any]:
            opening = datetime.combine(
                start_date + timedelta(f.opening_offset_days), time(0), tzinfo=ist
            )
            # Title and Synopsis are in the film's original language; others are translations
            return {
                "FilmCode": f.code,
                "Title": f.titles[f.original_language],
                "Synopsis": f.synopses.get(f.original_language, ""),
                "RunTimeMinutes": f.runtime,
                "Rating": f.rating,
                "Genres": "|".join(f.genres),
                "OriginalLanguage": f.original_language,
                "OpeningDate": _ms_date(opening),
            }

        films = list(self.state.flavour.films)
        return self._page(request, len(films), lambda o, s: [item(f) for f in films[o : o + s]])

    def _translations(self, request: Request) -> dict[str, Any]:
        rows = [
            {
                "FilmCode": f.code,
                "LanguageTag": lang,
                "Title": title,
                "Synopsis": f.synopses.get(lang, ""),
            }
            for f in self.state.flavour.films
            for lang, title in f.titles.items()
        ]
        return self._page(request, len(rows), lambda o, s: rows[o : o + s])

    def _screens(self, request: Request, cinema_id: str) -> dict[str, Any]:
        screens = self.state.screens(self.state.cinema(cinema_id))
        return self._page(
            request,
            len(screens),
            lambda o, s: [
                {
                    "ScreenNumber": sc.number,
                    "ScreenName": sc.name,
                    "Formats": ",".join(sc.formats),
                    # Licensed a little below the plan (gangway seats the licence excludes).
                    "LicensedCapacity": max(1, len(sc.layout.seats) - 4),
                }
                for sc in screens[o : o + s]
            ],
        )

    def _layout(self, request: Request, cinema_id: str, screen_no: str) -> dict[str, Any]:
        screen = self.state.screen(self.state.cinema(cinema_id), int(screen_no))
        return {
            "CinemaId": cinema_id,
            "ScreenNumber": screen.number,
            "Areas": [
                {
                    "AreaNumber": area.number,
                    "AreaCategoryCode": area.category.code,
                    "Description": area.category.description,
                    "Rows": [
                        {
                            "PhysicalName": row.letter,
                            "RowIndex": row.index,
                            "Seats": [
                                {
                                    "SeatId": _seat_id(seat),
                                    "ColumnIndex": seat.col,
                                    "Style": "Broken" if seat.broken else seat.style,
                                    "GroupId": seat.group,
                                }
                                for seat in row.seats
                            ],
                        }
                        for row in area.rows
                    ],
                }
                for area in screen.layout.areas
            ],
        }

    def _session_item(self, s: Session) -> dict[str, Any]:
        return {
            "SessionId": str(s.number),
            "CinemaId": s.cinema.id,
            "FilmCode": s.film.code,
            "ScreenNumber": s.screen,
            "Showtime": s.start.isoformat(),
            "EndTime": s.end.isoformat(),
            "Language": s.language,
            # A film shown in another language than the city's carries the city's subtitles.
            "SubtitleLanguage": None
            if s.language == s.cinema.city.language
            else s.cinema.city.language,
            "Format": s.format,
            # The last screen of a cinema is its VIP lounge.
            "Attributes": ["VIP", "Recliner"] if s.screen == s.cinema.screens else [],
            "SessionStatus": self.session_status.get(s.key, "Open"),
            "SalesChannels": ";WWW;POS;KIOSK;",
            # Online sales open two weeks ahead and run until 15 minutes after the start
            # (the trailers); a booking fee per ticket.
            "OnlineSalesOpenMinutes": 20160,
            "OnlineSalesAfterStartMinutes": 15,
            "BookingFeeInCents": 3000,
            "Prices": [
                {
                    "TicketTypeCode": p.ticket_type.code,
                    "Description": p.ticket_type.description,
                    "AreaCategoryCode": p.category.code,
                    "PriceInCents": p.minor,
                }
                for p in s.prices
            ],
        }

    def _sessions(self, request: Request) -> dict[str, Any]:
        cinema_id = request.arg("CinemaId")
        cinemas = [self.state.cinema(cinema_id)] if cinema_id else self.state.cinemas
        total = self.state.session_count(cinemas)
        return self._paged_iter(
            request,
            total,
            lambda: (
                self._session_item(s)
                for s in chain.from_iterable(self.state.sessions(c) for c in cinemas)
            ),
        )

    # ----------------------------------------------------------------------------- inventory
    def _seats(self, request: Request, cinema_id: str, session_id: str) -> dict[str, Any]:
        plan = self.state.seat_plan(cinema_id, self.session_number(cinema_id, session_id))
        return {"Seats": [_seat_item(seat, status) for seat, status in plan]}

    def _seat_events(self, request: Request) -> dict[str, Any]:
        since_arg = request.arg("Since", "0") or "0"
        if not since_arg.isdigit():
            raise _Fail(INVALID, "Since must be a cursor returned by this feed")
        since = int(since_arg)
        events = self.state.events_since(since)
        cursor = events[-1].seq if events else min(since, self.state.last_seq)
        return {
            "Cursor": str(cursor),
            "Events": [
                {
                    "Seq": e.seq,
                    "CinemaId": e.cinema_id,
                    "SessionId": str(e.session_no),
                    "AreaNumber": e.pos[0],
                    "RowIndex": e.pos[1],
                    "ColumnIndex": e.pos[2],
                    "Status": STATUS_CODES[e.status],
                    "AtUtc": _utc(e.at),
                }
                for e in events
            ],
        }

    # ----------------------------------------------------------------------------- orders
    def _create_order(self, request: Request) -> dict[str, Any]:
        body = self._body(request)
        key = body.get("UserSessionId")
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise _Fail(INVALID, "UserSessionId must be a non-empty string")
        existing = self.state.order_by_key(key)
        if existing is not None:
            return self._order_item(existing)
        cinema_id, session_id = body.get("CinemaId"), body.get("SessionId")
        if not isinstance(cinema_id, str) or not isinstance(session_id, str):
            raise _Fail(INVALID, "CinemaId and SessionId must be strings")
        seats = body.get("Seats")
        if not isinstance(seats, list) or not seats:
            raise _Fail(INVALID, "Seats must be a non-empty list")
        positions = []
        for seat in seats:
            if not isinstance(seat, dict):
                raise _Fail(INVALID, "each seat must be an object")
            positions.append(
                (
                    _int(seat.get("AreaNumber"), "AreaNumber"),
                    _int(seat.get("RowIndex"), "RowIndex"),
                    _int(seat.get("ColumnIndex"), "ColumnIndex"),
                )
            )
        hold = _int(body.get("HoldSeconds", 480), "HoldSeconds", 1, 3600)
        order = self.state.hold(
            cinema_id, self.session_number(cinema_id, session_id), positions, hold, key=key
        )
        return self._order_item(order)

    @staticmethod
    def _order_item(order: Order) -> dict[str, Any]:
        return {"OrderId": order.order_id, "ExpiryUtc": _utc(order.expires_at)}

    def _complete(self, request: Request, order_id: str) -> dict[str, Any]:
        body = self._body(request)
        payment = _int(body.get("PaymentValueCents"), "PaymentValueCents")
        ref = body.get("BookingRef")
        if not isinstance(ref, str) or not ref:
            raise _Fail(INVALID, "BookingRef must be a non-empty string")
        order = self.state.complete(order_id, ref, payment)
        return {"BookingNumber": order.booking_number}

    def _cancel(self, request: Request, order_id: str) -> dict[str, Any]:
        self._body(request)
        self.state.cancel(order_id)
        return {}

    # ----------------------------------------------------------------------------- push
    def _push(self, events: list[SeatEvent]) -> None:
        assert self.push_target is not None
        by_session: dict[tuple[str, int], list[SeatEvent]] = {}
        for e in events:
            by_session.setdefault((e.cinema_id, e.session_no), []).append(e)
        for (cinema_id, session_no), evs in by_session.items():
            body = json.dumps(
                {
                    "EventType": "SeatsChanged",
                    "Seq": evs[-1].seq,
                    "CinemaId": cinema_id,
                    "SessionId": str(session_no),
                    "Seats": [{**_seat_ref(e.pos), "Status": STATUS_CODES[e.status]} for e in evs],
                }
            ).encode()
            signature = push_signature(self.push_secret, body)
            self.pusher.send(
                self.push_target,
                body,
                {"Content-Type": "application/json", "X-Restline-Signature": signature},
            )


def _seat_ref(pos: tuple[int, int, int]) -> dict[str, int]:
    return {"AreaNumber": pos[0], "RowIndex": pos[1], "ColumnIndex": pos[2]}


def _seat_id(seat: LayoutSeat) -> str:
    """Restline labels seats row letter + position from the left (A1 is the leftmost of row A)."""
    return f"{_LETTERS[seat.row]}{seat.ordinal + 1}"


def _seat_item(seat: LayoutSeat, status: SeatStatus) -> dict[str, Any]:
    return {
        "AreaNumber": seat.area,
        "RowIndex": seat.row,
        "ColumnIndex": seat.col,
        "SeatId": _seat_id(seat),
        "Status": STATUS_CODES[status],
    }
