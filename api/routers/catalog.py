"""Public catalog: theatres, movies, shows and a show's live seat map.

Lists are cursor-paginated; single reads and seat maps carry ETags (If-None-Match -> 304).
Movie texts follow Accept-Language with fallback to the original language.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.context import Ctx
from api.deps import Languages, PathId, QueryId, StaleConn
from api.etag import NOT_MODIFIED, etag_bytes, etag_json
from api.pagination import Page, Paging, paginate
from api.problems import not_found
from api.routers.seat_categories import seat_map_labels
from api.schemas import MovieOut, SeatMapOut, ShowOut, TheatreOut
from api.show_details import screen_names
from booking.errors import UnknownShow
from booking.read_models import SeatMap
from canonical.time import utcnow
from store import catalog

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get(
    "/theatres",
    operation_id="catalog_list_theatres",
    response_model=Page[TheatreOut],
    summary="Theatres, optionally by city",
)
def list_theatres(
    request: Request,
    page: Paging,
    conn: StaleConn,
    city: Annotated[str | None, Query(max_length=100, examples=["Chennai"])] = None,
) -> Page[TheatreOut]:
    items, cursor = paginate(
        catalog.list_theatres(conn, city), page, key=lambda t: (t.city, t.name, t.id)
    )
    return Page[TheatreOut](items=[TheatreOut.of(t) for t in items], next_cursor=cursor)


@router.get(
    "/theatres/{theatre_id}",
    operation_id="catalog_get_theatre",
    response_model=TheatreOut,
    responses=NOT_MODIFIED,
)
def get_theatre(
    request: Request,
    theatre_id: Annotated[str, Path(max_length=64, examples=["thr_chennai_marina"])],
    conn: StaleConn,
) -> Response:
    theatre = catalog.get_theatre(conn, theatre_id)
    if not theatre:
        raise not_found("theatre", theatre_id)
    return etag_json(request, TheatreOut.of(theatre))


@router.get(
    "/movies",
    operation_id="catalog_list_movies",
    response_model=Page[MovieOut],
    summary="Movies with upcoming shows, by city, language, date, genre and format",
)
def list_movies(
    page: Paging,
    conn: StaleConn,
    langs: Languages,
    city: Annotated[str | None, Query(max_length=100, examples=["Chennai"])] = None,
    language: Annotated[
        str | None,
        Query(max_length=35, examples=["ta"], description="Language the show is screened in"),
    ] = None,
    date_: Annotated[
        date | None, Query(alias="date", description="Business date of the show")
    ] = None,
    genre: Annotated[str | None, Query(max_length=50, examples=["Thriller"])] = None,
    format_: Annotated[str | None, Query(alias="format", max_length=20, examples=["IMAX"])] = None,
) -> Page[MovieOut]:
    movies = catalog.list_movies(
        conn, city=city, language=language, day=date_, genre=genre, fmt=format_
    )
    items, cursor = paginate(movies, page, key=lambda m: (m.id,))
    return Page[MovieOut](items=[MovieOut.of(m, langs) for m in items], next_cursor=cursor)


@router.get(
    "/movies/{movie_id}",
    operation_id="catalog_get_movie",
    response_model=MovieOut,
    responses=NOT_MODIFIED,
)
def get_movie(
    request: Request,
    movie_id: Annotated[str, Path(max_length=64, examples=["mov_kaala_vettai"])],
    conn: StaleConn,
    langs: Languages,
) -> Response:
    movie = catalog.get_movie(conn, movie_id)
    if not movie:
        raise not_found("movie", movie_id)
    out = MovieOut.of(movie, langs)
    headers = {"Content-Language": out.title_language} if out.title_language else None
    return etag_json(request, out, vary="Accept-Language", headers=headers)


@router.get(
    "/shows",
    operation_id="catalog_list_shows",
    response_model=Page[ShowOut],
    summary="Upcoming shows",
)
def list_shows(
    page: Paging,
    conn: StaleConn,
    movie_id: QueryId = None,
    theatre_id: QueryId = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    date_: Annotated[date | None, Query(alias="date")] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    format_: Annotated[str | None, Query(alias="format", max_length=20)] = None,
) -> Page[ShowOut]:
    shows = catalog.list_shows(
        conn,
        movie_id=movie_id,
        theatre_id=theatre_id,
        city=city,
        day=date_,
        language=language,
        fmt=format_,
        start_after=utcnow(),
        limit=5000,
    )
    items, cursor = paginate(shows, page, key=lambda s: (s.start.isoformat(), s.id))
    zones = {t.id: t.timezone for t in catalog.list_theatres(conn)}
    names = screen_names(conn, (s.theatre_id for s in items))
    return Page[ShowOut](
        items=[ShowOut.of(s, zones[s.theatre_id], names.get(s.screen_id)) for s in items],
        next_cursor=cursor,
    )


@router.get(
    "/shows/{show_id}",
    operation_id="catalog_get_show",
    response_model=ShowOut,
    responses=NOT_MODIFIED,
)
def get_show(request: Request, show_id: PathId, conn: StaleConn) -> Response:
    show = catalog.get_show(conn, show_id)
    theatre = catalog.get_theatre(conn, show.theatre_id) if show else None
    if not show or not theatre:
        raise not_found("show", show_id)
    names = screen_names(conn, [show.theatre_id])
    return etag_json(request, ShowOut.of(show, theatre.timezone, names.get(show.screen_id)))


def render_seat_map(view: SeatMap, category_labels: list[dict] | None = None) -> bytes:
    """The booking service's seat map in the API's shape, as the JSON bytes sent."""
    # One validation of plain dicts (pydantic's core walks them in one call) instead of a
    # model per seat: a 400-seat map is the most requested document of a sale.
    seats = [
        {
            "id": seat.seat_id,
            "label": seat.label,
            "row": seat.row_name,
            "area": seat.area,
            "row_index": seat.row,
            "column": seat.column,
            "category": seat.category,
            "status": seat.status.value,
            "flags": seat.flags,
            "group": seat.group,
        }
        for seat in view.seats
    ]
    categories = {
        c.category: (
            {
                "ticket_type": c.prices[0].code,
                "name": c.prices[0].name,
                "category": c.category,
                "price": c.prices[0].price,
            }
            if c.prices
            else None
        )
        for c in view.categories
    }
    return (
        SeatMapOut.model_validate(
            {
                "show_id": view.show_id,
                "layout_id": view.layout_id,
                "total": len(seats),
                "available": sum(1 for s in seats if s["status"] == "available"),
                "categories": categories,
                "category_labels": category_labels or [],
                "seats": seats,
            }
        )
        .model_dump_json(by_alias=True)
        .encode()
    )


@router.get(
    "/shows/{show_id}/seat-map",
    operation_id="catalog_seat_map",
    response_model=SeatMapOut,
    responses=NOT_MODIFIED,
    summary="Live seat map (ETag changes whenever a seat changes)",
)
def seat_map(request: Request, show_id: PathId, ctx: Ctx) -> Response:
    try:
        view = ctx.booking.seat_map(show_id)
    except UnknownShow:
        raise not_found("show", show_id) from None
    # The service hands back the same map object while nothing in it changed: render it once.
    names = seat_map_labels(ctx, view)
    last = ctx.rendered_maps.get(show_id)
    if last is None or last[0][0] is not view or last[0][1] is not names:
        last = ctx.rendered_maps.put(show_id, ((view, names), render_seat_map(view, names)))
    return etag_bytes(request, last[1])
