"""Users, refresh tokens, partner API clients and the audit log (SQL only; no crypto here).

Email and phone arrive already encrypted (`email_enc`, `phone_enc`) with the keyed `email_hash`;
this module never sees a clear-text address, so nothing here can log one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from canonical.time import utcnow
from store.tables import audit_log, users
from store.tables_auth import partner_clients, refresh_tokens


@dataclass(frozen=True)
class UserRow:
    id: str
    email_hash: str
    email_enc: str
    phone_enc: str | None
    name: str | None
    language: str
    password_hash: str | None
    role: str
    partner_id: str | None
    active: bool
    created_at: datetime


def _user(row: Any) -> UserRow:
    return UserRow(**{k: getattr(row, k) for k in UserRow.__dataclass_fields__})


class EmailTaken(Exception):
    pass


def create_user(
    conn: Connection,
    *,
    user_id: str,
    email_hash: str,
    email_enc: str,
    phone_enc: str | None,
    name: str | None,
    language: str,
    password_hash: str | None,
    role: str,
    partner_id: str | None,
) -> UserRow:
    if get_by_email_hash(conn, email_hash) is not None:
        raise EmailTaken(user_id)
    conn.execute(
        insert(users).values(
            id=user_id,
            email_hash=email_hash,
            email_enc=email_enc,
            phone_enc=phone_enc,
            name=name,
            language=language,
            password_hash=password_hash,
            role=role,
            partner_id=partner_id,
            active=True,
            created_at=utcnow(),
        )
    )
    created = get_user(conn, user_id)
    assert created is not None
    return created


def get_user(conn: Connection, user_id: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def get_by_email_hash(conn: Connection, email_hash: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.email_hash == email_hash)).first()
    return _user(row) if row else None


def list_users(
    conn: Connection,
    *,
    role: str | None = None,
    partner_id: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> list[UserRow]:
    query = select(users).order_by(users.c.id).limit(limit)
    if role:
        query = query.where(users.c.role == role)
    if partner_id:
        query = query.where(users.c.partner_id == partner_id)
    if after:
        query = query.where(users.c.id > after)
    return [_user(r) for r in conn.execute(query)]


def update_user(conn: Connection, user_id: str, **values: Any) -> bool:
    allowed = {"name", "language", "phone_enc", "password_hash", "role", "partner_id", "active"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if not values:
        return get_user(conn, user_id) is not None
    return conn.execute(update(users).where(users.c.id == user_id).values(**values)).rowcount == 1


# ---- refresh tokens ------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshRow:
    id: str
    user_id: str
    family_id: str
    token_hash: str
    expires_at: datetime
    revoked_at: datetime | None
    replaced_by: str | None


def add_refresh_token(
    conn: Connection,
    *,
    token_id: str,
    user_id: str,
    family_id: str,
    token_hash: str,
    expires_at: datetime,
) -> None:
    conn.execute(
        insert(refresh_tokens).values(
            id=token_id,
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )


def get_refresh_token(
    conn: Connection, token_id: str, *, for_update: bool = False
) -> RefreshRow | None:
    query = select(refresh_tokens).where(refresh_tokens.c.id == token_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if not row:
        return None
    return RefreshRow(
        row.id,
        row.user_id,
        row.family_id,
        row.token_hash,
        row.expires_at,
        row.revoked_at,
        row.replaced_by,
    )


def session_is_live(conn: Connection, family_id: str) -> bool:
    """A login session lives while its family holds an unrevoked, unexpired refresh token
    (logout, reuse of a rotated token and an admin's change revoke the family)."""
    query = (
        select(refresh_tokens.c.id)
        .where(
            refresh_tokens.c.family_id == family_id,
            refresh_tokens.c.revoked_at.is_(None),
            refresh_tokens.c.expires_at > utcnow(),
        )
        .limit(1)
    )
    return conn.execute(query).first() is not None


def rotate_refresh_token(conn: Connection, token_id: str, replaced_by: str) -> bool:
    """Revoke `token_id` in favour of `replaced_by`, only if it is still live (compare-and-set:
    two concurrent refreshes with one token cannot both win)."""
    return (
        conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), replaced_by=replaced_by)
        ).rowcount
        == 1
    )


def revoke_refresh_family(conn: Connection, family_id: str) -> int:
    return conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


def revoke_user_refresh_tokens(conn: Connection, user_id: str) -> int:
    return conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


# ---- partner API clients -------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRow:
    client_id: str
    partner_id: str
    name: str
    secret_hash: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


def _client(row: Any) -> ClientRow:
    return ClientRow(
        row.client_id,
        row.partner_id,
        row.name,
        row.secret_hash,
        list(row.scopes),
        row.created_at,
        row.revoked_at,
    )


def add_client(
    conn: Connection,
    *,
    client_id: str,
    partner_id: str,
    name: str,
    secret_hash: str,
    scopes: Sequence[str],
) -> ClientRow:
    conn.execute(
        insert(partner_clients).values(
            client_id=client_id,
            partner_id=partner_id,
            name=name,
            secret_hash=secret_hash,
            scopes=list(scopes),
            created_at=utcnow(),
        )
    )
    client = get_client(conn, client_id)
    assert client is not None
    return client


def get_client(conn: Connection, client_id: str) -> ClientRow | None:
    row = conn.execute(
        select(partner_clients).where(partner_clients.c.client_id == client_id)
    ).first()
    return _client(row) if row else None


def list_clients(conn: Connection, partner_id: str) -> list[ClientRow]:
    rows = conn.execute(
        select(partner_clients)
        .where(partner_clients.c.partner_id == partner_id)
        .order_by(partner_clients.c.client_id)
    )
    return [_client(r) for r in rows]


def revoke_client(conn: Connection, client_id: str) -> bool:
    return (
        conn.execute(
            update(partner_clients)
            .where(partner_clients.c.client_id == client_id, partner_clients.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        == 1
    )


# ---- audit log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    at: datetime


def audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an admin action in the caller's transaction: the change and its record commit
    together or not at all."""
    conn.execute(
        insert(audit_log).values(
            actor=actor, action=action, target=target, detail=detail or {}, at=utcnow()
        )
    )


def list_audit(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """Newest first; `before` is the id of the last entry of the previous page."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if action:
        query = query.where(audit_log.c.action == action)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    return [
        AuditRow(r.id, r.actor, r.action, r.target, dict(r.detail), r.at)
        for r in conn.execute(query)
    ]


# ---- a customer's bookings -----------------------------------------------------------------


def customer_booking_ids(
    conn: Connection,
    customer_id: str,
    *,
    status: str | None = None,
    show_id: str | None = None,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[str]:
    """Newest first; `before` is (created_at, id) of the last booking of the previous page."""
    from sqlalchemy import and_, or_

    from store.tables import bookings

    query = (
        select(bookings.c.id)
        .where(bookings.c.customer_id == customer_id)
        .order_by(bookings.c.created_at.desc(), bookings.c.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(bookings.c.status == status)
    if show_id:
        query = query.where(bookings.c.show_id == show_id)
    if before is not None:
        at, last_id = before
        query = query.where(
            or_(
                bookings.c.created_at < at,
                and_(bookings.c.created_at == at, bookings.c.id < last_id),
            )
        )
    return list(conn.execute(query).scalars())
