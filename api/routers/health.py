from __future__ import annotations

import hmac
import logging
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from api.deps import get_hub
from api.problems import ApiProblem
from marquee import observability
from marquee.bootstrap import Hub

router = APIRouter(tags=["health"])
log = logging.getLogger("marquee.health")

# Each dependency gets this long to answer a readiness probe.
PROBE_SECONDS = 1.0


@router.get("/health", operation_id="health_health", summary="Liveness: the process answers")
def health() -> dict[str, str]:
    return {"status": "ok"}


@lru_cache(maxsize=4)
def _code_heads(url: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from store.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def _migrations(conn: Connection, url: str) -> str:
    # Read the version table directly: alembic's MigrationContext logs on every probe.
    try:
        with conn.begin_nested():
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            current = frozenset(rows)
    except DBAPIError:
        current = frozenset()  # never migrated
    return "ok" if current == _code_heads(url) else "behind"


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=PROBE_SECONDS, socket_connect_timeout=PROBE_SECONDS
    )
    try:
        return bool(client.ping())
    finally:
        client.close()


def _broker_answers(url: str) -> bool:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _redis_answers(url)
    from kombu import Connection as BrokerConnection

    with BrokerConnection(url, connect_timeout=PROBE_SECONDS) as broker:
        # kombu takes float seconds; its stubs say int.
        broker.ensure_connection(max_retries=1, timeout=PROBE_SECONDS)  # type: ignore[arg-type]
    return True


Up = Literal["ok", "down"]


class Readiness(BaseModel):
    """The readiness answer: each dependency's state, never an error text. A dependency that is
    not configured is left out. Not ready answers 503 with the same body and `Retry-After`."""

    status: Literal["ready", "unavailable"]
    database: Up
    migrations: Literal["ok", "behind", "down", "unknown"] = Field(
        description="`behind`: the database is not at the code's migration head; `unknown`: "
        "the database does not answer"
    )
    redis: Up | None = Field(default=None, description="Present when Redis is configured")
    broker: Up | None = Field(
        default=None, description="Present when tasks run on Celery (task_mode=celery)"
    )
    down: list[str] | None = Field(
        default=None, description="The dependencies not `ok`, when there are any"
    )


def _probe(name: str, check) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - any failure is "down"; its text stays in the log
        log.warning("readiness: %s is down (%s)", name, type(exc).__name__)
        return "down"


@router.get(
    "/ready",
    operation_id="health_ready",
    response_model=Readiness,
    summary="Readiness: the database answers at the code's migration head, Redis and the broker "
    "answer (when configured)",
)
def ready(hub: Annotated[Hub, Depends(get_hub)]) -> JSONResponse:
    """Names each dependency and its state (`ok`, `down`, `behind`), never an error text:
    the answer is public and error texts carry hosts, users and versions."""
    settings = hub.settings
    checks: dict[str, str] = {}

    def database() -> str:
        with hub.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["migrations"] = _probe(
                "migrations", lambda: _migrations(conn, settings.database.url)
            )
        return "ok"

    checks["database"] = _probe("database", database)
    if checks["database"] != "ok":
        checks["migrations"] = "unknown"
    if settings.redis.url:
        redis_url = settings.redis.url
        checks["redis"] = _probe("redis", lambda: "ok" if _redis_answers(redis_url) else "down")
    if settings.worker.task_mode == "celery":
        broker = settings.worker.celery_broker_url or settings.redis.url
        checks["broker"] = (
            _probe("broker", lambda: "ok" if _broker_answers(broker) else "down")
            if broker
            else "down"
        )
    down = sorted(name for name, state in checks.items() if state != "ok")
    body: dict[str, Any] = {"status": "unavailable" if down else "ready", **checks}
    if down:
        body["down"] = down
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(body)


@router.get(
    "/metrics",
    operation_id="health_metrics",
    summary="Prometheus metrics (bearer METRICS_TOKEN; off in production without one)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Exposition format"}},
)
def metrics(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> Response:
    expected = hub.settings.security.metrics_token
    if expected is None:
        if not hub.settings.security.development:
            # Counters per route, per connector and per payment outcome are not for the public.
            raise ApiProblem(404, "not_found", "set METRICS_TOKEN to serve metrics")
    else:
        given = request.headers.get("authorization", "")
        want = f"Bearer {expected.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), want.encode()):
            raise ApiProblem(
                401,
                "unauthenticated",
                "metrics need the bearer METRICS_TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
    body, content_type = observability.metrics_payload()
    return Response(content=body, media_type=content_type)
