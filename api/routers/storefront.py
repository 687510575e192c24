"""What the customer web app needs in one call per page, on top of the catalog and booking API.

- `GET /v1/storefront/movies`: now showing and coming soon in a city, with the filter facets,
  every translation of each title (search matches a title in any language it exists in) and
  the poster's address;
- `GET /v1/storefront/shows/{id}`: a show with its theatre's selling rules (max seats, the
  no-orphan rule, companion seats, hold time) so the seat map explains a refusal before asking;
- `GET /v1/bookings/{id}/cancellation-quote`: the refund the theatre's policy gives now, shown
  before the customer confirms a cancellation (the same arithmetic as the cancellation itself).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.context import Ctx
from api.deps import Conn, Languages, PathId
from api.problems import not_found
from api.routers.images import poster_url
from api.schemas import MovieOut, ShowOut, TheatreOut
from api.security.access import Customer
from api.show_details import screen_names
from booking.errors import UnknownBooking
from canonical.catalog import Movie, Show
from canonical.money import Money
from canonical.time import utcnow
from store import catalog

router = APIRouter(prefix="/v1", tags=["storefront"])

COMING_SOON_DAYS = 7  # a movie whose first show is further away than this is "coming soon"


class StorefrontMovie(MovieOut):
    titles: dict[str, str] = Field(description="The title in every language it exists in")
    release_date: date | None
    status: str = Field(description="now_showing or coming_soon")
    first_show: datetime | None
    languages: list[str] = Field(description="Languages it is screened in, in this city")
    formats: list[str]
    poster_url: str | None


class StorefrontMovies(BaseModel):
    items: list[StorefrontMovie]
    genres: list[str]
    languages: list[str]
    formats: list[str]
    cities: list[str]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@router.get(
    "/storefront/movies",
    operation_id="storefront_storefront_movies",
    response_model=StorefrontMovies,
    summary="Now showing and coming soon, with filter facets and title search in every language",
)
def storefront_movies(
    conn: Conn,
    langs: Languages,
    city: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of a title, any language")
    ] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    genre: Annotated[str | None, Query(max_length=50)] = None,
    format_: Annotated[str | None, Query(alias="format", max_length=20)] = None,
    date_: Annotated[date | None, Query(alias="date")] = None,
) -> StorefrontMovies:
    now = utcnow()
    movies = catalog.list_movies(conn, city=city)
    shows = catalog.list_shows(conn, city=city, start_after=now, limit=5000)
    by_movie: dict[str, list] = {}
    for show in shows:
        by_movie.setdefault(show.movie_id, []).append(show)
    facets_genres = sorted({g for m in movies for g in m.genres})
    facets_langs = sorted({s.language for s in shows})
    facets_formats = sorted({str(s.format) for s in shows})
    cities = sorted({t.city for t in catalog.list_theatres(conn)})
    needle = _fold(q.strip()) if q and q.strip() else None
    items: list[StorefrontMovie] = []
    for movie in movies:
        if needle and not any(needle in _fold(t) for t in movie.title.values.values()):
            continue
        if genre and genre.lower() not in (g.lower() for g in movie.genres):
            continue
        own = by_movie.get(movie.id, [])
        matching = [
            s
            for s in own
            if (not language or s.language == language)
            and (not format_ or s.format == format_)
            and (not date_ or s.business_date == date_)
        ]
        if (language or format_ or date_) and not matching:
            continue
        items.append(_item(movie, own, langs))
    return StorefrontMovies(
        items=items,
        genres=facets_genres,
        languages=facets_langs,
        formats=facets_formats,
        cities=cities,
    )


def _item(movie: Movie, own: list[Show], langs: list[str]) -> StorefrontMovie:
    now = utcnow()
    first = min((s.start for s in own), default=None)
    released = movie.release_date is None or movie.release_date <= now.date()
    soon = not released or (first is not None and first - now > timedelta(days=COMING_SOON_DAYS))
    return StorefrontMovie(
        **MovieOut.of(movie, langs).model_dump(),
        titles=dict(movie.title.values),
        release_date=movie.release_date,
        status="coming_soon" if soon else "now_showing",
        first_show=first,
        languages=sorted({s.language for s in own}),
        formats=sorted({str(s.format) for s in own}),
        poster_url=poster_url(movie.id),
    )


@router.get(
    "/storefront/movies/{movie_id}",
    operation_id="storefront_storefront_movie",
    response_model=StorefrontMovie,
    summary="One movie with its poster, every title and what is screened in a city",
)
def storefront_movie(
    movie_id: PathId,
    conn: Conn,
    langs: Languages,
    city: Annotated[str | None, Query(max_length=100)] = None,
) -> StorefrontMovie:
    movie = catalog.get_movie(conn, movie_id)
    if movie is None:
        raise not_found("movie", movie_id)
    own = catalog.list_shows(conn, movie_id=movie_id, city=city, start_after=utcnow(), limit=5000)
    return _item(movie, own, langs)


class SellingRules(BaseModel):
    max_seats_per_hold: int
    hold_ttl_seconds: int
    no_orphan_seats: bool
    companion_requires_wheelchair: bool
    cancellation_cutoff_minutes: int


class StorefrontShow(BaseModel):
    show: ShowOut
    theatre: TheatreOut
    movie: MovieOut | None
    rules: SellingRules


@router.get(
    "/storefront/shows/{show_id}",
    operation_id="storefront_storefront_show",
    response_model=StorefrontShow,
    summary="A show with its theatre, movie and the theatre's selling rules",
)
def storefront_show(
    show_id: PathId,
    conn: Conn,
    langs: Languages,
) -> StorefrontShow:
    show = catalog.get_show(conn, show_id)
    theatre = catalog.get_theatre(conn, show.theatre_id) if show else None
    if show is None or theatre is None:
        raise not_found("show", show_id)
    movie = catalog.get_movie(conn, show.movie_id)
    rules = theatre.rules
    return StorefrontShow(
        show=ShowOut.of(
            show, theatre.timezone, screen_names(conn, [theatre.id]).get(show.screen_id)
        ),
        theatre=TheatreOut.of(theatre),
        movie=MovieOut.of(movie, langs) if movie else None,
        rules=SellingRules(
            max_seats_per_hold=rules.max_seats_per_hold,
            hold_ttl_seconds=rules.hold_ttl_seconds,
            no_orphan_seats=rules.no_orphan_seats,
            companion_requires_wheelchair=rules.companion_requires_wheelchair,
            cancellation_cutoff_minutes=rules.cancellation.cutoff_minutes,
        ),
    )


class CancellationQuote(BaseModel):
    booking_id: str
    cancellable: bool
    deadline: datetime
    total: Money
    fee: Money
    refund: Money
    reason: str | None = Field(description="Why it cannot be cancelled, when it cannot")


@router.get(
    "/bookings/{booking_id}/cancellation-quote",
    operation_id="storefront_cancellation_quote",
    response_model=CancellationQuote,
    tags=["booking"],
    summary="The refund a cancellation would give now (nothing changes)",
)
def cancellation_quote(
    booking_id: PathId,
    principal: Customer,
    ctx: Ctx,
) -> CancellationQuote:
    try:
        booking = ctx.booking.get_booking(booking_id)
    except UnknownBooking:
        raise not_found("booking", booking_id) from None
    if booking.customer_id != principal.subject:
        raise not_found("booking", booking_id)
    with ctx.hub.engine.connect() as conn:
        show = catalog.get_show(conn, booking.show_id)
        theatre = catalog.get_theatre(conn, show.theatre_id) if show else None
    if show is None or theatre is None:
        raise not_found("show", booking.show_id)
    # Mirrors BookingService.cancel_booking, which stays the authority when it is called.
    policy = theatre.rules.cancellation
    deadline = show.start - timedelta(minutes=policy.cutoff_minutes)
    fee = booking.total.percent(policy.fee_percent)
    if policy.fee_fixed is not None and policy.fee_fixed.currency == fee.currency:
        fee = fee + policy.fee_fixed
    fee = min(fee, booking.total, key=lambda m: m.amount)
    reason = None
    if booking.status.value != "confirmed":
        reason = f"the booking is {booking.status.value}"
    elif utcnow() >= deadline:
        reason = "the cancellation deadline has passed"
    return CancellationQuote(
        booking_id=booking.id,
        cancellable=reason is None,
        deadline=deadline,
        total=booking.total,
        fee=fee,
        refund=booking.total - fee,
        reason=reason,
    )
