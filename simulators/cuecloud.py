"""`cuecloud`: a cloud cinema back office with a REST API that answers in XML
(docs/vendors/cuecloud.md). Export only: Marquee reads sites, titles, halls, seat plans and
screenings; it sells nothing through it.

What makes it unlike the shipped systems: every list is cursor-paged with an opaque `after`
cursor whose first request carries none, pages overlap by one record (the vendor's cursor is
inclusive), errors arrive inside HTTP 200 as `<Status ok="false" code="...">`, dates in queries
are `yyyymmdd` in the site's zone, times are local without offset, titles carry HTML entities
and locales are written `pt_PT`.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Self
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from simulators.httpserver import LoopbackHTTPServer, Request, Response

BASE = "/cue/v3"
SITES = (
    ("LIS1", "Cue Alvalade", "Lisboa", "PT", "Europe/Lisbon", "EUR", "pt_PT"),
    ("MAD2", "Cue Chamart&iacute;n", "Madrid", "ES", "Europe/Madrid", "EUR", "es_ES"),
)
# Names as the vendor stores them: HTML entities inside the text.
TITLES = (
    ("T-031", "O P&aacute;tio das Cantigas", 112, "M/12", "Comedy|Music", "pt_PT"),
    ("T-007", "Am&eacute;lie &amp; Nino", 122, "M/6", "Romance", "fr_FR"),
    ("T-112", "Caf&#233; Noir", 95, "M/16", "Thriller", "pt_BR"),
    ("T-200", "La Casa de Papel &#8211; El Fin", 140, "M/14", "Drama", "es_ES"),
    ("T-015", "Sol &lt;&gt; Sombra", 101, "M/12", "Drama", "es_ES"),
)
HALLS = 2
ROWS = "ABCDE"
SEATS_PER_ROW = 8
SLOTS = ((18, 30), (21, 15))
FARES = (("ADT", "7.50"), ("CHD", "5.00"))


@dataclass
class Screening:
    id: str
    site: str
    hall: int
    title: str
    begins: datetime  # aware, site zone
    length: int
    audio: str
    kind: str


@dataclass
class CueCloudSimulator:
    """Serve the vendor's API on 127.0.0.1; `days` of screenings from `start_date` (today in
    each site's zone by default). Knobs: `fail_page` makes that page of screenings answer an
    error inside a 200; `cancel()` drops a screening from the schedule; `seats_per_row` refits
    every hall (its plans change)."""

    days: int = 2
    page_size_limit: int = 50
    start_date: date | None = None
    key: str = "cue-key-1"
    fail_page: int | None = None
    plans_per_screening_only: bool = False
    seats_per_row: int = SEATS_PER_ROW
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = LoopbackHTTPServer(self._handle)
        self._lock = threading.Lock()
        self._cancelled: set[str] = set()

    # ------------------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.http.base + BASE

    # ------------------------------------------------------------------------- the world
    def cancel(self, screening_id: str) -> None:
        with self._lock:
            self._cancelled.add(screening_id)

    def screenings(self, site: str) -> list[Screening]:
        code = next(s for s in SITES if s[0] == site)
        zone = ZoneInfo(code[4])
        first = self.start_date or datetime.now(zone).date()
        out = []
        for day in range(self.days):
            when = first + timedelta(days=day)
            for hall in range(1, HALLS + 1):
                for slot, (hour, minute) in enumerate(SLOTS):
                    title = TITLES[(day + hall + slot) % len(TITLES)]
                    sid = f"{site[:1]}{when:%m%d}{hall}{slot}"
                    if sid in self._cancelled:
                        continue
                    out.append(
                        Screening(
                            id=sid,
                            site=site,
                            hall=hall,
                            title=title[0],
                            begins=datetime(
                                when.year, when.month, when.day, hour, minute, tzinfo=zone
                            ),
                            length=title[2] + 15,
                            audio=title[5].split("_")[0],
                            kind="3D" if slot == 1 and hall == 2 else "2D",
                        )
                    )
        return out

    # ------------------------------------------------------------------------- protocol
    def _handle(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        self.requests.append((request.path, query))
        if request.headers.get("X-Cue-Key") != self.key:
            return _fail("AUTH", "invalid or missing X-Cue-Key")
        path = request.path.removeprefix(BASE)
        parts = [p for p in path.split("/") if p]
        try:
            if parts == ["sites"]:
                return _ok("".join(_site(s) for s in SITES), "Sites")
            if parts == ["titles"]:
                return self._paged(query, [_title(t) for t in TITLES], "Titles")
            if len(parts) == 3 and parts[0] == "sites" and parts[2] == "halls":
                self._site(parts[1])
                halls = "".join(
                    f"<Hall><No>{n}</No><Label>Sala {n}</Label><Kinds>2D 3D</Kinds></Hall>"
                    for n in range(1, HALLS + 1)
                )
                return _ok(halls, "Halls")
            if len(parts) == 5 and parts[2] == "halls" and parts[4] == "plan":
                self._site(parts[1])
                if self.plans_per_screening_only:
                    return _fail("NOPLAN", "hall plans are published per screening only")
                if not parts[3].isdigit() or not 1 <= int(parts[3]) <= HALLS:
                    return _fail("NOHALL", f"no hall {parts[3]}")
                return _ok(_plan(parts[1], int(parts[3]), self.seats_per_row), None)
            if len(parts) == 3 and parts[0] == "sites" and parts[2] == "screenings":
                return self._screenings(parts[1], query)
            if len(parts) == 5 and parts[2] == "screenings" and parts[4] == "seats":
                return self._screening_seats(parts[1], parts[3])
        except _Refused as exc:
            return _fail(exc.code, str(exc))
        return Response(404, b"not found", "text/plain")

    def _site(self, code: str) -> tuple:
        for site in SITES:
            if site[0] == code:
                return site
        raise _Refused("NOSITE", f"no site {code}")

    def _screenings(self, site: str, query: dict[str, str]) -> Response:
        zone = ZoneInfo(self._site(site)[4])
        try:
            lo = datetime.strptime(query["from"], "%Y%m%d").date()
            hi = datetime.strptime(query["to"], "%Y%m%d").date()
        except (KeyError, ValueError):
            raise _Refused("BADDATE", "from and to must be yyyymmdd") from None
        with self._lock:
            rows = [
                _screening(s)
                for s in self.screenings(site)
                if lo <= s.begins.astimezone(zone).date() <= hi
            ]
        return self._paged(query, rows, "Screenings")

    def _screening_seats(self, site: str, screening_id: str) -> Response:
        """A screening's seat map: its hall's plan (the only place some tenants publish it)."""
        self._site(site)
        with self._lock:
            found = [s for s in self.screenings(site) if s.id == screening_id]
        if not found:
            raise _Refused("NOSCREENING", f"no screening {screening_id}")
        return _ok(_plan(site, found[0].hall, self.seats_per_row), None)

    def _paged(self, query: dict[str, str], rows: list[str], element: str) -> Response:
        """Cursor pages that overlap by one row: the next page starts at this page's last row
        (the vendor's cursor is inclusive). The first request carries no cursor; the last page
        has an empty <Next/>."""
        size = int(query.get("max", "20"))
        if not 2 <= size <= self.page_size_limit:
            raise _Refused("BADMAX", f"max must be 2..{self.page_size_limit}")
        after = query.get("after")
        if after is None:
            start = 0
        elif after.startswith("c") and after[1:].isdigit():
            start = int(after[1:])
        else:
            raise _Refused("BADCURSOR", "unknown cursor")
        page = start // (size - 1) + 1
        if page == self.fail_page and element == "Screenings":
            raise _Refused("BUSY", "schedule service busy, try later")
        chunk = rows[start : start + size]
        nxt = f"c{start + size - 1}" if start + size < len(rows) else ""
        return _ok("".join(chunk), element, f"<Next>{nxt}</Next>")


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _ok(inner: str, element: str | None, tail: str = "") -> Response:
    body = inner if element is None else f"<{element}>{inner}</{element}>"
    return _xml(f'<Status ok="true"/>{body}{tail}')


def _fail(code: str, message: str) -> Response:
    return _xml(f'<Status ok="false" code={quoteattr(code)}>{escape(message)}</Status>')


def _xml(inner: str) -> Response:
    text = f'<?xml version="1.0" encoding="UTF-8"?><CueResponse>{inner}</CueResponse>'
    return Response(200, text.encode("utf-8"), "application/xml; charset=utf-8")


def _text(name: str, value: Any) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _site(s: tuple) -> str:
    code, name, city, country, zone, currency, locale = s
    return (
        "<Site>"
        + _text("Code", code)
        + _text("Name", name)
        + _text("City", city)
        + _text("Country", country)
        + _text("Zone", zone)
        + _text("Currency", currency)
        + _text("Locale", locale)
        + "</Site>"
    )


def _title(t: tuple) -> str:
    code, name, runtime, rating, genres, locale = t
    return (
        "<Title>"
        + _text("Id", code)
        + _text("Name", name)
        + _text("Minutes", runtime)
        + _text("Rating", rating)
        + _text("Genres", genres)
        + _text("Locale", locale)
        + "</Title>"
    )


def _plan(site: str, hall: int, seats_per_row: int) -> str:
    lines = []
    for idx, row in enumerate(ROWS):
        places = []
        for col in range(seats_per_row):
            kind = "wc" if row == "E" and col in (0, 1) else "std"
            places.append(f'<Place col="{col}" label="{row}{col + 1}" kind="{kind}"/>')
        lines.append(f'<Line idx="{idx}" name="{row}">{"".join(places)}</Line>')
    return (
        f'<Plan site="{site}" hall="{hall}"><Zone no="1" cat="STD" name="Plateia">'
        + "".join(lines)
        + "</Zone></Plan>"
    )


def _screening(s: Screening) -> str:
    fares = "".join(f'<Fare code="{c}" cat="STD">{p}</Fare>' for c, p in FARES)
    return (
        "<Screening>"
        + _text("Id", s.id)
        + _text("Site", s.site)
        + _text("Title", s.title)
        + _text("Hall", s.hall)
        + _text("Begins", s.begins.strftime("%Y-%m-%d %H:%M"))
        + _text("Length", s.length)
        + _text("Audio", s.audio)
        + _text("Kind", s.kind)
        + f"<Fares>{fares}</Fares>"
        + "</Screening>"
    )


def plain(text: str) -> str:
    """A vendor name as a person reads it (for tests and docs)."""
    return html.unescape(text)
