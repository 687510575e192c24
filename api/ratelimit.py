"""Rate limits with the `limits` library: Redis storage when `redis_url` is set (shared by every
API process), in-process memory otherwise (the embedded default). A refused request answers 429
with Retry-After.

Limits are per IP and per user (or per login name) for the endpoints worth abusing: login, hold
and checkout. Keys never hold a clear-text email: a login name is hashed first.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.aio import storage as aio_storage
from limits.aio import strategies as aio_strategies
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from api.problems import ApiProblem
from marquee import observability
from marquee.settings import RateLimitSettings, Settings

# Rate-limit calls in flight at once per event loop (the async Redis client's pool holds 100).
# A few are enough for a sub-millisecond script; each one more opens another connection in the
# middle of a rush, and a connection's handshake costs the event loop more than the waiting.
ASYNC_REDIS_CALLS = 8


def _default(name: str) -> str:
    return RateLimitSettings.model_fields[name].default


@dataclass(frozen=True)
class RateLimits:
    """One spec per limited endpoint and key. The defaults are the settings' defaults (one
    source of truth); a deployment sets RATE_LIMIT_<NAME>, read through `from_settings`."""

    login_per_ip: str = _default("login_per_ip")
    login_per_account: str = _default("login_per_account")
    hold_per_user: str = _default("hold_per_user")
    hold_per_ip: str = _default("hold_per_ip")
    checkout_per_user: str = _default("checkout_per_user")
    checkout_per_ip: str = _default("checkout_per_ip")

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            login_per_ip=settings.rate_limits.login_per_ip,
            login_per_account=settings.rate_limits.login_per_account,
            hold_per_user=settings.rate_limits.hold_per_user,
            hold_per_ip=settings.rate_limits.hold_per_ip,
            checkout_per_user=settings.rate_limits.checkout_per_user,
            checkout_per_ip=settings.rate_limits.checkout_per_ip,
        )


log = logging.getLogger(__name__)

# Redis unreachable (restarting, failing over): the limits are not counted and the request goes
# on. A Redis restart must not turn a sale into errors; nothing that sells a seat depends on
# these counters, and they count again as soon as Redis answers.
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class RateLimiter:
    def __init__(self, redis_url: str | None, limits: RateLimits | None = None) -> None:
        uri = redis_url if redis_url else "memory://"
        self._uri = uri
        self._aio: (
            tuple[
                asyncio.AbstractEventLoop,
                aio_strategies.SlidingWindowCounterRateLimiter,
                asyncio.Semaphore,
            ]
            | None
        ) = None
        self.storage = storage_from_string(uri)
        # A sliding-window counter is two counters per key: O(1) per hit whatever the limit. A
        # moving window keeps one entry per request, so a generous limit (a whole city behind
        # one carrier NAT, or a load test) made every hit walk a long Redis list.
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.limits = limits or RateLimits()
        self._items: dict[str, list[RateLimitItem]] = {}

    def _parsed(self, spec: str) -> list[RateLimitItem]:
        if spec not in self._items:
            self._items[spec] = parse_many(spec)
        return self._items[spec]

    def check(self, name: str, spec: str, key: str) -> None:
        """Count one request against `spec` (one or more limits joined by ';') for `key`;
        raise 429 when over any of them."""
        for item in self._parsed(spec):
            try:
                allowed = self.limiter.hit(item, "marquee", name, key)
            except _REDIS_DOWN as err:
                log.warning("rate limit %s not counted: redis unreachable (%s)", name, err)
                return
            if not allowed:
                self._refuse(name, spec, key, item)

    async def acheck(self, name: str, spec: str, key: str) -> None:
        """`check` for async endpoints: the same counters (same storage and keys), without
        blocking the event loop on Redis."""
        limiter, calls = self._async_limiter()
        for item in self._parsed(spec):
            # A burst of requests waits here for one of the client's connections rather than
            # failing with "too many connections".
            async with calls:
                try:
                    allowed = await limiter.hit(item, "marquee", name, key)
                except _REDIS_DOWN as err:
                    log.warning("rate limit %s not counted: redis unreachable (%s)", name, err)
                    return
                if not allowed:
                    reset, _ = await limiter.get_window_stats(item, "marquee", name, key)
                    self._refuse_at(name, spec, reset)

    def _async_limiter(
        self,
    ) -> tuple[aio_strategies.SlidingWindowCounterRateLimiter, asyncio.Semaphore]:
        # Async clients belong to one event loop: a server has one, a test may start several.
        loop = asyncio.get_running_loop()
        if self._aio is None or self._aio[0] is not loop:
            if self._uri.startswith("memory://"):
                # In-process limits: async endpoints count in their own memory storage; each
                # limit name is checked by one kind of endpoint only, so no count is split.
                storage: aio_storage.Storage = aio_storage.MemoryStorage()
            else:
                storage = aio_storage.RedisStorage("async+" + self._uri, implementation="redispy")
            self._aio = (
                loop,
                aio_strategies.SlidingWindowCounterRateLimiter(storage),
                asyncio.Semaphore(ASYNC_REDIS_CALLS),
            )
        return self._aio[1], self._aio[2]

    def _refuse(self, name: str, spec: str, key: str, item: RateLimitItem) -> None:
        reset, _ = self.limiter.get_window_stats(item, "marquee", name, key)
        self._refuse_at(name, spec, reset)

    def _refuse_at(self, name: str, spec: str, reset: float) -> None:
        retry = max(1, math.ceil(reset - time.time()))
        observability.RATE_LIMITED.labels(limit=name).inc()
        raise ApiProblem(
            429,
            "rate_limited",
            f"too many requests ({spec} for {name})",
            headers={"Retry-After": str(retry)},
            retry_after=retry,
            limit=name,
        )


def client_ip(request: Request) -> str:
    # Behind a proxy, run uvicorn with --proxy-headers so request.client is the real address.
    return request.client.host if request.client else "unknown"


def hashed(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:24]


def limiter_of(request: Request) -> RateLimiter:
    return request.app.state.limiter


def limit_login(request: Request, login: str) -> None:
    rl = limiter_of(request)
    rl.check("login_ip", rl.limits.login_per_ip, client_ip(request))
    rl.check("login_account", rl.limits.login_per_account, hashed(login))


async def limit_hold(request: Request, user_id: str) -> None:
    rl = limiter_of(request)
    await rl.acheck("hold_ip", rl.limits.hold_per_ip, client_ip(request))
    await rl.acheck("hold_user", rl.limits.hold_per_user, user_id)


def limit_checkout(request: Request, user_id: str) -> None:
    rl = limiter_of(request)
    rl.check("checkout_ip", rl.limits.checkout_per_ip, client_ip(request))
    rl.check("checkout_user", rl.limits.checkout_per_user, user_id)
