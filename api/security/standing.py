"""Whether a verified access token still speaks for someone, checked on every request.

A signature proves who a token was issued to, not that they may still act. On each request the
token's subject must still exist and be active with the role and partner the token names (a
demoted admin's token is refused, not merely narrowed), a partner client must not be revoked,
and a user's login session (the token's `sid`, its refresh token family) must be live: logout,
reuse of a rotated refresh token and an admin's change revoke the family.

The answers are kept in each API process, so a sale does not read the users table per request.
Redis (REDIS_URL) holds a change counter: every change made through the API bumps it, and every
process reads it at most every `EPOCH_SECONDS` and, when it moved, drops every answer it kept;
each kept answer is tagged with the counter it was read under, so an answer read before a change
is never used after it. Another process sees a change within a second, the one that made it on
the very next request. Answers are then kept up to `LOCAL_SECONDS_SHARED`, the bound for a
change made behind the API's back (SQL by hand). Without Redis (one process, the embedded
default) or while Redis does not answer, answers are kept for `LOCAL_SECONDS` (one second).
A miss reads the database once (one primary-key read per subject), never Redis: it costs a sale
less than a Redis round trip before it would.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from api.security.tokens import Claims
from store import users

log = logging.getLogger("marquee.auth")

LOCAL_SECONDS = 1.0  # no Redis: how long this process trusts an answer
LOCAL_SECONDS_SHARED = 60.0  # with Redis: the change counter tells when to drop answers earlier
EPOCH_SECONDS = 0.5
EPOCH_KEY = "marquee:standing-epoch"
LOCAL_KEPT = 65536


@dataclass(frozen=True)
class Standing:
    """What the database says of a token's subject now (None fields: no such subject)."""

    active: bool
    role: str | None
    partner_id: str | None


class Standings:
    def __init__(self, engine: Engine, redis_url: str | None) -> None:
        self.engine = engine
        self._local: dict[str, tuple[float, bytes | None, Any]] = {}
        self._redis: Any = None
        # The change counter as last read, and when; None while Redis did not answer.
        self._epoch: bytes | None = None
        self._epoch_read_at = float("-inf")
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.25, socket_connect_timeout=0.25
            )

    # ---- the check -----------------------------------------------------------------------

    def refusal_cached(self, claims: Claims) -> tuple[bool, str | None]:
        """(known, reason) from this process's memory alone: no I/O, safe on the event loop."""
        keys = _keys(claims)
        values = [self._local_get(k) for k in keys]
        if any(v is _MISSING for v in values):
            return False, None
        return True, _judge(claims, dict(zip(keys, values, strict=True)))

    def refusal(self, claims: Claims) -> str | None:
        """Why this token must be refused now (None: it may act). Blocking I/O on a miss: the
        subject and its session are read over one connection."""
        keys = _keys(claims)
        values = {k: self._local_get(k) for k in keys}
        missing = [k for k, v in values.items() if v is _MISSING]
        if missing:
            values.update(self._load_many(missing))
        return _judge(claims, values)

    async def arefresh(self) -> None:
        """Read the change counter when it is due (one reader per interval, not per request)."""
        if self._redis is not None and time.monotonic() - self._epoch_read_at >= EPOCH_SECONDS:
            self._epoch_read_at = time.monotonic()
            await run_in_threadpool(self.read_epoch)

    async def arefusal(self, claims: Claims) -> str | None:
        await self.arefresh()
        known, reason = self.refusal_cached(claims)
        if known:
            return reason
        return await run_in_threadpool(self.refusal, claims)

    # ---- forgetting (after a change made through the API) ---------------------------------

    def forget_user(self, user_id: str) -> None:
        self._forget(f"u:{user_id}")

    def forget_client(self, client_id: str) -> None:
        self._forget(f"c:{client_id}")

    def forget_session(self, family_id: str) -> None:
        self._forget(f"s:{family_id}")

    def read_epoch(self) -> None:
        """Drop every kept answer when another process changed something (or Redis is away)."""
        try:
            epoch = self._redis.get(EPOCH_KEY) or b"0"
        except Exception:  # noqa: BLE001 - Redis away: keep answers only LOCAL_SECONDS
            epoch = None
        if epoch is None or epoch != self._epoch:
            self._local.clear()
        self._epoch = epoch
        self._epoch_read_at = time.monotonic()

    def _forget(self, key: str) -> None:
        # Everything, not just this key: a user's sessions are keyed apart from the user, and
        # changes are rare next to requests.
        self._local.clear()
        if self._redis is not None:
            try:
                # Every process (this one too) stops using answers read before the change.
                self._epoch = str(self._redis.incr(EPOCH_KEY)).encode()
            except Exception:  # noqa: BLE001 - Redis down: the others keep answers a second
                log.warning("could not forget a cached token standing in Redis", exc_info=True)

    # ---- the cache layers -----------------------------------------------------------------
    # Every kept answer is tagged with the change counter it was read under: an answer read
    # before a change (even one stored after it, by a slow reader) is never used after it.

    def _local_get(self, key: str) -> Any:
        hit = self._local.get(key)
        if hit is None:
            return _MISSING
        read_at, epoch, value = hit
        # Long only while the change counter is being read; otherwise a second.
        keep = LOCAL_SECONDS_SHARED if self._epoch is not None else LOCAL_SECONDS
        if epoch != self._epoch or time.monotonic() - read_at > keep:
            return _MISSING
        return value

    def _load_many(self, keys: list[str]) -> dict[str, Any]:
        epoch = self._epoch
        with self.engine.connect() as conn:
            loaded = {key: _load(conn, key) for key in keys}
        if len(self._local) + len(loaded) > LOCAL_KEPT:
            self._local.clear()  # crude but bounded; refilled from the database
        now = time.monotonic()
        for key, value in loaded.items():
            self._local[key] = (now, epoch, value)
        return loaded


def _load(conn: Connection, key: str) -> Any:
    kind, _, ident = key.partition(":")
    if kind == "u":
        user = users.get_user(conn, ident)
        return None if user is None else Standing(user.active, user.role, user.partner_id)
    if kind == "c":
        client = users.get_client(conn, ident)
        if client is None:
            return None
        return Standing(client.revoked_at is None, "partner", client.partner_id)
    return users.session_is_live(conn, ident)


_MISSING = object()


def _keys(claims: Claims) -> list[str]:
    if claims.kind == "client":
        return [f"c:{claims.subject}"]
    keys = [f"u:{claims.subject}"]
    if claims.session:
        keys.append(f"s:{claims.session}")
    return keys


def _judge(claims: Claims, values: dict[str, Any]) -> str | None:
    if claims.kind not in ("user", "client"):
        return "unknown kind of token"
    subject = values[_keys(claims)[0]]
    if not isinstance(subject, Standing):
        return "the account no longer exists"
    if not subject.active:
        return "the account is disabled" if claims.kind == "user" else "the client was revoked"
    if subject.role != claims.role or subject.partner_id != claims.partner_id:
        return "the account's role changed since this token was issued"
    if claims.session and values.get(f"s:{claims.session}") is not True:
        return "the session has ended"
    return None


def standings_for(hub: Any) -> Standings:
    """The hub's one Standings (the API's routers and its token check share it)."""
    found = vars(hub).get("_token_standings")
    if found is None:
        found = vars(hub).setdefault(
            "_token_standings", Standings(hub.engine, hub.settings.redis.url)
        )
    return found
