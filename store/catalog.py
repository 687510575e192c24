"""Catalog persistence: canonical objects in, canonical objects out.

Writes are idempotent upserts keyed by canonical id (imports derive ids from external ids, so a
re-import rewrites the same rows). A show's seat inventory is created with the show and never
rewritten by a catalog import: inventory belongs to the booking flow and to inventory sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, and_, exists, func, select

from canonical import LocalizedText, Movie, Screen, SeatLayout, Show, ShowStatus, Theatre
from canonical.time import utcnow
from store import movie_matching, seats
from store.tables import movie_translations, movies, screens, seat_layouts, shows, theatres
from store.upsert import upsert


def save_theatre(conn: Connection, theatre: Theatre) -> None:
    row = theatre.model_dump(mode="json", exclude={"external_refs"})
    row["rules"] = row.pop("rules")
    row["updated_at"] = utcnow()
    upsert(conn, theatres, row, ["id"])


def save_screen(conn: Connection, screen: Screen) -> None:
    row = screen.model_dump(mode="json", exclude={"external_refs"})
    row["formats"] = list(screen.formats)
    row["updated_at"] = utcnow()
    upsert(conn, screens, row, ["id"])


def save_layout(conn: Connection, layout: SeatLayout) -> None:
    upsert(
        conn,
        seat_layouts,
        {
            "id": layout.id,
            "screen_id": layout.screen_id,
            "version": layout.version,
            "seat_count": len(layout.seats()),
            "body": layout.model_dump(mode="json"),
            "updated_at": utcnow(),
        },
        ["id"],
    )


def save_movie(conn: Connection, movie: Movie) -> None:
    """Upsert a movie. A new one is matched against the movies already listed (one film, one
    movie: store.movie_matching)."""
    is_new = not conn.execute(select(exists().where(movies.c.id == movie.id))).scalar()
    upsert(
        conn,
        movies,
        {
            "id": movie.id,
            "original_language": movie.original_language,
            "runtime_minutes": movie.runtime_minutes,
            "genres": list(movie.genres),
            "rating": movie.rating,
            "release_date": movie.release_date,
            "updated_at": utcnow(),
        },
        ["id"],
    )
    save_translations(conn, movie.id, movie.title, movie.synopsis)
    movie_matching.record_global_ids(conn, [movie])
    if is_new:
        movie_matching.match_new(conn, [movie.id], [movie])


def save_translations(
    conn: Connection, movie_id: str, title: LocalizedText, synopsis: LocalizedText
) -> None:
    languages = set(title.values) | set(synopsis.values)
    rows = [
        {
            "movie_id": movie_id,
            "language": lang,
            "title": title.values.get(lang),
            "synopsis": synopsis.values.get(lang),
        }
        for lang in sorted(languages)
    ]
    for row in rows:
        # A translation feed may carry only a title or only a synopsis: keep what we had.
        update = [c for c in ("title", "synopsis") if row[c] is not None]
        upsert(conn, movie_translations, row, ["movie_id", "language"], update=update)


def save_show(conn: Connection, show: Show, layout: SeatLayout) -> bool:
    """Upsert a show; create its seat inventory the first time. Returns True if it was new."""
    is_new = not conn.execute(select(exists().where(shows.c.id == show.id))).scalar()
    row = show.model_dump(mode="json", exclude={"external_refs", "start", "end", "status"})
    row["reported_status"] = show.status.value
    row["experiences"] = list(show.experiences)
    row["movie_id"] = movie_matching.resolve(conn, [show.movie_id]).get(
        show.movie_id, show.movie_id
    )
    row |= {
        "start_at": show.start,
        "end_at": show.end,
        "business_date": show.business_date,
        "layout_id": layout.id,
        "format": show.format.value,
        "sales_channels": sorted(c.value for c in show.sales_channels),
        "updated_at": utcnow(),
    }
    upsert(conn, shows, row, ["id"])
    if is_new:
        seats.seed_show(conn, show.id, layout)
    return is_new


# ---- reads -------------------------------------------------------------------------------


def theatre_from_row(row) -> Theatre:
    data = dict(row._mapping)
    data.pop("updated_at", None)
    return Theatre.model_validate(data)


def get_theatre(conn: Connection, theatre_id: str) -> Theatre | None:
    row = conn.execute(select(theatres).where(theatres.c.id == theatre_id)).first()
    return theatre_from_row(row) if row else None


def list_theatres(conn: Connection, city: str | None = None) -> list[Theatre]:
    query = select(theatres).order_by(theatres.c.city, theatres.c.name)
    if city:
        query = query.where(func.lower(theatres.c.city) == city.lower())
    return [theatre_from_row(r) for r in conn.execute(query)]


def list_screens(conn: Connection, theatre_id: str) -> list[Screen]:
    rows = conn.execute(
        select(screens).where(screens.c.theatre_id == theatre_id).order_by(screens.c.name)
    )
    return [
        Screen(
            id=r.id,
            theatre_id=r.theatre_id,
            name=r.name,
            formats=tuple(r.formats),
            layout_id=r.layout_id,
            licensed_capacity=r.licensed_capacity,
        )
        for r in rows
    ]


def get_layout(conn: Connection, layout_id: str) -> SeatLayout | None:
    body = conn.execute(select(seat_layouts.c.body).where(seat_layouts.c.id == layout_id)).scalar()
    return SeatLayout.model_validate(body) if body is not None else None


def _translations(conn: Connection, movie_ids: Iterable[str]) -> dict[str, tuple[dict, dict]]:
    out: dict[str, tuple[dict, dict]] = {}
    ids = list(movie_ids)
    if not ids:
        return out
    for r in conn.execute(select(movie_translations).where(movie_translations.c.movie_id.in_(ids))):
        titles, synopses = out.setdefault(r.movie_id, ({}, {}))
        if r.title:
            titles[r.language] = r.title
        if r.synopsis:
            synopses[r.language] = r.synopsis
    return out


def _movie(row, texts: tuple[dict, dict]) -> Movie:
    return Movie(
        id=row.id,
        title=LocalizedText(values=texts[0]),
        synopsis=LocalizedText(values=texts[1]),
        original_language=row.original_language,
        runtime_minutes=row.runtime_minutes,
        genres=tuple(row.genres),
        rating=row.rating,
        release_date=row.release_date,
    )


def get_movie(conn: Connection, movie_id: str) -> Movie | None:
    row = conn.execute(select(movies).where(movies.c.id == movie_id)).first()
    if not row:
        return None
    return _movie(row, _translations(conn, [movie_id]).get(movie_id, ({}, {})))


def list_movies(
    conn: Connection,
    *,
    city: str | None = None,
    language: str | None = None,
    day: date | None = None,
    genre: str | None = None,
    fmt: str | None = None,
    now: datetime | None = None,
) -> list[Movie]:
    """Movies with at least one upcoming show matching the filters."""
    show_filter = [shows.c.movie_id == movies.c.id, shows.c.status == "scheduled"]
    show_filter.append(shows.c.start_at >= (now or utcnow()))
    if city:
        show_filter.append(
            shows.c.theatre_id.in_(
                select(theatres.c.id).where(func.lower(theatres.c.city) == city.lower())
            )
        )
    if language:
        show_filter.append(shows.c.language == language)
    if day:
        show_filter.append(shows.c.business_date == day)
    if fmt:
        show_filter.append(shows.c.format == fmt)
    rows = list(conn.execute(select(movies).where(exists().where(and_(*show_filter)))))
    if genre:
        rows = [r for r in rows if genre.lower() in (g.lower() for g in r.genres)]
    texts = _translations(conn, [r.id for r in rows])
    return sorted((_movie(r, texts.get(r.id, ({}, {}))) for r in rows), key=lambda m: m.id)


def show_from_row(row) -> Show:
    return Show(
        id=row.id,
        movie_id=row.movie_id,
        theatre_id=row.theatre_id,
        screen_id=row.screen_id,
        start=row.start_at,
        end=row.end_at,
        business_date=row.business_date,
        language=row.language,
        format=row.format,
        ticket_types=row.ticket_types,
        sales_channels=row.sales_channels,
        sales_cutoff_minutes=row.sales_cutoff_minutes,
        sales_after_start_minutes=row.sales_after_start_minutes or 0,
        sales_open_minutes_before=row.sales_open_minutes_before,
        subtitle_language=row.subtitle_language,
        experiences=tuple(row.experiences or ()),
        status=row.reported_status or ShowStatus.SCHEDULED,
        booking_fee=row.booking_fee,
    )


def get_show(conn: Connection, show_id: str) -> Show | None:
    row = conn.execute(select(shows).where(shows.c.id == show_id)).first()
    return show_from_row(row) if row else None


def show_layout_id(conn: Connection, show_id: str) -> str | None:
    return conn.execute(select(shows.c.layout_id).where(shows.c.id == show_id)).scalar()


def list_shows(
    conn: Connection,
    *,
    movie_id: str | None = None,
    theatre_id: str | None = None,
    city: str | None = None,
    day: date | None = None,
    language: str | None = None,
    fmt: str | None = None,
    start_after: datetime | None = None,
    limit: int = 500,
) -> list[Show]:
    query = select(shows).where(shows.c.status == "scheduled")
    if movie_id:
        query = query.where(shows.c.movie_id == movie_id)
    if theatre_id:
        query = query.where(shows.c.theatre_id == theatre_id)
    if city:
        query = query.where(
            shows.c.theatre_id.in_(
                select(theatres.c.id).where(func.lower(theatres.c.city) == city.lower())
            )
        )
    if day:
        query = query.where(shows.c.business_date == day)
    if language:
        query = query.where(shows.c.language == language)
    if fmt:
        query = query.where(shows.c.format == fmt)
    if start_after:
        query = query.where(shows.c.start_at >= start_after)
    query = query.order_by(shows.c.start_at, shows.c.id).limit(limit)
    return [show_from_row(r) for r in conn.execute(query)]
