"""Admin API: users and roles, partners, connectors, the sync conflict queue, dead letters, and
the audit log. Every change is written to the audit log in the same transaction as the change.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.context import ApiContext, Ctx
from api.deps import PathId, QueryId
from api.pagination import Page, PageParams, Paging, encode_cursor, paginate
from api.problems import ApiProblem, not_found
from api.schemas_admin import (
    AuditOut,
    ConflictOut,
    ConnectorIn,
    ConnectorOut,
    ConnectorTestOut,
    DeadLetterOut,
    EntityTestOut,
    ImportRunOut,
    PartnerIn,
    PartnerOut,
    ResolveIn,
    UserIn,
    UserPatch,
)
from api.schemas_auth import UserOut
from api.security import accounts
from api.security.access import AdminReader, AdminWriter
from api.security.endpoints import check_connector, describe_failure
from api.security.principal import Principal
from api.security.scopes import Role
from api.security.standing import standings_for
from canonical.time import utcnow
from marquee import observability
from store import import_runs, operations, partners, users
from store.conflict_context import contexts
from store.users import EmailTaken

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _after(page: PageParams) -> str | None:
    key = page.key()
    return str(key[0]) if key else None


def _next(rows: list[Any], page: PageParams, key) -> str | None:
    return encode_cursor([key(rows[page.limit - 1])]) if len(rows) > page.limit else None


# ---- users and partners --------------------------------------------------------------------


@router.get(
    "/users",
    operation_id="admin_list_users",
    response_model=Page[UserOut],
    summary="Users, by role or partner",
)
def list_users(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
    role: Role | None = None,
    partner_id: QueryId = None,
) -> Page[UserOut]:
    with ctx.hub.engine.connect() as conn:
        rows = users.list_users(
            conn,
            role=role.value if role else None,
            partner_id=partner_id,
            after=_after(page),
            limit=page.limit + 1,
        )
    return Page[UserOut](
        items=[accounts.user_out(ctx.cipher, r) for r in rows[: page.limit]],
        next_cursor=_next(rows, page, lambda r: r.id),
    )


def _check_partner(conn, role: Role, partner_id: str | None) -> None:
    if role == Role.PARTNER:
        if not partner_id or partners.get_partner(conn, partner_id) is None:
            raise ApiProblem(422, "unknown_partner", "a partner user needs an existing partner_id")
    elif partner_id:
        raise ApiProblem(422, "partner_not_allowed", f"a {role.value} belongs to no partner")


@router.post(
    "/users",
    operation_id="admin_create_user",
    response_model=UserOut,
    status_code=201,
    summary="Create a user of any role",
)
def create_user(body: UserIn, actor: AdminWriter, ctx: Ctx) -> UserOut:
    try:
        with ctx.hub.engine.begin() as conn:
            _check_partner(conn, body.role, body.partner_id)
            row = accounts.create_account(
                conn,
                ctx.cipher,
                email=body.email,
                password=body.password,
                role=body.role,
                partner_id=body.partner_id,
                name=body.name,
                phone=body.phone,
                language=body.language,
            )
            users.audit(
                conn,
                actor.subject,
                "user.create",
                row.id,
                {"role": body.role.value, "partner_id": body.partner_id},
            )
    except EmailTaken:
        raise ApiProblem(409, "email_taken", "an account with this email exists") from None
    return accounts.user_out(ctx.cipher, row)


@router.patch(
    "/users/{user_id}",
    operation_id="admin_update_user",
    response_model=UserOut,
    summary="Change a user's role, partner or active flag (ends their sessions)",
)
def update_user(
    body: UserPatch,
    user_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> UserOut:
    with ctx.hub.engine.begin() as conn:
        row = users.get_user(conn, user_id)
        if row is None:
            raise not_found("user", user_id)
        if user_id == actor.subject and (
            body.active is False or body.role not in (None, Role.ADMIN)
        ):
            raise ApiProblem(409, "self_lockout", "admins cannot demote or disable themselves")
        role = body.role or Role(row.role)
        partner_id = (
            body.partner_id
            if "partner_id" in body.model_fields_set
            else (row.partner_id if role == Role.PARTNER else None)
        )
        _check_partner(conn, role, partner_id)
        values: dict[str, Any] = {"role": role.value, "partner_id": partner_id}
        if body.active is not None:
            values["active"] = body.active
        users.update_user(conn, user_id, **values)
        # Refresh tokens carry the old role's scopes into new access tokens: end them.
        users.revoke_user_refresh_tokens(conn, user_id)
        users.audit(conn, actor.subject, "user.update", user_id, {k: v for k, v in values.items()})
        row = users.get_user(conn, user_id)
    standings_for(ctx.hub).forget_user(user_id)  # their tokens answer to the change now
    assert row is not None
    return accounts.user_out(ctx.cipher, row)


@router.get(
    "/partners",
    operation_id="admin_list_partners",
    response_model=Page[PartnerOut],
    summary="Partners, by id",
)
def list_partners(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
) -> Page[PartnerOut]:
    with ctx.hub.engine.connect() as conn:
        rows = [
            PartnerOut(id=p.id, name=p.name, created_at=p.created_at)
            for p in partners.list_partners(conn)
        ]
    items, cursor = paginate(rows, page, lambda p: [p.id])
    return Page[PartnerOut](items=items, next_cursor=cursor)


@router.post(
    "/partners", operation_id="admin_create_partner", response_model=PartnerOut, status_code=201
)
def create_partner(body: PartnerIn, actor: AdminWriter, ctx: Ctx) -> PartnerOut:
    with ctx.hub.engine.begin() as conn:
        if partners.get_partner(conn, body.id) is not None:
            raise ApiProblem(409, "partner_exists", f"partner id {body.id!r} is taken")
        p = partners.create_partner(conn, body.id, body.name)
        users.audit(conn, actor.subject, "partner.create", body.id, {"name": body.name})
    return PartnerOut(id=p.id, name=p.name, created_at=p.created_at)


# ---- connectors ----------------------------------------------------------------------------


def _connector(conn, connector_id: str) -> dict[str, Any]:
    from store import sync

    row = sync.get_connector(conn, connector_id)
    if row is None:
        raise not_found("connector", connector_id)
    return {**row, **_standing(conn, [connector_id]).get(connector_id, {})}


def _standing(conn, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per connector: last sync, open dead letters (and the newest one's entity and field) and
    open conflicts; the admin panel shows them beside the health, with links to act."""
    from sqlalchemy import func, select

    from store.tables import dead_letters, sync_conflicts, sync_cursors

    out: dict[str, dict[str, Any]] = {i: {} for i in ids}
    if not ids:
        return out
    for cid, at in conn.execute(
        select(sync_cursors.c.connector_id, func.max(sync_cursors.c.updated_at))
        .where(sync_cursors.c.connector_id.in_(ids))
        .group_by(sync_cursors.c.connector_id)
    ):
        out[cid]["last_sync_at"] = at
    d, c = dead_letters.c, sync_conflicts.c
    for cid, n in conn.execute(
        select(d.connector_id, func.count())
        .where(d.connector_id.in_(ids), d.status == "open")
        .group_by(d.connector_id)
    ):
        out[cid]["open_dead_letters"] = int(n)
    newest = (
        select(d.connector_id, d.entity, d.field, d.created_at)
        .where(d.connector_id.in_(ids), d.status == "open")
        .order_by(d.connector_id, d.created_at.desc())
    )
    for cid, entity, field, _at in conn.execute(newest):
        out[cid].setdefault("last_dead_letter", f"{entity} {field}" if field else entity)
    for cid, n in conn.execute(
        select(c.connector_id, func.count())
        .where(c.connector_id.in_(ids), c.status == "open")
        .group_by(c.connector_id)
    ):
        out[cid]["open_conflicts"] = int(n)
    for cid, run in import_runs.last_runs(conn, ids).items():
        out[cid]["last_run"] = run
    return out


