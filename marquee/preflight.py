"""Checks run before a command starts serving, each failing with one line that says what is
wrong and what to do (no traceback): a DATABASE_URL that is not one, a database that does not
answer, a port already taken (checked before anything prints "running")."""

from __future__ import annotations

import errno
import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

EXPECTED = "sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"


class PreflightError(Exception):
    """What is wrong and what to do, in one line."""


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_database_url(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise PreflightError(
            f"DATABASE_URL {url!r} is not a database URL: expected {EXPECTED}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise PreflightError(
            f"DATABASE_URL uses {parsed.drivername!r}; Marquee runs on SQLite or PostgreSQL "
            f"({EXPECTED})"
        )
    if backend == "postgresql" and not parsed.database:
        raise PreflightError(f"DATABASE_URL names no database: expected {EXPECTED}")


def check_database_reachable(url: str) -> None:
    """Connect once (a short timeout) and say why not."""
    from store.engine import make_engine

    check_database_url(url)
    parsed = make_url(url)
    try:
        engine = make_engine(url, pool_size=1)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise PreflightError(f"DATABASE_URL cannot be used: {_first_line(exc)}") from None
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        if parsed.get_backend_name() == "sqlite":
            raise PreflightError(
                f"cannot open the SQLite file {parsed.database}: {_first_line(exc)}"
            ) from None
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"
        raise PreflightError(
            f"cannot connect to the database at {where}: {_first_line(exc)} "
            "(is PostgreSQL running, and is DATABASE_URL right?)"
        ) from None
    finally:
        engine.dispose()


def _free_port_near(host: str, port: int, tries: int = 50) -> int | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        with socket.socket(family) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def check_port_free(
    host: str, port: int, choose: str = "choose another port with --port {port}"
) -> None:
    """`choose` says how to pick another port; `{port}` in it becomes a port free right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        # As uvicorn does: a closed connection in TIME_WAIT is no reason to refuse.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                free = _free_port_near(host, port)
                hint = choose.format(port=free if free is not None else "N")
                raise PreflightError(
                    f"{host}:{port} is already in use (another `make demo` or `marquee serve`?): "
                    f"stop it, or {hint}"
                ) from None
            raise PreflightError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
