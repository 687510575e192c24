"""The show a booking mail is about, as the customer reads it: movie title (in the customer's
language when the catalog has it), theatre, screen, and the start in the theatre's own time zone.

The booking handler sends the booking (with its show id); the catalog says the rest. A
notification whose context already carries `show` (movie, theatre, screen, start, timezone) is
taken as it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from store import catalog
from store.engine import make_engine


@dataclass(frozen=True)
class ShowFacts:
    movie: str
    theatre: str
    screen: str
    start: datetime  # timezone-aware
    timezone: str  # the theatre's IANA zone

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @classmethod
    def from_context(cls, value: Mapping[str, Any]) -> ShowFacts:
        start = value["start"]
        return cls(
            movie=str(value.get("movie") or ""),
            theatre=str(value.get("theatre") or ""),
            screen=str(value.get("screen") or ""),
            start=start if isinstance(start, datetime) else datetime.fromisoformat(str(start)),
            timezone=str(value.get("timezone") or "UTC"),
        )


ShowLookup = Callable[[str, Sequence[str]], "ShowFacts | None"]


class CatalogShows:
    """Reads a show's facts from the catalog. The engine is made on first use when only a
    database URL is given: most notifiers (a password-reset mail) never need it.

    Facts are kept `keep_seconds` per show and language: a sale's hundreds of e-tickets for one
    show cost four catalog reads, not four each, and a show changed in the catalog reads right
    again within seconds."""

    KEPT = 256

    def __init__(
        self,
        engine: Engine | None = None,
        database_url: str | None = None,
        *,
        keep_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if engine is None and database_url is None:
            raise ValueError("CatalogShows needs an engine or a database URL")
        self._engine = engine
        self._url = database_url
        self._lock = threading.Lock()
        self.keep_seconds = keep_seconds
        self._clock = clock
        self._kept: dict[tuple[str, tuple[str, ...]], tuple[float, ShowFacts | None]] = {}

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                assert self._url is not None
                self._engine = make_engine(self._url, pool_size=1)
            return self._engine

    def __call__(self, show_id: str, languages: Sequence[str]) -> ShowFacts | None:
        key = (show_id, tuple(languages))
        now = self._clock()
        hit = self._kept.get(key)
        if hit is not None and now - hit[0] < self.keep_seconds:
            return hit[1]
        facts = self._read(show_id, languages)
        if len(self._kept) >= self.KEPT:
            self._kept.clear()  # bounded; refilled from the catalog
        self._kept[key] = (now, facts)
        return facts

    def _read(self, show_id: str, languages: Sequence[str]) -> ShowFacts | None:
        with self.engine().connect() as conn:
            show = catalog.get_show(conn, show_id)
            if show is None:
                return None
            theatre = catalog.get_theatre(conn, show.theatre_id)
            movie = catalog.get_movie(conn, show.movie_id)
            screens = {s.id: s.name for s in catalog.list_screens(conn, show.theatre_id)}
        if theatre is None:
            return None
        title = movie.title.resolve(languages, movie.original_language) if movie else None
        return ShowFacts(
            movie=title or show.movie_id,
            theatre=theatre.name,
            screen=screens.get(show.screen_id, show.screen_id),
            start=show.start,
            timezone=theatre.timezone,
        )


# Month and weekday names per template language: the mail says the date the way the customer
# reads it, without a locale database on the server.
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "hi": "जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर",
    "ta": "ஜனவரி பிப்ரவரி மார்ச் ஏப்ரல் மே ஜூன் ஜூலை ஆகஸ்ட் செப்டம்பர் அக்டோபர் நவம்பர் டிசம்பர்",
}
_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "hi": "सोमवार मंगलवार बुधवार गुरुवार शुक्रवार शनिवार रविवार",
    "ta": "திங்கள் செவ்வாய் புதன் வியாழன் வெள்ளி சனி ஞாயிறு",
}


def show_time(facts: ShowFacts, language: str) -> str:
    """`Saturday, 5 December 2026, 14:00 IST` in the theatre's zone (24-hour clock: no AM/PM
    words to translate). The zone's abbreviation is kept so a traveller is not misled."""
    local = facts.local_start
    lang = language if language in _MONTHS else "en"
    weekday = _WEEKDAYS[lang].split()[local.weekday()]
    month = _MONTHS[lang].split()[local.month - 1]
    zone = local.tzname() or facts.timezone
    return f"{weekday}, {local.day} {month} {local.year}, {local:%H:%M} {zone}"
