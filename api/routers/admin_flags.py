"""Feature flags per city or country: staff set them (audited), apps read what applies to a
place. A city row beats a country row, which beats the global row; no row means off."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.context import Ctx
from api.problems import not_found
from api.security.access import AdminReader, AdminWriter
from canonical.time import utcnow
from store import flags, users

router = APIRouter(prefix="/v1/admin/flags", tags=["admin"])
public_router = APIRouter(prefix="/v1/flags", tags=["catalog"])

FlagKey = Annotated[
    str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$", examples=["seat_map_3d"])
]


class FlagIn(BaseModel):
    scope: Literal["global", "country", "city"] = "global"
    value: str = Field(default="", max_length=100, description="Country code or city name")
    enabled: bool
    note: str = Field(default="", max_length=500)


def _scope_value(scope: str, value: str) -> str:
    if scope == "global":
        return ""
    return value.strip().upper() if scope == "country" else value.strip()


@router.get(
    "", operation_id="admin_list_flags", summary="Every flag row (global, per country, per city)"
)
def list_flags(_: AdminReader, ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.hub.engine.connect() as conn:
        return flags.all_rows(conn)


@router.put(
    "/{key}",
    operation_id="admin_put_flag",
    summary="Set a flag globally, for a country or for a city (audited)",
)
def put_flag(
    body: FlagIn,
    key: FlagKey,
    actor: AdminWriter,
    ctx: Ctx,
) -> list[dict[str, Any]]:
    value = _scope_value(body.scope, body.value)
    with ctx.hub.engine.begin() as conn:
        flags.put(
            conn, key, body.scope, value, body.enabled, body.note, actor=actor.subject, now=utcnow()
        )
        users.audit(
            conn,
            actor.subject,
            "flag.set",
            key,
            {"scope": body.scope, "value": value, "enabled": body.enabled},
        )
        return [r for r in flags.all_rows(conn) if r["key"] == key]


@router.delete(
    "/{key}",
    operation_id="admin_delete_flag",
    status_code=204,
    response_class=Response,
    summary="Remove one row of a flag",
)
def delete_flag(
    key: FlagKey,
    actor: AdminWriter,
    ctx: Ctx,
    scope: Annotated[Literal["global", "country", "city"], Query()] = "global",
    value: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    scope_value = _scope_value(scope, value)
    with ctx.hub.engine.begin() as conn:
        if not flags.remove(conn, key, scope, scope_value):
            raise not_found("flag", f"{key} ({scope} {scope_value})".strip())
        users.audit(conn, actor.subject, "flag.remove", key, {"scope": scope, "value": scope_value})
    return Response(status_code=204)


@public_router.get(
    "",
    operation_id="catalog_flags_for",
    summary="The flags that apply to a place (city beats country beats global)",
)
def flags_for(
    ctx: Ctx,
    city: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
) -> dict[str, bool]:
    with ctx.hub.engine.connect() as conn:
        return flags.evaluate(conn, city=city, country=country)
