"""The test servers belong to the test run: a configured Redis or PostgreSQL database is never
written, and migrations refuse PostgreSQL's maintenance databases."""

from __future__ import annotations

import socket

import pytest
import redis

from marquee import devservers
from store.migrate import MaintenanceDatabaseError, upgrade


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.redis
def test_redis_for_tests_is_a_private_server_even_when_redis_url_is_dead(monkeypatch):
    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    monkeypatch.setenv("REDIS_URL", dead)
    monkeypatch.setenv("TEST_REDIS_URL", dead)
    url = devservers.redis_server()
    assert url != dead
    client = redis.Redis.from_url(url)
    assert client.ping()
    # Nothing else is on it: ours to flush.
    assert client.dbsize() == 0


@pytest.mark.redis
def test_the_redis_url_fixture_is_not_the_configured_server(redis_url: str):
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    port = client.connection_pool.connection_kwargs["port"]
    assert port != 6379


@pytest.mark.parametrize("name", ["postgres", "template0", "template1"])
def test_migrations_refuse_a_maintenance_database(name: str):
    # Refused before any connection: the port is dead, so reaching it would fail differently.
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_dead_port()}/{name}"
    with pytest.raises(MaintenanceDatabaseError, match=name):
        upgrade(url)


def test_a_sqlite_file_named_postgres_is_not_refused(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'postgres'}")
    assert (tmp_path / "postgres").exists()
