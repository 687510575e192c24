"""A lean HTTP/1.1 keep-alive client for load generation on asyncio streams.

The load generator shares this machine's two cores with the API and PostgreSQL, so every
microsecond it spends is taken from the system under test. httpx/httpcore cost ~1 ms of CPU per
request here (a pool that rescans its connections, an event hook and header model per request);
this client writes the request bytes and reads the status line, headers and a Content-Length or
chunked body, nothing more. It speaks only what our API sends; it is not a general client.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Response:
    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 we understand."""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LoadClient:
    def __init__(self, host: str, port: int, max_connections: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._host_header = f"{host}:{port}".encode()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, None, headers)

    async def post(
        self, path: str, json_body: Any, headers: dict[str, str] | None = None
    ) -> Response:
        return await self.request("POST", path, json.dumps(json_body).encode(), headers)

    async def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None
    ) -> Response:
        async with self._slots:
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                response, keep = await asyncio.wait_for(
                    self._exchange(conn, method, path, body, headers), self.timeout
                )
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                TimeoutError,
                ValueError,
            ) as err:
                conn[1].close()
                raise HttpError(f"{method} {path}: {type(err).__name__}: {err}") from err
            if keep:
                self._idle.append(conn)
            else:
                conn[1].close()
            return response

    async def _connect(self) -> Connection:
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError as err:
            raise HttpError(f"connect: {err}") from err

    async def _exchange(
        self,
        conn: Connection,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str] | None,
    ) -> tuple[Response, bool]:
        reader, writer = conn
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode())
        if body is not None:
            lines.append(b"Content-Type: application/json")
            lines.append(b"Content-Length: " + str(len(body)).encode())
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + (body or b""))
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        got: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            got[name.strip().lower()] = value.strip()
        if got.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunked(reader)
        else:
            content = await reader.readexactly(int(got.get("content-length", "0")))
        return Response(status, got, content), got.get("connection", "").lower() != "close"

    @staticmethod
    async def _chunked(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readline()
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readline()

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
