"""`reelfeed`: CSV files over SFTP (docs/legacy-systems.md section 3).

The POS writes its catalog into `/outbound` once at start (sites, films, auditoria, one layout
per auditorium, a schedule) and then, whenever seats changed, a `seats_<stamp>.csv` snapshot of
the shows that changed. Marquee drops `req_<RequestId>.csv` into `/inbound`; the POS applies each
request once (by RequestId) and answers in `/ack/ack_<RequestId>.csv`.

Files are Latin-1, `;`-separated, CRLF, written under a `.tmp` name and renamed when complete.
The schedule is streamed row by row from the procedural catalog, so a country-sized catalog
(840,000 shows) never exists as Python objects all at once.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import os
import re
import shutil
import tempfile
import threading
import traceback
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paramiko

from simulators.base import Simulator
from simulators.httpserver import Response
from simulators.sftpserver import SFTPDropServer, fingerprint
from simulators.state import (
    InvalidRequest,
    Layout,
    OrderExpired,
    OrderNotFound,
    SeatEvent,
    SeatPos,
    SeatStatus,
    SeatsUnavailable,
    Session,
    SimError,
    UnknownSession,
)

ENCODING = "latin-1"
STATUS = {
    SeatStatus.FREE: "A",
    SeatStatus.HELD: "H",
    SeatStatus.SOLD: "S",
    SeatStatus.BROKEN: "X",
    SeatStatus.HOUSE: "X",
}
REQUEST_COLUMNS = ["RequestId", "Action", "SiteCode", "ShowID", "Seats", "HoldMinutes", "OrderRef"]
ACK_COLUMNS = ["RequestId", "Result", "OrderRef", "Detail"]
# Like a POS on a Windows-hosted SFTP server: a request file name holds no ':' (Marquee
# percent-encodes its idempotency keys there, `hold%3Ahld_...`).
REQUEST_FILE = re.compile(r"req_([A-Za-z0-9_.%~-]{1,150})\.csv")
DEFAULT_USER, DEFAULT_PASSWORD = "reelfeed", "reelfeed-secret"


def show_id(session: Session) -> str:
    """`<FilmCode>|<yyyyMMddHHmm>|<Aud>`; a show the POS re-issued at the same time (cancelled
    and set up again) gets a fourth part, its revision: `...|<Aud>|<n>`, so its id changes while
    the film and auditorium stay where readers split them from."""
    base = f"{session.film.code}|{session.start:%Y%m%d%H%M}|{session.screen}"
    return f"{base}|{session.revision}" if session.revision else base


def _stamp(moment: datetime, seconds: bool) -> str:
    """File-name stamps are UTC so names sort in time order across DST changes."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S" if seconds else "%Y%m%d%H%M")


