"""Tuning for the outbox relay and the workers, from environment variables.

Kept apart from marquee.settings because only the worker reads it; the names have no prefix, like
the main settings (OUTBOX_MAX_ATTEMPTS=8, OUTBOX_LEASE_SECONDS=60, ...).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    outbox_max_attempts: int = Field(default=8, ge=1)
    # Backoff between attempts: base * 2^(attempt-1), capped.
    outbox_retry_base_seconds: float = Field(default=2.0, ge=0)
    outbox_retry_max_seconds: float = Field(default=600.0, ge=0)
    # How long a claimed row is ours. A relay or worker that dies gives the row back after this;
    # it must comfortably exceed one delivery (a slow POS call included).
    outbox_lease_seconds: float = Field(default=60.0, gt=0)
    outbox_batch: int = Field(default=100, ge=1)
    relay_interval_seconds: float = Field(default=1.0, gt=0)
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    # Redis redelivers a task a dead worker never acknowledged after this many seconds.
    celery_visibility_timeout: int = Field(default=300, ge=1)
    # "module:callable" returning booking's TheatreLinkResolver; unset: the connectors' resolver
    # when it exists, else native theatres only.
    theatre_links: str | None = None


@lru_cache
def get_worker_settings() -> WorkerSettings:
    return WorkerSettings()
