"""Seat category names customers read: set by a theatre's partner (own theatres) or an admin
(any theatre), shown on the seat map as `category_labels` (booking/seat_categories.py decides
what an unnamed code reads as)."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from api.context import ApiContext, Ctx
from api.deps import PathId
from api.problems import not_found
from api.routers.partner import owns_theatre
from api.security.access import AdminReader, AdminWriter
from api.security.principal import Principal
from booking.bounded import BoundedDict
from booking.read_models import SeatMap
from booking.seat_categories import labels
from store import catalog, seat_categories

partner_router = APIRouter(prefix="/v1/partner/theatres", tags=["partner"])
admin_router = APIRouter(prefix="/v1/admin/theatres", tags=["admin"])

# A name set in another process shows within this many seconds (this process: at once).
LABELS_TTL = 30.0
_labels: BoundedDict[str, tuple[float, list[dict[str, Any]]]] = BoundedDict(4096)


def seat_map_labels(ctx: ApiContext, view: SeatMap) -> list[dict[str, Any]]:
    """The seat map's categories in display order, cached per theatre and layout. The same
    list object is returned while it holds, so the rendered map can be reused."""
    # The database is part of the key: a process serving two (the tests) never mixes them.
    key = f"{view.theatre_id}|{view.layout_id}|{ctx.hub.engine.url}"
    now = time.monotonic()
    hit = _labels.get(key)
    if hit is not None and now - hit[0] < LABELS_TTL:
        return hit[1]
    with ctx.hub.engine.connect() as conn:
        layout = catalog.get_layout(conn, view.layout_id)
        named = seat_categories.names(conn, view.theatre_id)
    out = [asdict(label) for label in labels(layout, named)] if layout else []
    if hit is not None and hit[1] == out:
        out = hit[1]
    _labels.put(key, (now, out))
    return out


def forget_labels(theatre_id: str) -> None:
    """Drop this theatre's cached labels: a name or colour changed here."""
    for key in [k for k in list(_labels) if k.startswith(f"{theatre_id}|")]:
        _labels.pop(key, None)


class CategoryNameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Gold"])
    sort_order: int = Field(default=0, ge=0, le=10000, description="Lower sorts first")


class CategoryNameOut(BaseModel):
    code: str
    name: str
    sort_order: int
    colour: str | None = Field(default=None, description="Set with the seat layout")


def _list(ctx: ApiContext, theatre_id: str) -> list[CategoryNameOut]:
    with ctx.hub.engine.connect() as conn:
        named = seat_categories.names(conn, theatre_id)
    return [
        CategoryNameOut(code=code, name=n.name, sort_order=n.sort_order, colour=n.colour)
        for code, n in sorted(named.items(), key=lambda kv: (kv[1].sort_order, kv[0]))
        if n.name  # a category with only a colour has no name set
    ]


def _set(ctx: ApiContext, theatre_id: str, code: str, body: CategoryNameIn) -> CategoryNameOut:
    with ctx.hub.engine.begin() as conn:
        seat_categories.set_name(conn, theatre_id, code, body.name, body.sort_order)
        colour = seat_categories.names(conn, theatre_id)[code].colour
    forget_labels(theatre_id)
    return CategoryNameOut(code=code, name=body.name, sort_order=body.sort_order, colour=colour)


def _remove(ctx: ApiContext, theatre_id: str, code: str) -> Response:
    with ctx.hub.engine.begin() as conn:
        if not seat_categories.remove_name(conn, theatre_id, code):
            raise not_found("seat category name", code)
    forget_labels(theatre_id)
    return Response(status_code=204)


CategoryCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")]
OwnTheatre = Annotated[Principal, Depends(owns_theatre)]


@partner_router.get(
    "/{theatre_id}/seat-categories",
    operation_id="partner_partner_list",
    response_model=list[CategoryNameOut],
)
def partner_list(
    theatre_id: PathId,
    _: OwnTheatre,
    ctx: Ctx,
) -> list[CategoryNameOut]:
    """Names set for this theatre's seat categories."""
    return _list(ctx, theatre_id)


@partner_router.put(
    "/{theatre_id}/seat-categories/{code}",
    operation_id="partner_partner_set",
    response_model=CategoryNameOut,
)
def partner_set(
    body: CategoryNameIn,
    theatre_id: PathId,
    code: CategoryCode,
    _: OwnTheatre,
    ctx: Ctx,
) -> CategoryNameOut:
    """Name a seat category (the code the layout uses) and set where it sorts."""
    return _set(ctx, theatre_id, code, body)


@partner_router.delete(
    "/{theatre_id}/seat-categories/{code}", operation_id="partner_partner_remove", status_code=204
)
def partner_remove(
    theatre_id: PathId,
    code: CategoryCode,
    _: OwnTheatre,
    ctx: Ctx,
) -> Response:
    """Back to the name the POS gives the area."""
    return _remove(ctx, theatre_id, code)


def _theatre_exists(ctx: ApiContext, theatre_id: str) -> str:
    with ctx.hub.engine.connect() as conn:
        if catalog.get_theatre(conn, theatre_id) is None:
            raise not_found("theatre", theatre_id)
    return theatre_id


def _admin_theatre(
    theatre_id: PathId,
    _: AdminWriter,
    ctx: Ctx,
) -> str:
    return _theatre_exists(ctx, theatre_id)


AdminTheatre = Annotated[str, Depends(_admin_theatre)]


def _admin_reads_theatre(
    theatre_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> str:
    return _theatre_exists(ctx, theatre_id)


@admin_router.get(
    "/{theatre_id}/seat-categories",
    operation_id="admin_admin_list",
    response_model=list[CategoryNameOut],
)
def admin_list(
    theatre_id: Annotated[str, Depends(_admin_reads_theatre)], ctx: Ctx
) -> list[CategoryNameOut]:
    return _list(ctx, theatre_id)


@admin_router.put(
    "/{theatre_id}/seat-categories/{code}",
    operation_id="admin_admin_set",
    response_model=CategoryNameOut,
)
def admin_set(
    body: CategoryNameIn,
    code: CategoryCode,
    theatre_id: AdminTheatre,
    ctx: Ctx,
) -> CategoryNameOut:
    return _set(ctx, theatre_id, code, body)


@admin_router.delete(
    "/{theatre_id}/seat-categories/{code}", operation_id="admin_admin_remove", status_code=204
)
def admin_remove(
    code: CategoryCode,
    theatre_id: AdminTheatre,
    ctx: Ctx,
) -> Response:
    return _remove(ctx, theatre_id, code)
