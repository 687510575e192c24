"""What a customer reads about a show besides its id: the screen's name, and for a booking the
movie title (in the reader's language), theatre, screen and local start. One lookup per
theatre and movie, however many shows or bookings a page lists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from api.schemas_booking import BookingShowOut
from canonical import Movie, Theatre
from canonical.time import zone
from store import catalog


def screen_names(conn: Connection, theatre_ids: Iterable[str]) -> dict[str, str]:
    """Screen id -> name for every screen of these theatres."""
    return {
        screen.id: screen.name
        for theatre_id in set(theatre_ids)
        for screen in catalog.list_screens(conn, theatre_id)
    }


def booking_shows(
    conn: Connection, show_ids: Iterable[str], languages: list[str]
) -> dict[str, BookingShowOut]:
    """Show id -> what a booking of it says about it; shows no longer in the catalog are left
    out (the booking still lists with its show id)."""
    theatres: dict[str, Theatre | None] = {}
    movies: dict[str, Movie | None] = {}
    screens: dict[str, dict[str, str]] = {}
    out: dict[str, BookingShowOut] = {}
    for show_id in set(show_ids):
        show = catalog.get_show(conn, show_id)
        if show is None:
            continue
        if show.theatre_id not in theatres:
            theatres[show.theatre_id] = catalog.get_theatre(conn, show.theatre_id)
            screens[show.theatre_id] = screen_names(conn, [show.theatre_id])
        if show.movie_id not in movies:
            movies[show.movie_id] = catalog.get_movie(conn, show.movie_id)
        theatre = theatres[show.theatre_id]
        movie = movies[show.movie_id]
        if theatre is None:
            continue
        title_language = (
            movie.title.resolve_tag(languages, movie.original_language) if movie else None
        )
        out[show_id] = BookingShowOut(
            movie_id=show.movie_id,
            movie_title=movie.title.values[title_language] if movie and title_language else None,
            title_language=title_language,
            theatre_id=theatre.id,
            theatre_name=theatre.name,
            screen_id=show.screen_id,
            screen_name=screens[show.theatre_id].get(show.screen_id),
            start=show.start,
            local_start=show.start.astimezone(zone(theatre.timezone)).isoformat(),
            timezone=theatre.timezone,
            format=show.format.value,
            language=show.language,
        )
    return out
