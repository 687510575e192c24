"""The Celery application: outbox delivery and the hold-expiry sweep on Redis.

Run a worker with its beat: `celery -A marquee.worker.celery_app worker -B` (or
`marquee worker run`). Beat ticks `relay_outbox` every second: it leases the due outbox rows and
queues one `deliver_message` task per row, so slow deliveries (a POS taking its time) spread over
the worker pool. Beat also runs `expire_holds` every 30 seconds.

Reliability settings, and why:
- `task_acks_late`: a task is acknowledged after it ran, not when it was received, so a worker
  that dies mid-task leaves the message unacknowledged...
- `task_reject_on_worker_lost`: ...and a pool child killed mid-task puts its message back;
- `visibility_timeout` (Redis): a whole worker killed (SIGKILL) never acks; Redis hands the
  message to another worker after this many seconds;
- independent of Celery, the outbox lease runs out and the next relay tick claims the row again.
Redelivery is therefore certain; idempotent consumers make it harmless.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from celery import Celery
from celery.signals import worker_process_init

from marquee.bootstrap import Hub, build_hub
from marquee.settings import get_settings
from marquee.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


def broker_url() -> str:
    settings = get_settings()
    return settings.worker.celery_broker_url or settings.redis.url or DEFAULT_BROKER


def make_app() -> Celery:
    settings = get_settings()
    config = settings.worker
    var_dir = settings.files.var_dir
    var_dir.mkdir(parents=True, exist_ok=True)  # beat's schedule file goes here
    celery = Celery("marquee", broker=broker_url(), include=["marquee.worker.tasks"])
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue="marquee",
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": config.celery_visibility_timeout},
        worker_hijack_root_logger=False,
        # Beat's own bookkeeping (last run times) lives with the hub's other runtime files.
        beat_schedule_filename=str(var_dir / "celerybeat-schedule"),
        beat_schedule={
            "relay-outbox": {
                "task": "marquee.relay_outbox",
                "schedule": config.relay_interval_seconds,
                # A tick nobody picked up in time is pointless: the next one does the same work.
                "options": {"expires": max(config.relay_interval_seconds * 5, 5)},
            },
            "expire-holds": {
                "task": "marquee.expire_holds",
                "schedule": config.sweep_interval_seconds,
                "options": {"expires": config.sweep_interval_seconds},
            },
        },
    )
    return celery


app = make_app()


@lru_cache(maxsize=1)
def hub() -> Hub:
    """The worker process's Hub, built on first use (after the fork)."""
    return build_hub(get_settings(), pool_size=4)


def runtime() -> WorkerRuntime:
    return hub().runtime


@worker_process_init.connect
def _fresh_pool_after_fork(**_: object) -> None:
    # Connections must not cross a fork: each pool child builds its own Hub.
    hub.cache_clear()
