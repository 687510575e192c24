"""Admin API, part two: edit and delete connectors, and find a booking by its reference, the
customer's email or phone. Mounted under /v1/admin by api/routers/admin.py.

A connector edit is checked exactly as a new connector is (endpoint, mapping path, secret names,
selling settings against what the mapping's POS can do: 422 and nothing saved); its id and
adapter never change. Connector edits are versioned: every answer carries an `ETag` (the
connector's `updated_at`), and a PUT, PATCH or DELETE sent with `If-Match` is refused with 412
when the connector changed since that version was read, so two admins never overwrite each
other's edit unseen.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import Field

from api.context import ApiContext, Ctx
from api.deps import PathId
from api.pagination import Page, Paging, encode_cursor
from api.problems import ApiProblem, not_found
from api.schemas_admin import ConnectorIn, ConnectorOut
from api.schemas_auth import Strict
from api.schemas_booking import BookingOut
from api.security.access import AdminReader, AdminWriter
from api.security.endpoints import check_connector
from api.security.principal import Principal
from store import admin_lookup, users

router = APIRouter(tags=["admin"])

IfMatch = Annotated[
    str | None, Header(description="The ETag you read: 412 if the connector changed since")
]


# ---- connectors ----------------------------------------------------------------------------


class ConnectorPatch(Strict):
    """The fields to change; those left out keep their value. `id` cannot change, nor can
    `adapter` (it may be sent with the connector's own value)."""

    name: str | None = Field(default=None, max_length=200)
    adapter: str | None = Field(default=None, min_length=1, max_length=40)
    mapping: str | None = Field(default=None, min_length=1, max_length=200)
    endpoint: dict[str, Any] | None = None
    secret_refs: dict[str, str] | None = None
    settings: dict[str, Any] | None = None


EDITABLE = ("name", "adapter", "mapping", "endpoint", "secret_refs", "settings")


def _etag(updated_at: datetime) -> str:
    return f'"{updated_at.isoformat()}"'


def _changed(connector_id: str, etag: str | None = None) -> ApiProblem:
    return ApiProblem(
        412,
        "connector_changed",
        f"connector {connector_id} changed since you read it: read it again and retry",
        headers={"ETag": etag} if etag else None,
    )


def _current(conn: Any, connector_id: str, if_match: str | None) -> dict[str, Any]:
    from store import sync

    row = sync.get_connector(conn, connector_id)
    if row is None:
        raise not_found("connector", connector_id)
    if if_match is not None and if_match.strip() not in ("*", _etag(row["updated_at"])):
        raise _changed(connector_id, _etag(row["updated_at"]))
    return row


def _edit(
    ctx: ApiContext,
    actor: Principal,
    connector_id: str,
    if_match: str | None,
    changes: dict[str, Any],
    action: str,
    response: Response,
) -> ConnectorOut:
    from connectors.connector import ConnectorConfig, check_selling, forget
    from connectors.selling import InvalidSellingPolicy
    from store import sync

    with ctx.hub.engine.connect() as conn:
        current = _current(conn, connector_id, if_match)
    if changes.get("adapter", current["adapter"]) != current["adapter"]:
        # The adapter is what the connector is: its imported records, cursors and mapping
        # belong to it. Another adapter is another connector.
        raise ApiProblem(
            422,
            "adapter_fixed",
            f"connector {connector_id} uses adapter {current['adapter']!r}; to use another "
            "adapter create a new connector",
            errors=[{"field": "body.adapter", "message": "cannot change", "type": "fixed"}],
        )
    wanted = ConnectorIn.model_validate(
        {"id": connector_id, **{k: current[k] for k in EDITABLE}, **changes}
    )
    # Checked exactly as a new connector is; a refusal changes nothing.
    check_connector(wanted, ctx.hub.settings)  # endpoint, mapping path and secret names
    try:
        check_selling(ConnectorConfig(**wanted.model_dump()))
    except InvalidSellingPolicy as err:
        raise ApiProblem(
            422,
            "invalid_selling_policy",
            str(err),
            errors=[{"field": "body.settings", "message": str(err), "type": "invalid"}],
        ) from None
    values = {k: getattr(wanted, k) for k in EDITABLE}
    values["name"] = values["name"] or connector_id
    with ctx.hub.engine.begin() as conn:
        # Conditional on the version read above: a concurrent edit makes this one a 412.
        if admin_lookup.update_connector(conn, connector_id, values, current["updated_at"]) is None:
            raise _changed(connector_id)
        users.audit(conn, actor.subject, action, connector_id, {"fields": sorted(changes)})
        row = sync.get_connector(conn, connector_id)
    assert row is not None
    forget(ctx.hub.engine)  # cached live connectors rebuild from the new definition
    response.headers["ETag"] = _etag(row["updated_at"])
    return ConnectorOut(**row)


@router.put(
    "/connectors/{connector_id}",
    operation_id="admin_replace_connector",
    response_model=ConnectorOut,
    summary="Replace a connector's definition (its status and health are kept)",
)
def replace_connector(
    body: ConnectorIn,
    response: Response,
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
    if_match: IfMatch = None,
) -> ConnectorOut:
    if body.id != connector_id:
        raise ApiProblem(422, "id_mismatch", "the body's id must be the connector id in the path")
    changes = {k: getattr(body, k) for k in EDITABLE}
    return _edit(ctx, actor, connector_id, if_match, changes, "connector.replace", response)


@router.patch(
    "/connectors/{connector_id}",
    operation_id="admin_update_connector",
    response_model=ConnectorOut,
    summary="Change some fields of a connector",
)
def update_connector(
    body: ConnectorPatch,
    response: Response,
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
    if_match: IfMatch = None,
) -> ConnectorOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ApiProblem(422, "nothing_to_change", "name at least one field to change")
    if any(value is None for value in changes.values()):
        raise ApiProblem(422, "null_field", "a field may be changed, not set to null")
    return _edit(ctx, actor, connector_id, if_match, changes, "connector.update", response)


@router.delete(
    "/connectors/{connector_id}",
    operation_id="admin_delete_connector",
    status_code=204,
    summary="Delete a connector nothing was imported through (otherwise pause it)",
)
def delete_connector(
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
    if_match: IfMatch = None,
) -> Response:
    from connectors.connector import forget

    with ctx.hub.engine.begin() as conn:
        current = _current(conn, connector_id, if_match)
        usage = admin_lookup.connector_usage(conn, connector_id)
        if any(usage.values()):
            raise ApiProblem(
                409,
                "connector_in_use",
                f"connector {connector_id} imported {usage['theatres']} theatres and "
                f"{usage['external_ids']} records: pause it instead "
                f"(POST /v1/admin/connectors/{connector_id}/pause)",
                usage=usage,
            )
        if not admin_lookup.delete_connector(conn, connector_id, current["updated_at"]):
            raise _changed(connector_id)
        users.audit(conn, actor.subject, "connector.delete", connector_id, {})
    forget(ctx.hub.engine)
    return Response(status_code=204)


# ---- bookings --------------------------------------------------------------------------------


class AdminBookingOut(BookingOut):
    customer_id: str


def _digits(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone)


@router.get(
    "/bookings",
    operation_id="admin_find_bookings",
    response_model=Page[AdminBookingOut],
    summary="Find bookings by reference, customer email or customer phone (exactly one)",
)
def find_bookings(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
    reference: Annotated[str | None, Query(max_length=16, description="The booking code")] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    phone: Annotated[
        str | None, Query(max_length=20, description="E.164, e.g. +919876543210")
    ] = None,
) -> Page[AdminBookingOut]:
    given = [
        name for name, v in (("reference", reference), ("email", email), ("phone", phone)) if v
    ]
    if len(given) != 1:
        raise ApiProblem(
            422, "one_search_key", "search by exactly one of reference, email or phone"
        )
    key = page.key()
    before = None
    if key is not None:
        try:
            before = (datetime.fromisoformat(str(key[0])), str(key[1]))
        except (ValueError, IndexError):
            raise ApiProblem(400, "invalid_cursor", "the cursor does not fit this list") from None
    with ctx.hub.engine.connect() as conn:
        if reference:
            found = admin_lookup.booking_id_by_code(conn, reference.strip().upper())
            ids = [found] if found and before is None else []
        else:
            if email:
                from api.security.pii import normalize_email

                user = admin_lookup.user_id_by_email_hash(
                    conn, ctx.cipher.email_hash(normalize_email(email))
                )
                customers = [user] if user else []
            else:
                wanted = _digits(phone or "")
                customers = admin_lookup.user_ids_by_phone(
                    conn, lambda enc: _digits(ctx.cipher.decrypt(enc)) == wanted
                )
            rows = admin_lookup.booking_ids_of(conn, customers, before=before, limit=page.limit + 1)
            ids = [booking_id for booking_id, _ in rows]
    items = [_admin_out(ctx, booking_id) for booking_id in ids[: page.limit]]
    cursor = None
    if len(ids) > page.limit:
        last = items[-1]
        cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page[AdminBookingOut](items=items, next_cursor=cursor)


def _admin_out(ctx: ApiContext, booking_id: str) -> AdminBookingOut:
    booking = ctx.booking.get_booking(booking_id)
    with ctx.booking.uow() as uow:
        payments = uow.payments.for_booking(booking.id)
    out = BookingOut.of(booking, payments)
    return AdminBookingOut(**out.model_dump(), customer_id=booking.customer_id)
