"""Redis down (a restart, a failover): rate limits are not counted and requests go on, instead
of every request failing with a connection error."""

from __future__ import annotations

import asyncio
import socket

from api.ratelimit import RateLimiter


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens


def test_limits_fail_open_while_redis_is_unreachable() -> None:
    limiter = RateLimiter(f"redis://127.0.0.1:{closed_port()}/0")
    # over the limit many times: nothing is counted, nothing refused, nothing raised
    for _ in range(3):
        limiter.check("hold_per_ip", "1/hour", "203.0.113.7")

    async def burst() -> None:
        for _ in range(3):
            await limiter.acheck("hold_per_ip", "1/hour", "203.0.113.7")

    asyncio.run(burst())


def test_limits_still_refuse_with_a_working_store() -> None:
    import pytest

    from api.problems import ApiProblem

    limiter = RateLimiter(None)  # in-process counters
    limiter.check("hold_per_ip", "1/hour", "203.0.113.8")
    with pytest.raises(ApiProblem) as refused:
        limiter.check("hold_per_ip", "1/hour", "203.0.113.8")
    assert refused.value.status == 429
