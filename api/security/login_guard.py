"""Login throttling that a stranger cannot turn into a lock-out.

A per-account limit on *attempts* lets anyone lock a victim out by failing to log in as them a
few times a minute. Here only *failures* count, and per (account, client address): a guesser
exhausts their own budget, not the victim's, who logs in from another address untouched.
RATE_LIMIT_LOGIN_PER_ACCOUNT is that per-(account, address) budget; stacked limits such as
"5/minute;20/hour;50/day" make it a growing back-off. A looser per-account ceiling on failures
from anywhere (RATE_LIMIT_LOGIN_ACCOUNT_CEILING) stops a guesser spreading over many addresses,
at the price that such a distributed attack can lock the account for the ceiling's window.
Every attempt still counts against the client address (RATE_LIMIT_LOGIN_PER_IP).

Counters live in the API's rate-limit storage (Redis when REDIS_URL is set). Keys hold hashes,
never a clear-text login name.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse_many

from api.problems import ApiProblem
from api.ratelimit import RateLimiter, client_ip, hashed, limiter_of
from marquee import observability


def _budgets(request: Request, login: str) -> list[tuple[str, str, str]]:
    rl = limiter_of(request)
    account = hashed(login)
    ceiling = request.app.state.hub.settings.rate_limits.login_account_ceiling
    return [
        ("login_fail_account_ip", rl.limits.login_per_account, f"{account}:{client_ip(request)}"),
        ("login_fail_account", ceiling, account),
    ]


def check_login(request: Request, login: str) -> None:
    """Before verifying a password or client secret: 429 when this address has failed too often
    for this account, or the account has failed too often overall."""
    rl = limiter_of(request)
    rl.check("login_ip", rl.limits.login_per_ip, client_ip(request))
    for name, spec, key in _budgets(request, login):
        _refuse_if_spent(rl, name, spec, key)


def record_failure(request: Request, login: str) -> None:
    rl = limiter_of(request)
    for name, spec, key in _budgets(request, login):
        for item in parse_many(spec):
            rl.limiter.hit(item, "marquee", name, key)


def _refuse_if_spent(rl: RateLimiter, name: str, spec: str, key: str) -> None:
    for item in parse_many(spec):
        if not rl.limiter.test(item, "marquee", name, key):
            reset, _ = rl.limiter.get_window_stats(item, "marquee", name, key)
            retry = max(1, math.ceil(reset - time.time()))
            observability.RATE_LIMITED.labels(limit=name).inc()
            raise ApiProblem(
                429,
                "rate_limited",
                f"too many failed logins ({spec} for {name}); try again later",
                headers={"Retry-After": str(retry)},
                retry_after=retry,
                limit=name,
            )