def _connector_out(row: dict[str, Any], standing: dict[str, Any] | None = None) -> ConnectorOut:
    health = row.get("health") or {}
    failing = health.get("ok") is False
    return ConnectorOut(
        **{**row, **(standing or {})},
        last_error=str(health.get("detail")) if failing and health.get("detail") else None,
    )


@router.get(
    "/connectors",
    operation_id="admin_list_connectors",
    response_model=Page[ConnectorOut],
    summary="Every connector, active and paused, with its last health",
)
def list_connectors(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
) -> Page[ConnectorOut]:
    with ctx.hub.engine.connect() as conn:
        found = operations.all_connectors(conn)
        standing = _standing(conn, [r["id"] for r in found])
        rows = [_connector_out(r, standing[r["id"]]) for r in found]
    items, cursor = paginate(rows, page, lambda c: [c.id])
    return Page[ConnectorOut](items=items, next_cursor=cursor)


@router.post(
    "/connectors",
    operation_id="admin_create_connector",
    response_model=ConnectorOut,
    status_code=201,
    summary="Create a connector (adapter, mapping, endpoint, secret names)",
)
def create_connector(body: ConnectorIn, actor: AdminWriter, ctx: Ctx) -> ConnectorOut:
    from connectors.connector import ConnectorConfig, register
    from connectors.selling import InvalidSellingPolicy

    check_connector(body, ctx.hub.settings)  # endpoint, mapping path and secret names
    with ctx.hub.engine.connect() as conn:
        from store import sync

        if sync.get_connector(conn, body.id) is not None:
            raise ApiProblem(409, "connector_exists", f"connector id {body.id!r} is taken")
    try:
        register(ctx.hub.engine, ConnectorConfig(**body.model_dump()))
    except InvalidSellingPolicy as err:
        # Nothing was saved: the settings do not fit what the mapping's POS can do.
        raise ApiProblem(
            422,
            "invalid_selling_policy",
            str(err),
            errors=[{"field": "body.settings", "message": str(err), "type": "invalid"}],
        ) from None
    with ctx.hub.engine.begin() as conn:
        users.audit(
            conn,
            actor.subject,
            "connector.create",
            body.id,
            {"adapter": body.adapter, "mapping": body.mapping},
        )
        return _connector_out(_connector(conn, body.id))


