"""A small in-process HTTP server for connector pushes (tests, the benchmark, tools).

Runs only the connector webhook router with uvicorn on a loopback socket in a background thread.
The full API (`api.app`) mounts the same router; this exists so push can be exercised without
the rest of the application. It lives in the API layer because it serves an API router: the
connectors package never imports the API.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

if TYPE_CHECKING:
    from connectors.connector import Connector


class PushServer:
    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 0,
        secrets_file: Path | None = None,
    ) -> None:
        import uvicorn
        from fastapi import FastAPI

        from api.routers import connector_webhooks

        app = FastAPI()
        app.state.hub = _Hub(engine, secrets_file)
        app.include_router(connector_webhooks.router)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self._thread: threading.Thread | None = None

    def url(self, connector_id: str) -> str:
        return f"http://{self.host}:{self.port}/webhooks/connectors/{connector_id}"

    def start(self) -> PushServer:
        self._thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self._sock]},
            name="push-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> PushServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class _Hub:
    """What the push route asks of the application's Hub (marquee/bootstrap.py): its engine
    and the connectors."""

    def __init__(self, engine: Engine, secrets_file: Path | None = None) -> None:
        self.engine = engine
        self.secrets_file = secrets_file

    def connector(self, connector_id: str) -> Connector:
        from connectors.connector import get_connector

        return get_connector(self.engine, connector_id, self.secrets_file)
