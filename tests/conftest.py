"""Shared fixtures: real databases (SQLite and PostgreSQL) and a real Redis.

- `pg_server`: admin URL of a PostgreSQL server (the configured one, or a throwaway one).
- `pg_url`: a database migrated to head, private to this test session.
- `fresh_pg_url`: a new migrated database for one test (cloned from a template: fast).
- `db_url`: parametrized over SQLite and PostgreSQL, a fresh migrated database per test.
- `redis_url`: a Redis URL on a throwaway redis-server started for this test session, flushed
  before each test (the server is ours alone; a configured REDIS_URL is never touched).

The application's own settings variables (DATABASE_URL, REDIS_URL, SMTP_HOST, ...) are removed
from the environment before any test runs, so an operator's shell cannot point a test at their
data; only the PostgreSQL server to create throwaway databases on is taken from
TEST_DATABASE_URL or DATABASE_URL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from marquee import devservers
from marquee.settings import Settings
from store.migrate import upgrade

_PG_SERVER_HINT = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
for _name in Settings.environment_names():
    os.environ.pop(_name, None)
os.environ.pop("TEST_REDIS_URL", None)
# Tests run in development mode (built-in secrets, loopback simulators); the security suite
# sets production explicitly where that is what it tests.
os.environ["MARQUEE_ENV"] = "development"


@pytest.fixture(scope="session")
def pg_server() -> str:
    return devservers.postgres_server(_PG_SERVER_HINT)


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> Iterator[str]:
    url = devservers.create_database(pg_server, prefix="marquee_tpl")
    upgrade(url)
    yield url
    devservers.drop_database(pg_server, url)


@pytest.fixture(scope="session")
def pg_url(pg_server: str, pg_template: str) -> Iterator[str]:
    from sqlalchemy.engine import make_url

    url = devservers.create_database(pg_server, template=make_url(pg_template).database)
    yield url
    devservers.drop_database(pg_server, url)


@pytest.fixture
def fresh_pg_url(pg_server: str, pg_template: str) -> Iterator[str]:
    from sqlalchemy.engine import make_url

    url = devservers.create_database(pg_server, template=make_url(pg_template).database)
    yield url
    devservers.drop_database(pg_server, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "marquee.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("fresh_pg_url")


@pytest.fixture(scope="session")
def redis_server() -> str:
    return devservers.redis_server()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    import redis

    url = devservers.private_redis_db(redis_server)
    redis.Redis.from_url(url).flushdb()
    return url


_POSTGRES_FIXTURES = {"pg_server", "pg_template", "pg_url", "fresh_pg_url"}
_REDIS_FIXTURES = {"redis_server", "redis_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the servers its fixtures need, so `-m "not postgres and not redis"` is a
    suite that needs neither (a marker written by hand is easy to forget)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_url") == "postgres"
        if names & _POSTGRES_FIXTURES or on_postgres:
            item.add_marker(pytest.mark.postgres)
        if names & _REDIS_FIXTURES:
            item.add_marker(pytest.mark.redis)
