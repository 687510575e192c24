"""Resilience per connector: a circuit breaker (pybreaker) shared by every call to one
theatre system in this process, and retries with exponential backoff (tenacity) used only for
calls that are safe to repeat (reads, and operations that carry an idempotency key).

Only transient failures count against the breaker: a POS that answers "no" is healthy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import pybreaker
from tenacity import (
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from adapters.base import PayloadTooLarge, RemoteError, TransientError

T = TypeVar("T")


class CircuitOpen(TransientError):
    """The breaker is open: the system is not called at all until `retry_after` seconds pass."""

    def __init__(self, connector_id: str, retry_after: int) -> None:
        super().__init__(f"circuit open for connector {connector_id}; retry in {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    attempts: int = 3
    backoff_min: float = 0.1
    backoff_max: float = 2.0
    deadline: float = 20.0
    fail_max: int = 5
    reset_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: dict) -> Policy:
        known = {k: settings[k] for k in cls.__dataclass_fields__ if k in settings}
        return cls(**known)


_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_lock = threading.Lock()


def breaker_for(connector_id: str, policy: Policy) -> pybreaker.CircuitBreaker:
    with _lock:
        found = _breakers.get(connector_id)
        if (
            found is None
            or found.fail_max != policy.fail_max
            or found.reset_timeout != policy.reset_seconds
        ):
            found = pybreaker.CircuitBreaker(
                fail_max=policy.fail_max,
                reset_timeout=policy.reset_seconds,
                exclude=[RemoteError, PayloadTooLarge],
                name=connector_id,
                throw_new_error_on_trip=False,
            )
            _breakers[connector_id] = found
        return found


def reset_breakers() -> None:
    with _lock:
        _breakers.clear()


def retry_after(breaker: pybreaker.CircuitBreaker) -> int:
    opened = breaker._state_storage.opened_at
    if opened is None:
        return max(1, int(breaker.reset_timeout))
    elapsed = (datetime.now(UTC) - opened).total_seconds()
    return max(1, int(breaker.reset_timeout - elapsed + 0.999))


def guarded(connector_id: str, policy: Policy, fn: Callable[[], T], *, retry: bool) -> T:
    """Call `fn` through the connector's breaker, retrying transient failures if `retry`."""
    breaker = breaker_for(connector_id, policy)

    def once() -> T:
        try:
            return breaker.call(fn)
        except pybreaker.CircuitBreakerError:
            raise CircuitOpen(connector_id, retry_after(breaker)) from None

    if not retry or policy.attempts <= 1:
        return once()
    retrying = Retrying(
        retry=retry_if_exception_type(TransientError) & retry_if_not_exception_type(CircuitOpen),
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.deadline),
        wait=wait_exponential(multiplier=policy.backoff_min, max=policy.backoff_max),
        reraise=True,
        sleep=time.sleep,
    )
    return retrying(once)
