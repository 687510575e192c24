"""Rate limits come from the environment (RATE_LIMIT_*) through the settings, and a configured
limit is the one the API enforces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from api.ratelimit import RateLimits
from marquee.settings import Settings
from tests.api.conftest import Api, make_api
from tests.api.test_journeys import _tomorrow_show


def test_defaults_are_unchanged_and_env_overrides_them(monkeypatch):
    assert RateLimits.from_settings(Settings()) == RateLimits(
        login_per_ip="30/minute",
        login_per_account="10/minute",
        hold_per_user="30/minute",
        hold_per_ip="120/minute",
        checkout_per_user="20/minute",
        checkout_per_ip="60/minute",
    )
    monkeypatch.setenv("RATE_LIMIT_CHECKOUT_PER_IP", "5 per second;100/hour")
    assert RateLimits.from_settings(Settings()).checkout_per_ip == "5 per second;100/hour"


def test_a_malformed_limit_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_HOLD_PER_IP", "lots")
    with pytest.raises(ValidationError, match="not a rate limit"):
        Settings()


@pytest.fixture
def hold_limited(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    # Only the environment says "2 holds a minute per IP": no RateLimits passed in code.
    monkeypatch.setenv("RATE_LIMIT_HOLD_PER_IP", "2/hour")
    yield from make_api(sqlite_url)


def test_a_configured_hold_limit_answers_429_with_retry_after(hold_limited: Api):
    c = hold_limited.client
    show = _tomorrow_show(c)
    auth = hold_limited.auth("cust-a@test.example")
    codes = [
        c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 2}).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    r = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 2})
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited" and r.json()["limit"] == "hold_ip"
    assert 0 < int(r.headers["retry-after"]) <= 3600


def test_limits_on_redis_are_shared_by_every_api_process(redis_url: str):
    """Two limiters on one Redis stand for two uvicorn workers: the count is theirs together,
    keys are independent, and the refusal says when to come back."""
    from api.problems import ApiProblem
    from api.ratelimit import RateLimiter

    first, second = RateLimiter(redis_url), RateLimiter(redis_url)
    answers = []
    for limiter in (first, second, first, second):
        try:
            limiter.check("hold_ip", "3/hour", "10.0.0.7")
            answers.append(200)
        except ApiProblem as refused:
            answers.append(refused.status)
            assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert answers == [200, 200, 200, 429]
    second.check("hold_ip", "3/hour", "10.0.0.8")  # another key is not affected


def test_async_endpoints_count_in_the_same_redis_window(redis_url: str):
    """The hold endpoint is async and counts with `acheck`: the counters are the same keys, so
    a sync process and an async one share a limit."""
    import asyncio

    from api.problems import ApiProblem
    from api.ratelimit import RateLimiter

    sync_side, async_side = RateLimiter(redis_url), RateLimiter(redis_url)
    sync_side.check("hold_user", "2/hour", "usr_9")

    async def twice() -> int:
        await async_side.acheck("hold_user", "2/hour", "usr_9")
        try:
            await async_side.acheck("hold_user", "2/hour", "usr_9")
        except ApiProblem as refused:
            assert 0 < int(refused.headers["Retry-After"]) <= 3600
            return refused.status
        return 200

    assert asyncio.run(twice()) == 429


def test_a_burst_of_async_checks_waits_for_redis_connections(redis_url: str):
    """Hundreds of hold requests at once on one event loop: each check waits for one of the
    client's connections (the pool holds 100) instead of failing with a 500."""
    import asyncio

    from api.ratelimit import RateLimiter

    limiter = RateLimiter(redis_url)

    async def burst() -> None:
        await asyncio.gather(
            *(limiter.acheck("hold_user", "1000/minute", f"usr_{n}") for n in range(400))
        )

    asyncio.run(burst())
