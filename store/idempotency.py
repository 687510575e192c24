"""Idempotency keys: a client's key, the fingerprint of the request it was first used with, and
the answer given. The row is claimed before the work starts (the primary key decides between
two requests racing with one key) and completed with the answer; a request that failed gives
its key back so the client may retry it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.tables_integrity import idempotency_keys


@dataclass(frozen=True)
class Claimed:
    """The key is ours: do the work, then `complete` (or `release` on failure)."""


@dataclass(frozen=True)
class Answered:
    status_code: int
    response: Any


@dataclass(frozen=True)
class Mismatch:
    """The key was first used for a different request (operation or body)."""


@dataclass(frozen=True)
class InFlight:
    """The first request with this key is still being answered."""


Claim = Claimed | Answered | Mismatch | InFlight

# A claim with no answer after this long belongs to a request whose API process died (a killed
# host never releases its keys); the load balancer gave up on it after 30 s. The repeat takes
# the claim over instead of being told "in flight" until the key is purged.
ABANDONED_AFTER = timedelta(seconds=45)


def claim(
    conn: Connection, owner: str, key: str, operation: str, fingerprint: str, now: datetime
) -> Claim:
    try:
        with conn.begin_nested():
            conn.execute(
                insert(idempotency_keys).values(
                    owner=owner,
                    key=key,
                    operation=operation,
                    fingerprint=fingerprint,
                    created_at=now,
                )
            )
        return Claimed()
    except IntegrityError:
        pass
    row = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.owner == owner, idempotency_keys.c.key == key
        )
    ).first()
    if row is None:  # released between our insert and our read: the caller may try again
        return InFlight()
    if row.operation != operation or row.fingerprint != fingerprint:
        return Mismatch()
    if row.status_code is None:
        taken = conn.execute(
            update(idempotency_keys)
            .where(
                idempotency_keys.c.owner == owner,
                idempotency_keys.c.key == key,
                idempotency_keys.c.status_code.is_(None),
                idempotency_keys.c.created_at < now - ABANDONED_AFTER,
            )
            .values(created_at=now)
        ).rowcount
        return Claimed() if taken else InFlight()
    return Answered(row.status_code, row.response)


def complete(conn: Connection, owner: str, key: str, status_code: int, response: Any) -> None:
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.owner == owner, idempotency_keys.c.key == key)
        .values(status_code=status_code, response=response)
    )


def release(conn: Connection, owner: str, key: str) -> None:
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.owner == owner,
            idempotency_keys.c.key == key,
            idempotency_keys.c.status_code.is_(None),
        )
    )


def purge(conn: Connection, before: datetime) -> int:
    """Forget answers older than the replay window."""
    return conn.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at < before)
    ).rowcount
