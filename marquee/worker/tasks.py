"""The Celery tasks. Each is a thin call into the runtime, so the in-process runner and the CLI
do the same work without Celery."""

from __future__ import annotations

import logging

from marquee.worker.celery_app import app, runtime

log = logging.getLogger(__name__)


@app.task(name="marquee.relay_outbox")
def relay_outbox(limit: int | None = None) -> int:
    """Lease the due outbox rows and queue one delivery task per row."""
    rt = runtime()
    claimed = rt.relay.claim(limit or rt.config.outbox_batch)
    for message in claimed:
        deliver_message.delay(message.id)
    return len(claimed)


@app.task(name="marquee.deliver_message")
def deliver_message(message_id: int) -> str:
    """Deliver one leased outbox row to its consumers; the outcome is recorded on the row
    (delivered, retry scheduled, or failed), so the task itself never retries."""
    outcome = runtime().relay.deliver_one(message_id)
    log.info("outbox %s: %s", message_id, outcome)
    return outcome


@app.task(name="marquee.expire_holds")
def expire_holds() -> int:
    expired = runtime().sweep()
    if expired:
        log.info("expired %d holds", expired)
    return expired
