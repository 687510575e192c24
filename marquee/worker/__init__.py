"""Asynchronous work: the outbox relay, idempotent consumers, the Celery app and beat schedule,
and the in-process runner that does the same work inside the API process (embedded default).

- `relay.OutboxRelay`: claims due outbox rows with a lease, delivers them, retries with backoff,
  marks them failed (kept for admins) when out of attempts.
- `consumers.Dispatcher`: hands a message to every consumer of its topic, at most once per
  consumer (the `processed_messages` table).
- `runtime.WorkerRuntime`: the consumers, dispatcher and relay both runners share, around the
  engine, booking service and notifier of the process's Hub (`hub.runtime`, marquee/bootstrap.py).
- `celery_app.app`: the Celery application (`celery -A marquee.worker.celery_app worker -B`).
- `inprocess.start_inprocess_worker` / `stop`: a background thread for `task_mode=inprocess`, on
  the API's Hub.
"""
