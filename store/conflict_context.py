"""What an admin reads beside a sync conflict: the film, the theatre, the show's start in the
theatre's own time, the seat's printed label, the customer's booking reference and what the POS
said about the seat.

A conflict row keeps only ids (it is written on the hot push path, which must not read the
catalog for it), so the context is read here, once per page of conflicts: each show, theatre,
movie, layout and booking once however many conflicts name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from canonical.time import zone
from store import catalog
from store.tables import bookings, shows, theatres


@dataclass(frozen=True)
class ConflictContext:
    movie_title: str | None = None
    theatre_id: str | None = None
    theatre_name: str | None = None
    theatre_timezone: str | None = None
    show_local_start: str | None = None
    seat_label: str | None = None
    booking_code: str | None = None
    booking_status: str | None = None
    booking_seat_labels: list[str] = field(default_factory=list)
    pos_status: str | None = None
    pos_ref: str | None = None


def _title(movie: Any) -> str | None:
    titles = movie.title.values
    return titles.get(movie.original_language) or next(iter(titles.values()), None)


def _ids(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values if v})


def contexts(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[ConflictContext]:
    """One context per conflict row, in the rows' order. Anything no longer there (a show
    removed, a booking of another database) is simply left out."""
    booking_ids = _ids((r.get("detail") or {}).get("booking_id") for r in rows)
    booked = {
        b.id: b
        for b in conn.execute(
            select(bookings.c.id, bookings.c.code, bookings.c.status, bookings.c.tickets).where(
                bookings.c.id.in_(booking_ids)
            )
        )
    }
    show_ids = _ids(r.get("show_id") for r in rows)
    show_rows = {
        s.id: s
        for s in conn.execute(
            select(
                shows.c.id,
                shows.c.movie_id,
                shows.c.theatre_id,
                shows.c.layout_id,
                shows.c.start_at,
            ).where(shows.c.id.in_(show_ids))
        )
    }
    theatre_rows = {
        t.id: t
        for t in conn.execute(
            select(theatres.c.id, theatres.c.name, theatres.c.timezone).where(
                theatres.c.id.in_(_ids(s.theatre_id for s in show_rows.values()))
            )
        )
    }
    titles = {}
    for movie_id in _ids(s.movie_id for s in show_rows.values()):
        movie = catalog.get_movie(conn, movie_id)
        titles[movie_id] = _title(movie) if movie else None
    labels: dict[str, dict[str, str]] = {}
    for layout_id in _ids(s.layout_id for s in show_rows.values()):
        layout = catalog.get_layout(conn, layout_id)
        labels[layout_id] = {seat.id: seat.label for seat in layout.seats()} if layout else {}

    out = []
    for row in rows:
        detail = row.get("detail") or {}
        show = show_rows.get(row.get("show_id") or "")
        theatre = theatre_rows.get(show.theatre_id) if show else None
        seat_names = labels.get(show.layout_id, {}) if show else {}
        booking = booked.get(str(detail.get("booking_id") or ""))
        seat_id = row.get("seat_id")
        out.append(
            ConflictContext(
                movie_title=titles.get(show.movie_id) if show else None,
                theatre_id=show.theatre_id if show else None,
                theatre_name=theatre.name if theatre else None,
                theatre_timezone=theatre.timezone if theatre else None,
                show_local_start=(
                    show.start_at.astimezone(zone(theatre.timezone)).isoformat()
                    if show and theatre
                    else None
                ),
                seat_label=seat_names.get(seat_id, seat_id) if seat_id else None,
                booking_code=booking.code if booking else None,
                booking_status=booking.status if booking else None,
                booking_seat_labels=_booked_labels(booking),
                pos_status=_text(detail.get("pos_status")),
                pos_ref=_text(detail.get("pos_ref")),
            )
        )
    return out


def _booked_labels(booking: Any) -> list[str]:
    """The labels printed on the booking's tickets (a ticket keeps the label it was sold with)."""
    if booking is None:
        return []
    tickets = [t for t in booking.tickets or [] if isinstance(t, dict)]
    return [str(t.get("label") or t.get("seat_id")) for t in tickets]


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
