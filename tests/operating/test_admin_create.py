"""`marquee admin create` as an operator runs it on a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from api.security.passwords import verify_password
from api.security.pii import cipher_from_settings
from marquee.settings import Settings
from store import users
from store.engine import make_engine
from store.tables import users as users_table

MARQUEE = Path(sys.executable).with_name("marquee")


def _admin_create(database_url: str, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MARQUEE), "admin", "create", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_first_admin_is_created_with_a_password_from_stdin(sqlite_url: str):
    done = _admin_create(
        sqlite_url, "--email", "Ops@Example.org", "--password-stdin", stdin="s3cret-enough\n"
    )
    assert done.returncode == 0, done.stderr
    assert "administrator Ops@Example.org created" in done.stdout

    settings = Settings(database_url=sqlite_url)
    cipher = cipher_from_settings(None, settings.security.jwt_secret.get_secret_value())
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        row = users.get_by_email_hash(conn, cipher.email_hash("ops@example.org"))
    assert row is not None and row.role == "admin" and row.active
    assert verify_password(row.password_hash, "s3cret-enough")
    assert "s3cret-enough" not in (row.password_hash or "")

    again = _admin_create(
        sqlite_url, "--email", "ops@example.org", "--password-stdin", stdin="another-pass\n"
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "error: an account with the email ops@example.org already exists"
    with engine.connect() as conn:
        assert len(conn.execute(select(users_table)).all()) == 1


def test_a_short_password_is_refused_before_anything_is_written(sqlite_url: str):
    done = _admin_create(sqlite_url, "--email", "a@b.org", "--password-stdin", stdin="short\n")
    assert done.returncode == 1
    assert "at least 8 characters" in done.stderr
    with make_engine(sqlite_url).connect() as conn:
        assert conn.execute(select(users_table)).all() == []


def test_an_unmigrated_database_says_to_migrate(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    done = _admin_create(url, "--email", "a@b.org", "--password-stdin", stdin="long-enough\n")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "marquee db migrate" in done.stderr


def test_migrate_on_an_unreachable_database_is_one_line():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = subprocess.run(
        [str(MARQUEE), "db", "migrate"],
        env={**os.environ, "DATABASE_URL": f"postgresql://marquee@127.0.0.1:{port}/marquee"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "cannot connect to the database" in done.stderr