@router.get(
    "/connectors/{connector_id}", operation_id="admin_get_connector", response_model=ConnectorOut
)
def get_connector(
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> ConnectorOut:
    with ctx.hub.engine.connect() as conn:
        return _connector_out(_connector(conn, connector_id))


@router.get(
    "/connectors/{connector_id}/runs",
    operation_id="admin_connector_runs",
    response_model=list[ImportRunOut],
    summary="The connector's recent import runs (catalog, localization, inventory), newest first",
)
def connector_runs(
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[ImportRunOut]:
    with ctx.hub.engine.connect() as conn:
        _connector(conn, connector_id)
        rows = import_runs.list_runs(conn, connector_id, limit)
    return [ImportRunOut(**r) for r in rows]


def _set_status(ctx: ApiContext, actor: Principal, connector_id: str, status: str) -> ConnectorOut:
    from connectors.connector import forget

    with ctx.hub.engine.begin() as conn:
        _connector(conn, connector_id)
        operations.set_connector_status(conn, connector_id, status)
        users.audit(
            conn,
            actor.subject,
            f"connector.{'pause' if status == 'paused' else 'resume'}",
            connector_id,
            {},
        )
        out = _connector_out(_connector(conn, connector_id))
    forget(ctx.hub.engine)  # cached connectors re-read their definition
    return out


@router.post(
    "/connectors/{connector_id}/pause",
    operation_id="admin_pause_connector",
    response_model=ConnectorOut,
    summary="Stop syncing this connector (scheduled jobs skip paused connectors)",
)
def pause_connector(
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> ConnectorOut:
    return _set_status(ctx, actor, connector_id, "paused")


@router.post(
    "/connectors/{connector_id}/resume",
    operation_id="admin_resume_connector",
    response_model=ConnectorOut,
)
def resume_connector(
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> ConnectorOut:
    return _set_status(ctx, actor, connector_id, "active")


@router.get(
    "/connectors/{connector_id}/health",
    operation_id="admin_connector_health",
    response_model=dict[str, Any],
    summary="The connector's last recorded health",
)
def connector_health(
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> dict[str, Any]:
    with ctx.hub.engine.connect() as conn:
        row = _connector(conn, connector_id)
    return {"connector_id": connector_id, "status": row["status"], **(row["health"] or {})}


@router.post(
    "/connectors/{connector_id}/test",
    operation_id="admin_test_connector",
    response_model=ConnectorTestOut,
    summary="Call the theatre's system now (read its theatres) and record the health",
)
def test_connector(
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> ConnectorTestOut:
    from connectors.connector import get_connector as live_connector
    from connectors.probe import count_records, probe_entity
    from store import sync

    with ctx.hub.engine.connect() as conn:
        _connector(conn, connector_id)
    started = time.perf_counter()
    records = None
    entities: dict[str, EntityTestOut] = {}
    try:
        connector = live_connector(
            ctx.hub.engine, connector_id, ctx.hub.settings.connectors.secrets_file
        )
        entity = probe_entity(connector)
        detail = "configured; nothing to read"
        if entity is not None:
            count = count_records(connector, entity)
            entities[entity] = EntityTestOut(**count.as_dict())
            records = count.records
            detail = _test_detail(entity, count)
        ok = True
    except Exception as exc:  # any failure is the answer here, reported not raised
        ok, detail = False, describe_failure(exc)  # never the raw network error
        records, entities = None, {}
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    now = utcnow()
    with ctx.hub.engine.begin() as conn:
        sync.set_health(
            conn,
            connector_id,
            {"ok": ok, "checked_at": now.isoformat(), "detail": detail, "duration_ms": elapsed},
        )
        users.audit(conn, actor.subject, "connector.test", connector_id, {"ok": ok})
    observability.CONNECTOR_HEALTH.labels(connector=connector_id).set(1 if ok else 0)
    return ConnectorTestOut(
        connector_id=connector_id,
        ok=ok,
        checked_at=now,
        duration_ms=elapsed,
        detail=detail,
        records=records,
        entities=entities,
    )


def _test_detail(entity: str, count: Any) -> str:
    """`read 2 theatre records from 1 payload`, and the rejected ones when there are some."""

    def n(value: int, word: str) -> str:
        return f"{value} {word}{'' if value == 1 else 's'}"

    text = f"read {n(count.records, entity + ' record')} from {n(count.payloads, 'payload')}"
    if count.dead_letters:
        text += f"; the mapping rejects {n(count.dead_letters, 'record')}"
    return text


# ---- sync conflicts ------------------------------------------------------------------------


def _refresh_gauges(conn) -> None:
    conflicts, dead = operations.open_counts(conn)
    observability.OPEN_CONFLICTS.set(conflicts)
    observability.OPEN_DEAD_LETTERS.set(dead)


@router.get(
    "/conflicts",
    operation_id="admin_list_conflicts",
    response_model=Page[ConflictOut],
    summary="The sync conflict queue",
)
def list_conflicts(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
    status: Literal["open", "resolved"] | None = "open",
    connector_id: QueryId = None,
) -> Page[ConflictOut]:
    with ctx.hub.engine.connect() as conn:
        rows = operations.conflicts(
            conn, status=status, connector_id=connector_id, after=_after(page), limit=page.limit + 1
        )
        _refresh_gauges(conn)
        items = _conflicts_out(conn, rows[: page.limit])
    return Page[ConflictOut](items=items, next_cursor=_next(rows, page, lambda r: r["id"]))


def _conflicts_out(conn: Any, rows: list[dict[str, Any]]) -> list[ConflictOut]:
    """Conflict rows with what an admin reads beside them (film, theatre, local time, seat,
    booking reference, the POS's word), read once for the whole page."""
    return [
        ConflictOut(**row, **asdict(context))
        for row, context in zip(rows, contexts(conn, rows), strict=True)
    ]


def _conflict_out(ctx: ApiContext, row: dict[str, Any]) -> ConflictOut:
    with ctx.hub.engine.connect() as conn:
        return _conflicts_out(conn, [row])[0]


@router.post(
    "/conflicts/{conflict_id}/resolve",
    operation_id="admin_resolve_conflict",
    response_model=ConflictOut,
    summary="Resolve a conflict with an action that takes effect (and is audited)",
    responses={
        409: {"description": "Resolved already with another action"},
        422: {"description": "The action does not fit this kind of conflict"},
    },
)
def resolve_conflict(
    body: ResolveIn,
    conflict_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> ConflictOut:
    """Actions with effects: `refund_customer` fails the Marquee booking and refunds the
    customer in full through the booking service (the same refund key as the outbox's, so the
    refund is made once); `keep_booking` and `acknowledge` only resolve. The same action again
    is a no-op answering the conflict as it is; another action on a resolved conflict is 409."""
    with ctx.hub.engine.connect() as conn:
        row = operations.get_conflict(conn, conflict_id)
    if row is None:
        raise not_found("conflict", conflict_id)
    allowed = operations.allowed_actions(row["kind"])
    if allowed is not None and body.action not in allowed:
        raise ApiProblem(
            422,
            "invalid_action",
            f"a {row['kind']} conflict is resolved with {' or '.join(allowed)}",
            allowed=list(allowed),
        )
    if row["status"] != "open":
        if operations.resolved_action(row) == body.action:
            return _conflict_out(ctx, row)  # the same action again: done already
        raise ApiProblem(409, "already_resolved", f"conflict {conflict_id} is resolved")
    effect: dict[str, Any] = {}
    if body.action == "refund_customer":
        effect = _refund_customer(ctx, row, body.note)
    with ctx.hub.engine.begin() as conn:
        resolution = f"{body.action}: {body.note}".strip().rstrip(":")
        if not operations.resolve_conflict(conn, conflict_id, resolution):
            current = operations.get_conflict(conn, conflict_id)
            if current is not None and operations.resolved_action(current) == body.action:
                return _conflict_out(ctx, current)  # another admin did the same meanwhile
            raise ApiProblem(409, "already_resolved", f"conflict {conflict_id} is resolved")
        users.audit(
            conn,
            actor.subject,
            "conflict.resolve",
            conflict_id,
            {"action": body.action, "note": body.note, "kind": row["kind"], **effect},
        )
        out = operations.get_conflict(conn, conflict_id)
        _refresh_gauges(conn)
    assert out is not None
    return _conflict_out(ctx, out)


def _refund_customer(ctx: ApiContext, row: dict[str, Any], note: str) -> dict[str, Any]:
    """Fail the booking (if still confirmed) and refund what is left of its payments now.
    Both steps are idempotent: fail_sale does nothing to a booking that is not confirmed, and
    the refund uses fail_sale's own idempotency key, so the outbox's later delivery of the same
    refund is a no-op."""
    from canonical.orders import PaymentStatus

    booking_id = (row.get("detail") or {}).get("booking_id")
    if not booking_id:
        raise ApiProblem(422, "no_booking", "this conflict names no booking to refund")
    services = ctx.booking
    # This conflict is the admins' record: failing the sale must not raise another one.
    services.fail_sale(
        booking_id,
        f"admin: {row['kind']} resolved with a refund" + (f" ({note})" if note else ""),
        raise_conflict=False,
    )
    refunded = []
    with services.uow() as uow:
        payments = uow.payments.for_booking(booking_id)
    for p in payments:
        if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
            left = p.amount.amount - (p.refunded.amount if p.refunded else 0)
            services.issue_refund(
                p.id,
                p.amount.model_copy(update={"amount": left}),
                "the theatre refused the sale",
                idempotency_key=f"refund:{p.id}:sale-failed",
            )
            refunded.append(p.id)
    booking = services.get_booking(booking_id)
    return {
        "booking_id": booking_id,
        "booking_status": booking.status.value,
        "refunded_payments": refunded,
    }


# ---- dead letters --------------------------------------------------------------------------


@router.get(
    "/dead-letters",
    operation_id="admin_list_dead_letters",
    response_model=Page[DeadLetterOut],
    summary="Records that failed to map, with the payload and the failing field",
)
def list_dead_letters(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
    status: Literal["open", "replayed", "discarded"] | None = "open",
    connector_id: QueryId = None,
) -> Page[DeadLetterOut]:
    with ctx.hub.engine.connect() as conn:
        rows = operations.dead_letter_page(
            conn, status=status, connector_id=connector_id, after=_after(page), limit=page.limit + 1
        )
    return Page[DeadLetterOut](
        items=[DeadLetterOut(**r) for r in rows[: page.limit]],
        next_cursor=_next(rows, page, lambda r: r["id"]),
    )


@router.get(
    "/dead-letters/{dead_letter_id}",
    operation_id="admin_get_dead_letter",
    response_model=DeadLetterOut,
)
def get_dead_letter(
    dead_letter_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> DeadLetterOut:
    with ctx.hub.engine.connect() as conn:
        row = operations.get_dead_letter(conn, dead_letter_id)
    if row is None:
        raise not_found("dead_letter", dead_letter_id)
    return DeadLetterOut(**row)


def _replayer():
    """The connectors package's replay function, if it provides one."""
    try:
        from connectors import replay
    except ImportError:
        return None
    return getattr(replay, "replay_dead_letter", None)


@router.post(
    "/dead-letters/{dead_letter_id}/replay",
    operation_id="admin_replay_dead_letter",
    response_model=DeadLetterOut,
    summary="Run a dead letter through the (fixed) mapping again and apply it",
    responses={
        409: {"description": "The dead letter was discarded"},
        422: {"description": "The replay failed; the dead letter stays open with the new reason"},
        501: {"description": "This hub has no replay function installed"},
    },
)
def replay_dead_letter(
    dead_letter_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> DeadLetterOut:
    with ctx.hub.engine.connect() as conn:
        row = operations.get_dead_letter(conn, dead_letter_id)
    if row is None:
        raise not_found("dead_letter", dead_letter_id)
    if row["status"] == "replayed":
        return DeadLetterOut(**row)  # replaying twice is harmless: it was applied once
    if row["status"] != "open":
        raise ApiProblem(409, "dead_letter_closed", f"dead letter is {row['status']}")
    replay = _replayer()
    if replay is None:
        raise ApiProblem(
            501,
            "replay_unavailable",
            "the connectors package provides no replay_dead_letter function yet; "
            "fix the mapping and re-run the sync, then discard this entry",
        )
    # The replay writes the records and marks the dead letter replayed in one transaction;
    # a failed replay leaves it open with the reason it failed this time.
    result = replay(ctx.hub.engine, dead_letter_id)
    ok = getattr(result, "status", "replayed") == "replayed"
    with ctx.hub.engine.begin() as conn:
        users.audit(
            conn,
            actor.subject,
            "dead_letter.replay",
            dead_letter_id,
            {
                "ok": ok,
                "records": getattr(result, "records", None),
                "reason": getattr(result, "reason", None),
            },
        )
        out = operations.get_dead_letter(conn, dead_letter_id)
        _refresh_gauges(conn)
    assert out is not None
    if not ok:
        raise ApiProblem(
            422,
            "replay_failed",
            getattr(result, "reason", None) or "replay failed",
            dead_letter=dead_letter_id,
        )
    return DeadLetterOut(**out)


@router.post(
    "/dead-letters/{dead_letter_id}/discard",
    operation_id="admin_discard_dead_letter",
    response_model=DeadLetterOut,
    summary="Close a dead letter without replaying it",
)
def discard_dead_letter(
    dead_letter_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
) -> DeadLetterOut:
    with ctx.hub.engine.begin() as conn:
        row = operations.get_dead_letter(conn, dead_letter_id)
        if row is None:
            raise not_found("dead_letter", dead_letter_id)
        if not operations.close_dead_letter(conn, dead_letter_id, "discarded"):
            raise ApiProblem(409, "dead_letter_closed", f"dead letter is {row['status']}")
        users.audit(conn, actor.subject, "dead_letter.discard", dead_letter_id, {})
        out = operations.get_dead_letter(conn, dead_letter_id)
    assert out is not None
    return DeadLetterOut(**out)


# ---- audit log -----------------------------------------------------------------------------


@router.get(
    "/audit-log",
    operation_id="admin_audit_log",
    response_model=Page[AuditOut],
    summary="Admin actions, newest first",
)
def audit_log(
    page: Paging,
    _: AdminReader,
    ctx: Ctx,
    actor: QueryId = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditOut]:
    key = page.key()
    try:
        before = int(key[0]) if key else None
    except (ValueError, TypeError):
        raise ApiProblem(400, "invalid_cursor", "the cursor does not fit this list") from None
    with ctx.hub.engine.connect() as conn:
        rows = users.list_audit(
            conn, actor=actor, action=action, before=before, limit=page.limit + 1
        )
    items = [AuditOut(**r.__dict__) for r in rows[: page.limit]]
    return Page[AuditOut](items=items, next_cursor=_next(rows, page, lambda r: r.id))


# Editing and deleting connectors, finding bookings: api/routers/admin_records.py.
from api.routers import admin_records  # noqa: E402 - after this module's routes, same prefix

router.include_router(admin_records.router)

# A connector's mapping read and edited as text: api/routers/admin_mappings.py.
from api.routers import admin_mappings  # noqa: E402

router.include_router(admin_mappings.router)
