"""`filmdrop`: a cinema chain's back office that exports its catalog to an SFTP server in
dated folders (docs/vendors/filmdrop.md). Export only: Marquee reads, sells nothing here.

What makes it unlike the shipped systems: one folder per export day (`/export/YYYYMMDD/`),
JSON files over SFTP next to Windows-1252 CSV files, film lists re-exported during the day
(the newest file is the one to read), full and delta session exports told apart by the file
name, Brazilian decimal commas, film codes with leading zeros, seats listed in any order
with an x coordinate, and the occasional malformed line a real export has.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Self

import paramiko

from simulators.sftpserver import SFTPDropServer

CINEMAS = (
    {
        "id": "SP01",
        "name": "FilmDrop Paulista",
        "city": "São Paulo",
        "country": "br",
        "tz": "America/Sao_Paulo",
        "currency": "BRL",
        "locale": "pt_BR",
    },
    {
        "id": "RJ02",
        "name": "FilmDrop Botafogo",
        "city": "Rio de Janeiro",
        "country": "br",
        "tz": "America/Sao_Paulo",
        "currency": "BRL",
        "locale": "pt_BR",
    },
)
FILMS = (
    ("031", "O Auto da Compadecida", 104, "12", ["Comédia"], "pt_BR", "A Dog's Will"),
    ("007", "Cidade de Deus", 130, "16", ["Drama", "Crime"], "pt_BR", "City of God"),
    ("112", "Central do Brasil", 113, "L", ["Drama"], "pt_BR", "Central Station"),
)
ROOMS = 2
ROWS = "ABCD"
SEATS = 6
SLOTS = ("19:00", "21:30")
HEADER = "SessionId;Cinema;Room;Film;Date;Time;Minutes;Audio;Format;Prices"
ENCODING = "cp1252"


@dataclass(frozen=True)
class Session:
    id: str
    cinema: str
    room: int
    film: str
    day: date
    time: str
    minutes: int
    audio: str
    format: str

    def row(self) -> str:
        prices = "INT:32,00|MEIA:16,00"
        return ";".join(
            [
                self.id,
                self.cinema,
                str(self.room),
                self.film,
                self.day.strftime("%d/%m/%Y"),
                self.time,
                str(self.minutes),
                self.audio,
                self.format,
                prices,
            ]
        )


class FilmDropSimulator:
    """An SFTP server on 127.0.0.1 over a folder tree the simulator writes as the vendor
    would. `write_export(day)` writes a whole day's export (full sessions file included);
    `write_delta(day, ...)` adds a delta file to a day's folder."""

    def __init__(
        self,
        root: Path | None = None,
        days: int = 2,
        username: str = "marquee",
        inbox: str | None = None,
    ) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="filmdrop-"))
        self._own_root = root is None
        self.days = days
        self.username, self.password = username, "filmdrop-pass"
        self.host = "127.0.0.1"
        self.host_key = paramiko.ECDSAKey.generate()
        # `inbox`: a folder Marquee may drop files in (its allocation sales report); none by
        # default, as the back office takes nothing.
        self.inbox = inbox
        if inbox is not None:
            (self.root / inbox.strip("/")).mkdir(parents=True, exist_ok=True)
        writable = (inbox,) if inbox else ()
        self.server = SFTPDropServer(
            self.root,
            self.username,
            self.password,
            self.host_key,
            [],
            self.host,
            0,
            writable=writable,
            removable=("/export", *writable),
            movable=("/export", *writable),
        )
        self._stamp = 600  # HHMM of the next file written

    # ------------------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def known_hosts_line(self) -> str:
        key = self.host_key
        return f"[{self.host}]:{self.port} {key.get_name()} {key.get_base64()}"

    # ------------------------------------------------------------------------- the world
    def sessions(self, first: date, cinemas: tuple[str, ...] | None = None) -> list[Session]:
        out = []
        for ci, cinema in enumerate(CINEMAS):
            if cinemas is not None and cinema["id"] not in cinemas:
                continue
            for day in range(self.days):
                when = first + timedelta(days=day)
                for room in range(1, ROOMS + 1):
                    for slot, at in enumerate(SLOTS):
                        film = FILMS[(day + room + slot + ci) % len(FILMS)]
                        out.append(
                            Session(
                                id=f"{ci + 1}{when:%m%d}{room}{slot}",
                                cinema=str(cinema["id"]),
                                room=room,
                                film=film[0],
                                day=when,
                                time=at,
                                minutes=film[2] + 20,
                                audio="pt_BR" if slot == 0 else "en_US",
                                format="3D" if room == 2 and slot == 1 else "2D",
                            )
                        )
        return out

    def folder(self, day: date) -> Path:
        path = self.root / "export" / f"{day:%Y%m%d}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _next_stamp(self) -> str:
        stamp = f"{self._stamp:04d}"
        self._stamp += 1
        return stamp

    def _write(self, path: Path, data: bytes) -> None:
        temp = path.with_name(path.name + ".part")  # written under a temp name, then renamed
        temp.write_bytes(data)
        temp.rename(path)

    # ------------------------------------------------------------------------- exports
    def write_export(
        self,
        day: date,
        *,
        malformed: bool = True,
        drop: tuple[str, ...] = (),
        cinemas: tuple[str, ...] | None = None,
    ) -> list[Session]:
        """A day's export: cinemas.json, an old and a newer films_HHMM.json, rooms.json and
        sessions_full_HHMM.csv. `malformed` adds three bad lines to the sessions file (bad
        quoting, a byte that is not Windows-1252, a missing column); `drop` leaves sessions
        out; `cinemas` limits the sessions file to those cinemas."""
        folder = self.folder(day)
        self._write(folder / "cinemas.json", _json({"cinemas": list(CINEMAS)}))
        # The film list is exported twice a day; the older one still lacks a title.
        self._write(folder / f"films_{self._next_stamp()}.json", _json(_films(FILMS[:1])))
        self._write(folder / f"films_{self._next_stamp()}.json", _json(_films(FILMS)))
        self._write(folder / "rooms.json", _json({"rooms": _rooms()}))
        sessions = [s for s in self.sessions(day, cinemas) if s.id not in drop]
        lines = [HEADER] + [s.row() for s in sessions]
        data = ("\r\n".join(lines) + "\r\n").encode(ENCODING)
        if malformed:
            data += (
                b'9999901;SP01;1;031;"05/12/2026"x;19:00;124;pt_BR;2D;INT:32,00\r\n'
                b"9999902;SP01;1;007;05/12/2026;19:00;150;pt_BR;2D\x81;INT:32,00\r\n"
                b"9999903;SP01;1;112;05/12/2026;19:00\r\n"
            )
        self._write(folder / f"sessions_full_{self._next_stamp()}.csv", data)
        return sessions

    def write_delta(self, day: date, sessions: list[Session]) -> str:
        """A delta file naming only `sessions` (new or changed); it cancels nothing."""
        name = f"sessions_delta_{self._next_stamp()}.csv"
        lines = [HEADER] + [s.row() for s in sessions]
        self._write(self.folder(day) / name, ("\r\n".join(lines) + "\r\n").encode(ENCODING))
        return name


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _films(films: tuple) -> dict[str, Any]:
    return {
        "films": [
            {
                "code": code,
                "title": title,
                "minutes": minutes,
                "rating": rating,
                "genres": genres,
                "locale": locale,
                "titles": {"en_US": english},
            }
            for code, title, minutes, rating, genres, locale, english in films
        ]
    }


def _rooms() -> list[dict[str, Any]]:
    out = []
    for cinema in CINEMAS:
        for room in range(1, ROOMS + 1):
            rows = []
            for index, letter in enumerate(ROWS):
                # Seats come in the order the box office drew them: by x coordinate only.
                seats = [
                    {"col": col, "x": 40 * col + 10, "number": str(SEATS - col)}
                    for col in (3, 0, 5, 1, 4, 2)
                ]
                if letter == "D":
                    seats[1]["wheelchair"] = True
                rows.append({"row": letter, "index": index, "seats": seats})
            out.append(
                {
                    "cinema": cinema["id"],
                    "room": str(room),
                    "name": f"Sala {room}",
                    "formats": ["2D", "3D"],
                    "rows": rows,
                }
            )
    return out