def _price(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def _csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quotechar='"', lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


class _Ack(Exception):
    """Answer the request with this result now."""

    def __init__(self, result: str, detail: str = "", order_ref: str = "") -> None:
        super().__init__(detail)
        self.result, self.detail, self.order_ref = result, detail, order_ref


class ReelfeedSimulator(Simulator):
    system = "reelfeed"

    def __init__(
        self,
        *,
        root: Path | str | None = None,
        username: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        host_key: paramiko.PKey | None = None,
        host_key_file: Path | str | None = None,
        authorized_keys: Iterable[paramiko.PKey] = (),
        authorized_key_files: Iterable[Path | str] = (),
        snapshot_seconds: float = 1.0,
        poll_seconds: float = 0.1,
        write_catalog_on_start: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._own_root = root is None
        self.root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="reelfeed-"))
        for name in ("outbound", "inbound", "ack"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        self.username, self.password = username, password
        if host_key is None:
            host_key = (
                paramiko.PKey.from_path(host_key_file)
                if host_key_file
                else paramiko.ECDSAKey.generate()
            )
        self.host_key = host_key
        keys = list(authorized_keys) + [_public_key(Path(p)) for p in authorized_key_files]
        self.snapshot_seconds = snapshot_seconds
        self.poll_seconds = poll_seconds
        self.write_catalog_on_start = write_catalog_on_start
        self.sftp = SFTPDropServer(
            self.root,
            username,
            password,
            host_key,
            keys,
            self.host,
            self.port,
            delay=self.delay,
            on_inbound=self._wake_up,
        )
        self._dirty: set[tuple[str, int]] = set()
        self._answered: dict[str, list[str]] = {}  # RequestId -> its ack row
        self._last_stamp: datetime | None = None
        self._last_snapshot_at = datetime.min.replace(tzinfo=UTC)
        self._dirty_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._inbound_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._loop: threading.Thread | None = None
        self.snapshots: list[Path] = []
        self.state.subscribe(self._track)

    # ----------------------------------------------------------------------------- lifecycle
    def _start_protocol(self) -> None:
        if self.write_catalog_on_start:
            self.write_catalog()
        if not self.knobs.down:
            self.sftp.start()
        self.port = self.sftp.port
        self._stopping.clear()
        self._loop = threading.Thread(
            target=self._run, name=f"sim-reelfeed-{self.port}", daemon=True
        )
        self._loop.start()

    def _stop_protocol(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._loop is not None:
            self._loop.join(timeout=10)
            self._loop = None
        self.sftp.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _set_down(self, down: bool) -> None:
        if down:
            self.sftp.stop()
        else:
            self.sftp.start()
            self._wake.set()

    @property
    def host_key_fingerprint(self) -> str:
        return fingerprint(self.host_key)

    @property
    def known_hosts_line(self) -> str:
        return f"[{self.host}]:{self.port} {self.host_key.get_name()} {self.host_key.get_base64()}"

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "host_key_fingerprint": self.host_key_fingerprint,
            "known_hosts_line": self.known_hosts_line,
            "root": str(self.root),
        }

    def _admin_extra(self, request: Any, path: str, body: dict[str, Any]) -> Any:

        if request.method == "POST" and path == "/_sim/snapshot":
            written = self.write_snapshot_now()
            return Response.json({"path": str(written) if written else None})
        if request.method == "POST" and path == "/_sim/catalog":
            return Response.json({"paths": [str(p) for p in self.write_catalog()]})
        return None

    # ----------------------------------------------------------------------------- ids
    def show_id(self, cinema_id: str, session_no: int) -> str:
        return show_id(self.state.session(cinema_id, session_no))

    def session_number(self, cinema_id: str, session_id: str) -> int:
        """ShowID `<FilmCode>|<yyyyMMddHHmm>|<Aud>` -> the state's session number."""
        parts = session_id.split("|")
        try:
            film, start, aud, *rest = parts
            revision = int(rest[0]) if len(rest) == 1 else (0 if not rest else -1)
            local = datetime.strptime(start, "%Y%m%d%H%M")
            session = self.state.session_at(cinema_id, int(aud), local)
        except (ValueError, UnknownSession):
            raise UnknownSession(f"unknown show {session_id!r} at {cinema_id}") from None
        if session.film.code != film:
            raise UnknownSession(f"show {session_id!r}: another film plays then")
        if session.revision != revision:  # an id the POS replaced when it re-issued the show
            raise UnknownSession(f"unknown show {session_id!r} at {cinema_id}")
        return session.number

    def session_id(self, session: Session) -> str:
        return show_id(session)

    def schedule_changed(self) -> None:
        self.write_schedule()

    # ----------------------------------------------------------------------------- writing
    def _write(self, directory: str, name: str, chunks: Iterable[str]) -> Path:
        """Write under `<name>.tmp`, then rename, so readers never see half a file."""
        final = self.root / directory / name
        tmp = final.with_name(name + ".tmp")
        with open(tmp, "w", encoding=ENCODING, newline="") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, final)
        return final

    def write_catalog(self) -> list[Path]:
        """sites, films, auditoria, one layout per auditorium, and the schedule."""
        state = self.state
        paths = [
            self._write(
                "outbound",
                "sites.csv",
                [
                    _csv_text(
                        [["SiteCode", "SiteName", "Town", "Country", "TZ", "Currency", "Lang"]]
                        + [
                            [
                                c.id,
                                c.name,
                                c.city.city,
                                c.city.country,
                                c.city.tz,
                                c.city.currency,
                                c.city.language,
                            ]
                            for c in state.cinemas
                        ]
                    )
                ],
            ),
            self._write(
                "outbound",
                "films.csv",
                [
                    _csv_text(
                        [
                            [
                                "FilmCode",
                                "Title",
                                "Lang",
                                "Minutes",
                                "Certificate",
                                "Genres",
                                "Synopsis",
                            ]
                        ]
                        + [
                            [
                                f.code,
                                title,
                                lang,
                                f.runtime,
                                f.rating,
                                "|".join(f.genres),
                                f.synopses.get(lang, ""),
                            ]
                            for f in state.flavour.films
                            for lang, title in f.titles.items()
                        ]
                    )
                ],
            ),
            self._write(
                "outbound",
                "auditoria.csv",
                [
                    _csv_text(
                        [["SiteCode", "Aud", "AudName", "Formats"]]
                        + [
                            [c.id, s.number, s.name, "|".join(s.formats)]
                            for c in state.cinemas
                            for s in state.screens(c)
                        ]
                    )
                ],
            ),
        ]
        rendered: dict[str, str] = {}
        for cinema in state.cinemas:
            for screen in state.screens(cinema):
                layout = screen.layout
                text = rendered.get(layout.key)
                if text is None:
                    text = rendered[layout.key] = _layout_csv(layout)
                paths.append(
                    self._write("outbound", f"layout_{cinema.id}_{screen.number}.csv", [text])
                )
        paths.append(self.write_schedule())
        return paths

    def write_schedule(self) -> Path:
        """The whole schedule as one file; older schedule files are removed once it is
        complete, so a reader never sees a show the POS has since cancelled or re-issued."""
        name = f"schedule_{_stamp(self.state.clock.now(), seconds=False)}.csv"
        path = self._write("outbound", name, self._schedule_chunks())
        for old in (self.root / "outbound").glob("schedule_*.csv"):
            if old.name != name:
                old.unlink(missing_ok=True)
        return path

    def _schedule_chunks(self) -> Iterator[str]:
        yield "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
        prices: dict[int, str] = {}
        for cinema in self.state.cinemas:
            lines = []
            for s in self.state.sessions(cinema):
                key = id(s.prices)
                price = prices.get(key)
                if price is None:
                    price = prices[key] = ",".join(
                        f"{p.ticket_type.code}:{p.category.code}:{_price(p.minor)}"
                        for p in s.prices
                    )
                minutes = int((s.end - s.start).total_seconds() // 60)
                start = f"{s.start:%Y%m%d%H%M}"
                lines.append(
                    f"{show_id(s)};{cinema.id};{s.film.code};"
                    f"{s.screen};{start};{minutes};{s.language};{s.format};{price}\r\n"
                )
            yield "".join(lines)

    def _track(self, events: list[SeatEvent]) -> None:
        with self._dirty_lock:
            self._dirty.update((e.cinema_id, e.session_no) for e in events)
        self._wake.set()

    def _on_events(self, events: list[SeatEvent]) -> None:
        pass  # no push: `_track` marks every change for the next seat snapshot

    def write_snapshot_now(self) -> Path | None:
        """Write `seats_<stamp>.csv` for every show that changed since the last snapshot now,
        instead of waiting for the timer. None when nothing changed."""
        self.state.expire_due()
        with self._snapshot_lock:
            with self._dirty_lock:
                dirty, self._dirty = self._dirty, set()
            if not dirty:
                return None
            now = self.state.clock.now().replace(microsecond=0)
            if self._last_stamp is not None and now <= self._last_stamp:
                now = self._last_stamp + timedelta(seconds=1)  # names stay unique and ordered
            self._last_stamp = now
            self._last_snapshot_at = self.state.clock.now()
            path = self._write(
                "outbound",
                f"seats_{_stamp(now, seconds=True)}.csv",
                self._snapshot_chunks(sorted(dirty)),
            )
            self.snapshots.append(path)
            return path

    def _snapshot_chunks(self, shows: list[tuple[str, int]]) -> Iterator[str]:
        yield "SiteCode;ShowID;RowIdx;ColIdx;Status\r\n"
        for cinema_id, number in shows:
            try:
                sid = self.show_id(cinema_id, number)
            except UnknownSession:
                continue  # cancelled or re-issued since it changed: no longer in the schedule
            yield "".join(
                f"{cinema_id};{sid};{seat.row};{seat.col};{STATUS[status]}\r\n"
                for seat, status in self.state.seat_plan(cinema_id, number)
            )

    # ----------------------------------------------------------------------------- loop
    def _wake_up(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                return
            if self.knobs.down:
                continue  # a POS that is down neither answers nor writes
            try:
                self.process_inbound_now()
                self.state.expire_due()  # expired holds show as available in the next snapshot
                due = self._last_snapshot_at + timedelta(seconds=self.snapshot_seconds)
                if self._dirty and self.state.clock.now() >= due:
                    self.write_snapshot_now()
            except Exception:  # a bad file or full disk must not stop the POS
                traceback.print_exc()

    # ----------------------------------------------------------------------------- requests
    def process_inbound_now(self) -> list[Path]:
        """Answer every complete request file in /inbound (also done by the background loop)."""
        inbound = self.root / "inbound"
        acks = []
        with self._inbound_lock:
            found = []
            for p in inbound.iterdir():
                if p.name.startswith("req_") and p.suffix != ".tmp":
                    with contextlib.suppress(FileNotFoundError):
                        found.append((p.stat().st_mtime_ns, p.name))
            for _, name in sorted(found):  # in the order they arrived
                path = inbound / name
                ack = self._process(path)
                path.unlink(missing_ok=True)
                if ack is not None:
                    acks.append(ack)
        return acks

    def _process(self, path: Path) -> Path | None:
        match = REQUEST_FILE.fullmatch(path.name)
        if match is None:
            return None  # no RequestId we could name an ack after; the file is dropped
        request_id = match.group(1)
        if request_id in self._answered:  # a file dropped twice: answered, never re-applied
            return self._ack(self._answered[request_id])
        try:
            row = self._apply(request_id, path.read_bytes())
        except _Ack as ack:
            row = [request_id, ack.result, ack.order_ref, ack.detail]
        if row[1] != "ERROR":  # errors changed nothing: the same RequestId may be retried
            self._answered[request_id] = row
        return self._ack(row)

    def _ack(self, row: list[str]) -> Path:
        return self._write("ack", f"ack_{row[0]}.csv", [_csv_text([ACK_COLUMNS, row])])

    def _apply(self, request_id: str, raw: bytes) -> list[str]:
        text = raw.decode(ENCODING)  # every byte string is Latin-1: fields are checked below
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
        rows = [r for r in rows if any(cell.strip() for cell in r)]
        if not rows or rows[0] != REQUEST_COLUMNS:
            raise _Ack("ERROR", "header must be " + ";".join(REQUEST_COLUMNS))
        if len(rows) != 2 or len(rows[1]) != len(REQUEST_COLUMNS):
            raise _Ack("ERROR", "exactly one request row with 7 fields expected")
        fields = dict(zip(REQUEST_COLUMNS, (c.strip() for c in rows[1]), strict=True))
        if fields["RequestId"] != request_id:
            raise _Ack("ERROR", "RequestId does not match the file name")
        if self.should_fail():
            raise _Ack("ERROR", "POS busy (simulated failure), retry")
        action, ref = fields["Action"].upper(), fields["OrderRef"]
        try:
            if action == "HOLD":
                return self._hold(request_id, fields)
            if not ref:
                raise _Ack("ERROR", f"{action} needs an OrderRef")
            if action == "CONFIRM":
                self.state.complete(ref, booking_ref=ref)
            elif action == "RELEASE":
                if self.state.order(ref).state == "completed":
                    raise _Ack("ERROR", "order is confirmed: CANCEL it", ref)
                self.state.cancel(ref)
            elif action == "CANCEL":
                self.state.cancel(ref)
            else:
                raise _Ack("ERROR", f"unknown Action {fields['Action']!r}")
            return [request_id, "OK", ref, ""]
        except SeatsUnavailable as exc:
            raise _Ack("UNAVAILABLE", _seats(exc.seats), ref) from None
        except OrderExpired as exc:
            raise _Ack("EXPIRED", str(exc), ref) from None
        except OrderNotFound as exc:
            raise _Ack("ERROR", str(exc), ref) from None
        except UnknownSession as exc:
            raise _Ack("UNKNOWN_SHOW", str(exc), ref) from None
        except SimError as exc:
            raise _Ack("ERROR", str(exc), ref) from None

    def _hold(self, request_id: str, fields: dict[str, str]) -> list[str]:
        site = fields["SiteCode"]
        try:
            self.state.cinema(site)
        except InvalidRequest:
            raise _Ack("UNKNOWN_SHOW", f"unknown site {site!r}") from None
        number = self.session_number(site, fields["ShowID"])
        session = self.state.session(site, number)
        layout = self.state.screen(session.cinema, session.screen).layout
        seats: list[SeatPos] = []
        for pair in filter(None, fields["Seats"].split("|")):
            try:
                row, col = (int(x) for x in pair.split(":"))
                seats.append(layout.by_row_col[(row, col)].pos)
            except (ValueError, KeyError):
                raise _Ack("ERROR", f"unknown seat {pair!r}") from None
        try:
            minutes = int(fields["HoldMinutes"] or 8)
        except ValueError:
            raise _Ack("ERROR", "HoldMinutes must be an integer") from None
        if not 1 <= minutes <= 60:
            raise _Ack("ERROR", "HoldMinutes must be between 1 and 60")
        order = self.state.hold(
            site,
            number,
            seats,
            minutes * 60,
            key=f"req:{request_id}",
            order_id=fields["OrderRef"] or None,
        )
        return [request_id, "OK", order.order_id, ""]


def _seats(positions: Iterable[SeatPos]) -> str:
    return "|".join(f"{row}:{col}" for _, row, col in positions)


def _layout_csv(layout: Layout) -> str:
    rows: list[list[Any]] = [["Row", "SeatNo", "RowIdx", "ColIdx", "Category", "Flags", "Group"]]
    for area in layout.areas:
        for row in area.rows:
            for seat in row.seats:
                flags = [
                    f
                    for f, on in (
                        ("W", seat.style == "Wheelchair"),
                        ("C", seat.style == "Companion"),
                        ("H", seat.house),
                        ("B", seat.broken),
                    )
                    if on
                ]
                rows.append(
                    [
                        row.letter,
                        seat.number,
                        seat.row,
                        seat.col,
                        area.category.code,
                        "|".join(flags),
                        seat.group or "",
                    ]
                )
    return _csv_text(rows)


def _public_key(path: Path) -> paramiko.PKey:
    """A public key in OpenSSH one-line format (`ecdsa-sha2-nistp256 AAAA... comment`)."""
    kind, data = path.read_text().split()[:2]
    return paramiko.PKey.from_type_string(kind, base64.b64decode(data))
