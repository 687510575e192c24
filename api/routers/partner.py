"""Partner API for native theatres: theatres, screens, seat layouts, movies, shows, prices and
house seats. A partner sees and changes only its own theatres; anybody else's answer 404 (never
403, never 200), so ids of other partners' records reveal nothing.

Callers: partner staff (password login) and partner systems (client credentials), both with
`partner:read` / `partner:write` scopes and a partner id in the token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import ValidationError
from sqlalchemy import Connection

from api.context import ApiContext, Ctx
from api.deps import PathId
from api.pagination import Page, Paging, paginate
from api.problems import ApiProblem, not_found
from api.schemas import MovieOut, ShowOut, TheatreOut
from api.schemas_partner import (
    ClientIn,
    ClientOut,
    HouseSeatsOut,
    LayoutIn,
    LayoutOut,
    MovieIn,
    PricesIn,
    ScreenIn,
    ScreenOut,
    SeatIdsIn,
    ShowIn,
    TheatreIn,
    TicketTypeIn,
)
from api.security.access import PartnerReader, PartnerWriter
from api.security.passwords import hash_password
from api.security.principal import Principal
from api.security.scopes import CLIENT_SCOPES
from api.security.standing import standings_for
from api.security.tokens import new_client_secret
from canonical import LocalizedText, Movie, Screen, SeatLayout, Show, Theatre, TicketType
from canonical.identity import new_id
from canonical.time import utcnow
from store import catalog, partners, seat_categories, users

router = APIRouter(prefix="/v1/partner", tags=["partner"])

# Minutes a screen stands empty between two shows for cleaning.
CLEANING_GAP_MINUTES = 15
# Trailers and ads before the feature, when a show's end is not given.
PRE_SHOW_MINUTES = 15


def _theatre(conn: Connection, principal: Principal, theatre_id: str) -> Theatre:
    theatre = catalog.get_theatre(conn, theatre_id)
    if theatre is None or theatre.partner_id != principal.partner_id:
        raise not_found("theatre", theatre_id)
    return theatre


def _screen(conn: Connection, principal: Principal, screen_id: str) -> tuple[Theatre, Screen]:
    theatre_id = partners.screen_theatre(conn, screen_id)
    owner = partners.theatre_owner(conn, theatre_id) if theatre_id else None
    if theatre_id is None or owner != principal.partner_id:
        raise not_found("screen", screen_id)
    theatre = catalog.get_theatre(conn, theatre_id)
    screen = next(s for s in catalog.list_screens(conn, theatre_id) if s.id == screen_id)
    assert theatre is not None
    return theatre, screen


def _show(conn: Connection, principal: Principal, show_id: str) -> tuple[Theatre, Show]:
    theatre_id = partners.show_theatre(conn, show_id)
    owner = partners.theatre_owner(conn, theatre_id) if theatre_id else None
    show = catalog.get_show(conn, show_id)
    if theatre_id is None or owner != principal.partner_id or show is None:
        raise not_found("show", show_id)
    theatre = catalog.get_theatre(conn, theatre_id)
    assert theatre is not None
    return theatre, show


# Ownership as dependencies: they run before the request body is validated, so another
# partner's id answers 404 whatever the body holds (never a 422 that confirms the id exists).
def owns_theatre(
    theatre_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> Principal:
    with ctx.hub.engine.connect() as conn:
        _theatre(conn, principal, theatre_id)
    return principal


def reads_own_theatre(
    theatre_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> Principal:
    """As `owns_theatre`, for a caller who only reads."""
    with ctx.hub.engine.connect() as conn:
        _theatre(conn, principal, theatre_id)
    return principal


def owns_screen(
    screen_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> Principal:
    with ctx.hub.engine.connect() as conn:
        _screen(conn, principal, screen_id)
    return principal


def owns_show(
    show_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> Principal:
    with ctx.hub.engine.connect() as conn:
        _show(conn, principal, show_id)
    return principal


def _layout_categories(layout: SeatLayout) -> list[str]:
    return sorted(layout.categories())


# ---- theatres ------------------------------------------------------------------------------


@router.get(
    "/theatres",
    operation_id="partner_list_theatres",
    response_model=Page[TheatreOut],
    summary="Your theatres",
)
def list_theatres(
    page: Paging,
    principal: PartnerReader,
    ctx: Ctx,
) -> Page[TheatreOut]:
    with ctx.hub.engine.connect() as conn:
        own = [t for t in catalog.list_theatres(conn) if t.partner_id == principal.partner_id]
    items, cursor = paginate(own, page, key=lambda t: (t.id,))
    return Page[TheatreOut](items=[TheatreOut.of(t) for t in items], next_cursor=cursor)


@router.post(
    "/theatres",
    operation_id="partner_create_theatre",
    response_model=TheatreOut,
    status_code=201,
    summary="Add a theatre (owned by your partner account)",
)
def create_theatre(body: TheatreIn, principal: PartnerWriter, ctx: Ctx) -> TheatreOut:
    try:
        theatre = Theatre(**body.model_dump(), partner_id=principal.partner_id)
    except ValidationError as err:
        raise _invalid(err) from None
    with ctx.hub.engine.begin() as conn:
        partners.lock_new_id(conn, "theatre", theatre.id)
        if catalog.get_theatre(conn, theatre.id) is not None:
            raise ApiProblem(409, "theatre_exists", f"theatre id {theatre.id!r} is taken")
        catalog.save_theatre(conn, theatre)
    return TheatreOut.of(theatre)


@router.get("/theatres/{theatre_id}", operation_id="partner_get_theatre", response_model=TheatreOut)
def get_theatre(
    theatre_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> TheatreOut:
    with ctx.hub.engine.connect() as conn:
        return TheatreOut.of(_theatre(conn, principal, theatre_id))


@router.put(
    "/theatres/{theatre_id}",
    operation_id="partner_update_theatre",
    response_model=TheatreOut,
    dependencies=[Depends(owns_theatre)],
    summary="Change a theatre (its id, partner and currency stay)",
)
def update_theatre(
    body: TheatreIn,
    theatre_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> TheatreOut:
    with ctx.hub.engine.begin() as conn:
        current = _theatre(conn, principal, theatre_id)
        if body.id != theatre_id or body.currency != current.currency:
            raise ApiProblem(422, "immutable_field", "a theatre's id and currency cannot change")
        try:
            theatre = Theatre(
                **body.model_dump(),
                partner_id=principal.partner_id,
                connector_id=current.connector_id,
            )
        except ValidationError as err:
            raise _invalid(err) from None
        catalog.save_theatre(conn, theatre)
    return TheatreOut.of(theatre)


# ---- screens and layouts -------------------------------------------------------------------


def _screen_out(s: Screen) -> ScreenOut:
    return ScreenOut(
        id=s.id,
        theatre_id=s.theatre_id,
        name=s.name,
        formats=list(s.formats),
        layout_id=s.layout_id,
    )


@router.get(
    "/theatres/{theatre_id}/screens",
    operation_id="partner_list_screens",
    response_model=list[ScreenOut],
)
def list_screens(
    theatre_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> list[ScreenOut]:
    with ctx.hub.engine.connect() as conn:
        _theatre(conn, principal, theatre_id)
        return [_screen_out(s) for s in catalog.list_screens(conn, theatre_id)]


@router.post(
    "/theatres/{theatre_id}/screens",
    operation_id="partner_create_screen",
    response_model=ScreenOut,
    status_code=201,
    dependencies=[Depends(owns_theatre)],
)
def create_screen(
    body: ScreenIn,
    theatre_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> ScreenOut:
    with ctx.hub.engine.begin() as conn:
        _theatre(conn, principal, theatre_id)
        partners.lock_new_id(conn, "screen", body.id)
        if partners.screen_theatre(conn, body.id) is not None:
            raise ApiProblem(409, "screen_exists", f"screen id {body.id!r} is taken")
        screen = Screen(
            id=body.id,
            theatre_id=theatre_id,
            name=body.name,
            formats=tuple(f.value for f in body.formats),
        )
        catalog.save_screen(conn, screen)
    return _screen_out(screen)


@router.put(
    "/screens/{screen_id}/layout",
    operation_id="partner_upload_layout",
    response_model=LayoutOut,
    dependencies=[Depends(owns_screen)],
    summary="Upload the screen's seat layout (a new version each time)",
    description="Refused with 422 for duplicate seat ids, seats sharing a position, or "
    "a seat whose category is not declared in `categories`. Shows already scheduled "
    "keep the layout they were created with.",
)
def upload_layout(
    body: LayoutIn,
    screen_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> LayoutOut:
    with ctx.hub.engine.begin() as conn:
        theatre, screen = _screen(conn, principal, screen_id)
        partners.lock_screen(conn, screen_id)  # versions count up one upload at a time
        version = len(partners.list_layouts(conn, screen_id)) + 1
        try:
            layout = SeatLayout(
                # Server-generated: an id built from the caller's screen id could meet another
                # partner's ("scr_main" and "main" both gave lay_main_v1) and overwrite it.
                id=new_id("lay"),
                screen_id=screen_id,
                areas=tuple(body.areas),
                version=version,
            )
        except ValidationError as err:
            raise _invalid(err, prefix="body") from None
        declared = set(body.categories)
        unknown = sorted({s.id for s in layout.seats() if s.category not in declared})
        if unknown:
            cats = sorted({s.category for s in layout.seats()} - declared)
            raise ApiProblem(
                422,
                "unknown_category",
                f"seat categories not declared in `categories`: {', '.join(cats)}",
                categories=cats,
                seats=unknown[:50],
            )
        colours = body.category_colours
        if colours is not None and set(colours) - declared:
            cats = sorted(set(colours) - declared)
            raise ApiProblem(
                422,
                "unknown_category",
                f"colours for categories not declared in `categories`: {', '.join(cats)}",
                categories=cats,
            )
        catalog.save_layout(conn, layout)
        catalog.save_screen(conn, screen.model_copy(update={"layout_id": layout.id}))
        if colours is not None:
            seat_categories.set_colours(conn, theatre.id, colours, declared)
        out = _layout_out(conn, theatre.id, layout)
    if colours is not None:
        from api.routers.seat_categories import forget_labels  # that module imports this one

        forget_labels(theatre.id)
    return out


def _layout_out(conn: Connection, theatre_id: str, layout: SeatLayout) -> LayoutOut:
    categories = _layout_categories(layout)
    return LayoutOut(
        id=layout.id,
        screen_id=layout.screen_id,
        version=layout.version,
        seat_count=len(layout.seats()),
        categories=categories,
        areas=list(layout.areas),
        category_colours=seat_categories.colours(conn, theatre_id, categories),
    )


@router.get(
    "/screens/{screen_id}/layout", operation_id="partner_get_layout", response_model=LayoutOut
)
def get_layout(
    screen_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> LayoutOut:
    with ctx.hub.engine.connect() as conn:
        theatre, screen = _screen(conn, principal, screen_id)
        layout = catalog.get_layout(conn, screen.layout_id) if screen.layout_id else None
        if layout is None:
            raise ApiProblem(404, "no_layout", f"screen {screen_id} has no seat layout yet")
        return _layout_out(conn, theatre.id, layout)


# ---- movies --------------------------------------------------------------------------------


@router.post(
    "/movies",
    operation_id="partner_create_movie",
    response_model=MovieOut,
    status_code=201,
    summary="Add a movie to the shared catalog",
)
def create_movie(body: MovieIn, principal: PartnerWriter, ctx: Ctx) -> MovieOut:
    try:
        movie = Movie(
            id=body.id,
            title=LocalizedText(values=body.title),
            synopsis=LocalizedText(values=body.synopsis),
            original_language=body.original_language,
            runtime_minutes=body.runtime_minutes,
            genres=tuple(body.genres),
            rating=body.rating,
            release_date=body.release_date,
            imdb_id=body.imdb_id,
            eidr_id=body.eidr_id,
            tmdb_id=body.tmdb_id,
        )
    except ValidationError as err:
        raise _invalid(err) from None
    with ctx.hub.engine.begin() as conn:
        # Movies are shared by every theatre: one partner may add, nobody may overwrite.
        if catalog.get_movie(conn, movie.id) is not None:
            raise ApiProblem(409, "movie_exists", f"movie id {movie.id!r} is taken")
        catalog.save_movie(conn, movie)
    return MovieOut.of(movie, [movie.original_language])


# ---- shows and prices ----------------------------------------------------------------------


def _ticket_types(
    items: list[TicketTypeIn], layout: SeatLayout, currency: str
) -> tuple[TicketType, ...]:
    cats = layout.categories()
    unknown = sorted({t.category for t in items} - cats)
    if unknown:
        raise ApiProblem(
            422,
            "unknown_category",
            f"no seats of category {', '.join(unknown)} on this screen",
            categories=unknown,
        )
    wrong = sorted({t.price.currency for t in items} - {currency})
    if wrong:
        raise ApiProblem(
            422, "wrong_currency", f"this theatre sells in {currency}", currencies=wrong
        )
    return tuple(
        TicketType(code=t.code, name=t.name, category=t.category, price=t.price) for t in items
    )


@router.get(
    "/theatres/{theatre_id}/shows", operation_id="partner_list_shows", response_model=Page[ShowOut]
)
def list_shows(
    theatre_id: PathId,
    page: Paging,
    principal: PartnerReader,
    ctx: Ctx,
) -> Page[ShowOut]:
    with ctx.hub.engine.connect() as conn:
        theatre = _theatre(conn, principal, theatre_id)
        shows = catalog.list_shows(conn, theatre_id=theatre_id, limit=10_000)
    items, cursor = paginate(shows, page, key=lambda s: (s.start.isoformat(), s.id))
    return Page[ShowOut](items=[ShowOut.of(s, theatre.timezone) for s in items], next_cursor=cursor)


@router.post(
    "/theatres/{theatre_id}/shows",
    operation_id="partner_create_show",
    response_model=ShowOut,
    status_code=201,
    dependencies=[Depends(owns_theatre)],
    summary="Schedule a show",
    description=f"Refused with 409 `show_overlap` if it would overlap another show on "
    f"the screen or leave less than {CLEANING_GAP_MINUTES} minutes for cleaning.",
)
def create_show(
    body: ShowIn,
    theatre_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> ShowOut:
    with ctx.hub.engine.begin() as conn:
        theatre = _theatre(conn, principal, theatre_id)
        screen = next(
            (s for s in catalog.list_screens(conn, theatre_id) if s.id == body.screen_id), None
        )
        if screen is None:
            raise ApiProblem(422, "unknown_screen", f"theatre has no screen {body.screen_id!r}")
        layout = catalog.get_layout(conn, screen.layout_id) if screen.layout_id else None
        if layout is None:
            raise ApiProblem(422, "no_layout", f"screen {screen.id} has no seat layout yet")
        if body.format.value not in screen.formats:
            raise ApiProblem(
                422, "unsupported_format", f"screen {screen.id} shows {', '.join(screen.formats)}"
            )
        movie = catalog.get_movie(conn, body.movie_id)
        if movie is None:
            raise ApiProblem(422, "unknown_movie", f"no movie {body.movie_id!r}")
        end = body.end or body.start + timedelta(minutes=movie.runtime_minutes + PRE_SHOW_MINUTES)
        show_id = body.id or new_id("shw")
        partners.lock_new_id(conn, "show", show_id)
        if catalog.get_show(conn, show_id) is not None:
            raise ApiProblem(409, "show_exists", f"show id {show_id!r} is taken")
        if body.start <= utcnow():
            raise ApiProblem(422, "show_in_past", "a new show must start in the future")
        try:
            show = Show.scheduled(
                tz=theatre.timezone,
                cutover_hour=theatre.business_day_cutover_hour,
                id=show_id,
                movie_id=movie.id,
                theatre_id=theatre.id,
                screen_id=screen.id,
                start=body.start,
                end=end,
                language=body.language,
                format=body.format,
                ticket_types=_ticket_types(body.ticket_types, layout, theatre.currency),
                sales_cutoff_minutes=body.sales_cutoff_minutes,
            )
        except ValidationError as err:
            raise _invalid(err) from None
        partners.lock_screen(conn, screen.id)
        clash = partners.overlapping_shows(
            conn, screen.id, show.start, show.end, CLEANING_GAP_MINUTES
        )
        if clash:
            raise ApiProblem(
                409,
                "show_overlap",
                f"overlaps (or leaves under {CLEANING_GAP_MINUTES} minutes of "
                f"cleaning before or after) show(s) {', '.join(clash)}",
                shows=clash,
                cleaning_gap_minutes=CLEANING_GAP_MINUTES,
            )
        catalog.save_show(conn, show, layout)
    return ShowOut.of(show, theatre.timezone)


@router.get("/shows/{show_id}", operation_id="partner_get_show", response_model=ShowOut)
def get_show(
    show_id: PathId,
    principal: PartnerReader,
    ctx: Ctx,
) -> ShowOut:
    with ctx.hub.engine.connect() as conn:
        theatre, show = _show(conn, principal, show_id)
    return ShowOut.of(show, theatre.timezone)


@router.put(
    "/shows/{show_id}/prices",
    operation_id="partner_set_prices",
    response_model=ShowOut,
    dependencies=[Depends(owns_show)],
    summary="Set the prices per seat category and ticket type",
    description="Bookings already made keep the price they were sold at.",
)
def set_prices(
    body: PricesIn,
    show_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> ShowOut:
    with ctx.hub.engine.begin() as conn:
        theatre, show = _show(conn, principal, show_id)
        layout_id = catalog.show_layout_id(conn, show_id)
        layout = catalog.get_layout(conn, layout_id) if layout_id else None
        assert layout is not None
        try:
            updated = show.model_copy(
                update={"ticket_types": _ticket_types(body.ticket_types, layout, theatre.currency)}
            )
            Show.model_validate(updated.model_dump())
        except ValidationError as err:
            raise _invalid(err) from None
        catalog.save_show(conn, updated, layout)
    return ShowOut.of(updated, theatre.timezone)


@router.delete(
    "/shows/{show_id}",
    operation_id="partner_cancel_show",
    status_code=204,
    response_class=Response,
    summary="Cancel a show that has no live bookings",
)
def cancel_show(
    show_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> Response:
    with ctx.hub.engine.begin() as conn:
        _show(conn, principal, show_id)
        live = partners.live_bookings(conn, show_id)
        if live:
            raise ApiProblem(
                409,
                "show_has_bookings",
                f"{live} live booking(s); cancel or refund them first",
                bookings=live,
            )
        partners.cancel_show(conn, show_id)
    return Response(status_code=204)


# ---- house seats ---------------------------------------------------------------------------


def _house(
    ctx: ApiContext, principal: Principal, show_id: str, seat_ids: list[str], block: bool
) -> HouseSeatsOut:
    wanted = sorted(set(seat_ids))
    with ctx.hub.engine.begin() as conn:
        _show(conn, principal, show_id)
        found = partners.seat_statuses(conn, show_id, wanted)
        unknown = [s for s in wanted if s not in found]
        if unknown:
            raise ApiProblem(
                422, "unknown_seat", f"no such seat: {', '.join(unknown)}", seats=unknown
            )
        if block:
            changed = partners.block_seats(conn, show_id, wanted, utcnow())
            if changed != len(wanted):
                # Raising rolls the whole block back: all or none.
                busy = [s for s, st in found.items() if st not in ("available", "blocked")]
                raise ApiProblem(
                    409,
                    "seat_unavailable",
                    f"seats held or sold cannot be blocked: {', '.join(busy)}",
                    seats=busy,
                )
        else:
            partners.unblock_seats(conn, show_id, wanted)
        now_blocked = [
            s
            for s, st in partners.seat_statuses(conn, show_id, list(found)).items()
            if st == "blocked"
        ]
    return HouseSeatsOut(show_id=show_id, changed=wanted, blocked=sorted(now_blocked))


@router.post(
    "/shows/{show_id}/house-seats/block",
    operation_id="partner_block_house_seats",
    response_model=HouseSeatsOut,
    dependencies=[Depends(owns_show)],
    summary="Take seats off sale (house seats); all or none",
)
def block_house_seats(
    body: SeatIdsIn,
    show_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> HouseSeatsOut:
    return _house(ctx, principal, show_id, body.seat_ids, block=True)


@router.post(
    "/shows/{show_id}/house-seats/unblock",
    operation_id="partner_unblock_house_seats",
    response_model=HouseSeatsOut,
    dependencies=[Depends(owns_show)],
    summary="Put blocked seats back on sale",
)
def unblock_house_seats(
    body: SeatIdsIn,
    show_id: PathId,
    principal: PartnerWriter,
    ctx: Ctx,
) -> HouseSeatsOut:
    return _house(ctx, principal, show_id, body.seat_ids, block=False)


# ---- API clients (client credentials for partner systems) -----------------------------------


def _client_out(c: users.ClientRow, secret: str | None = None) -> ClientOut:
    return ClientOut(
        client_id=c.client_id,
        partner_id=c.partner_id,
        name=c.name,
        scopes=c.scopes,
        created_at=c.created_at,
        revoked=c.revoked_at is not None,
        client_secret=secret,
    )


def staff(principal: PartnerWriter) -> Principal:
    if principal.kind != "user":
        raise ApiProblem(403, "staff_only", "only partner staff manage API clients")
    return principal


PartnerStaff = Annotated[Principal, Depends(staff)]


@router.get(
    "/clients",
    operation_id="partner_list_clients",
    response_model=list[ClientOut],
    summary="Your API clients",
)
def list_clients(principal: PartnerStaff, ctx: Ctx) -> list[ClientOut]:
    with ctx.hub.engine.connect() as conn:
        assert principal.partner_id
        return [_client_out(c) for c in users.list_clients(conn, principal.partner_id)]


@router.post(
    "/clients",
    operation_id="partner_create_client",
    response_model=ClientOut,
    status_code=201,
    summary="Create an API client for a partner system (secret shown once)",
)
def create_client(body: ClientIn, principal: PartnerStaff, ctx: Ctx) -> ClientOut:
    secret = new_client_secret()
    assert principal.partner_id
    with ctx.hub.engine.begin() as conn:
        client = users.add_client(
            conn,
            client_id=new_id("cli"),
            partner_id=principal.partner_id,
            name=body.name,
            secret_hash=hash_password(secret),
            scopes=CLIENT_SCOPES,
        )
    return _client_out(client, secret)


@router.delete(
    "/clients/{client_id}",
    operation_id="partner_revoke_client",
    status_code=204,
    response_class=Response,
)
def revoke_client(
    client_id: PathId,
    principal: PartnerStaff,
    ctx: Ctx,
) -> Response:
    with ctx.hub.engine.begin() as conn:
        client = users.get_client(conn, client_id)
        if client is None or client.partner_id != principal.partner_id:
            raise not_found("client", client_id)
        users.revoke_client(conn, client_id)
    standings_for(ctx.hub).forget_client(client_id)  # its tokens stop on the next request
    return Response(status_code=204)


def _invalid(err: ValidationError, prefix: str = "body") -> ApiProblem:
    errors = [
        {
            "field": ".".join([prefix, *(str(p) for p in e["loc"])]),
            "message": e["msg"],
            "type": e["type"],
        }
        for e in err.errors()
    ]
    return ApiProblem(
        422, "validation_failed", "; ".join(e["message"] for e in errors)[:500], errors=errors
    )
