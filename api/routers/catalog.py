"""Read-only catalog: theatres, movies, shows and a show's live seat map."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import Connection

from api.deps import get_conn, preferred_languages
from api.schemas import MovieOut, PriceOut, SeatMapOut, SeatOut, ShowOut, TheatreOut
from canonical.time import utcnow
from store import catalog, seats

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get("/theatres", response_model=list[TheatreOut], summary="Theatres, optionally by city")
def list_theatres(
    city: str | None = Query(None, examples=["Chennai"]), conn: Connection = Depends(get_conn)
) -> list[TheatreOut]:
    return [TheatreOut.of(t) for t in catalog.list_theatres(conn, city)]


@router.get("/theatres/{theatre_id}", response_model=TheatreOut)
def get_theatre(theatre_id: str, conn: Connection = Depends(get_conn)) -> TheatreOut:
    theatre = catalog.get_theatre(conn, theatre_id)
    if not theatre:
        raise HTTPException(404, f"no theatre {theatre_id!r}")
    return TheatreOut.of(theatre)


@router.get("/movies", response_model=list[MovieOut], summary="Movies now showing")
def list_movies(
    city: str | None = None,
    language: str | None = None,
    date_: date | None = Query(None, alias="date"),
    genre: str | None = None,
    format_: str | None = Query(None, alias="format"),
    conn: Connection = Depends(get_conn),
    langs: list[str] = Depends(preferred_languages),
) -> list[MovieOut]:
    movies = catalog.list_movies(
        conn, city=city, language=language, day=date_, genre=genre, fmt=format_
    )
    return [MovieOut.of(m, langs) for m in movies]


@router.get("/movies/{movie_id}", response_model=MovieOut)
def get_movie(
    movie_id: str,
    conn: Connection = Depends(get_conn),
    langs: list[str] = Depends(preferred_languages),
) -> MovieOut:
    movie = catalog.get_movie(conn, movie_id)
    if not movie:
        raise HTTPException(404, f"no movie {movie_id!r}")
    return MovieOut.of(movie, langs)


@router.get("/shows", response_model=list[ShowOut], summary="Upcoming shows")
def list_shows(
    movie_id: str | None = None,
    theatre_id: str | None = None,
    city: str | None = None,
    date_: date | None = Query(None, alias="date"),
    language: str | None = None,
    format_: str | None = Query(None, alias="format"),
    conn: Connection = Depends(get_conn),
) -> list[ShowOut]:
    shows = catalog.list_shows(
        conn,
        movie_id=movie_id,
        theatre_id=theatre_id,
        city=city,
        day=date_,
        language=language,
        fmt=format_,
        start_after=utcnow(),
    )
    zones = {t.id: t.timezone for t in catalog.list_theatres(conn)}
    return [ShowOut.of(s, zones[s.theatre_id]) for s in shows]


@router.get("/shows/{show_id}/seat-map", response_model=SeatMapOut, summary="Live seat map")
def seat_map(show_id: str, conn: Connection = Depends(get_conn)) -> SeatMapOut:
    show = catalog.get_show(conn, show_id)
    layout_id = catalog.show_layout_id(conn, show_id)
    layout = catalog.get_layout(conn, layout_id) if layout_id else None
    if not show or not layout:
        raise HTTPException(404, f"no show {show_id!r}")
    states = {row.seat_id: row for row in seats.seat_rows(conn, show_id, utcnow())}
    out = []
    for area in layout.areas:
        for row in area.rows:
            for seat in row.seats:
                state = states.get(seat.id)
                out.append(
                    SeatOut(
                        id=seat.id,
                        label=seat.label,
                        row=row.name,
                        area=area.number,
                        row_index=seat.position.row,
                        column=seat.position.column,
                        category=seat.category,
                        status=state.status.value if state else "blocked",
                        flags=sorted(f.value for f in seat.flags),
                        group=seat.group,
                    )
                )
    categories = {}
    for cat in sorted(layout.categories()):
        t = show.price_for(cat)
        categories[cat] = (
            PriceOut(ticket_type=t.code, name=t.name, category=cat, price=t.price) if t else None
        )
    return SeatMapOut(
        show_id=show_id,
        layout_id=layout.id,
        total=len(out),
        available=sum(1 for s in out if s.status == "available"),
        categories=categories,
        seats=out,
    )
