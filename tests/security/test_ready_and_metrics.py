"""`/ready` tells the truth and `/metrics` is not for the public.

Replayed: a load balancer keeps sending traffic to an API host whose database is a migration
behind, or whose Redis or Celery broker is gone, because `/ready` only ran `SELECT 1`; the old
answer also carried the driver's error text (host, user, port) to anyone. `/metrics` served every
route's and connector's counters to anyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import create_engine, text

from api.app import create_app
from api.routers.health import Readiness
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from store.engine import normalize_url
from store.migrate import alembic_config

DEAD_REDIS = "redis://127.0.0.1:9/0"
LEAKS = ("refused", "Errno", "127.0.0.1", "psycopg", "Error", "marquee@")


@contextmanager
def _client(**settings) -> Iterator[TestClient]:
    hub = build_hub(Settings(**settings))
    with TestClient(create_app(hub, run_worker=False)) as client:
        yield client
    hub.engine.dispose()


def _readiness(r: Response) -> dict[str, Any]:
    """The answer, checked against the schema the OpenAPI document gives it (503 included)."""
    Readiness.model_validate(r.json())
    return r.json()


def _no_error_text(body: str) -> None:
    for leak in LEAKS:
        assert leak not in body, body


@pytest.mark.postgres
def test_ready_when_everything_answers(fresh_pg_url: str, redis_url: str):
    with _client(database_url=fresh_pg_url, redis_url=redis_url) as client:
        r = client.get("/ready")
    assert r.status_code == 200, r.text
    assert _readiness(r) == {"status": "ready", "database": "ok", "migrations": "ok", "redis": "ok"}


@pytest.mark.postgres
def test_not_ready_while_migrations_are_behind_the_code(fresh_pg_url: str):
    script = ScriptDirectory.from_config(alembic_config(fresh_pg_url))
    [head] = script.get_heads()
    previous = script.get_revision(head).down_revision
    engine = create_engine(normalize_url(fresh_pg_url))
    with engine.begin() as conn:  # the database as it was before the last migration ran
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    engine.dispose()
    with _client(database_url=fresh_pg_url) as client:
        r = client.get("/ready")
    assert r.status_code == 503
    assert _readiness(r)["migrations"] == "behind" and r.json()["down"] == ["migrations"]
    assert r.headers["retry-after"]


@pytest.mark.postgres
def test_not_ready_without_redis_or_broker_and_no_error_text(fresh_pg_url: str):
    with _client(database_url=fresh_pg_url, redis_url=DEAD_REDIS, task_mode="celery") as client:
        r = client.get("/ready")
    assert r.status_code == 503
    assert _readiness(r)["redis"] == "down" and r.json()["broker"] == "down"
    assert r.json()["database"] == "ok"
    _no_error_text(r.text)


def test_not_ready_without_the_database_and_no_error_text():
    with _client(database_url="postgresql+psycopg://marquee@127.0.0.1:9/gone") as client:
        r = client.get("/ready")
    assert r.status_code == 503
    assert _readiness(r)["database"] == "down" and r.json()["down"] == ["database", "migrations"]
    _no_error_text(r.text)


def test_metrics_are_off_in_production_without_a_token(sqlite_url: str):
    with _client(database_url=sqlite_url, marquee_env="production") as client:
        r = client.get("/metrics")
    assert r.status_code == 404
    assert "marquee_" not in r.text


def test_metrics_need_the_token_when_one_is_set(sqlite_url: str):
    with _client(database_url=sqlite_url, marquee_env="production", metrics_token="m" * 32) as c:
        assert c.get("/metrics").status_code == 401
        wrong = c.get("/metrics", headers={"Authorization": "Bearer " + "x" * 32})
        assert wrong.status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer " + "m" * 32})
    assert ok.status_code == 200 and "# TYPE" in ok.text
