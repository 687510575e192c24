"""ASGI middleware: request ids, the request size limit, metrics and the access log.

Pure ASGI rather than BaseHTTPMiddleware: it does not buffer bodies, and it can stop an oversized
upload while it streams in (a missing or lying Content-Length is caught by counting).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE
from marquee import observability

access_log = logging.getLogger("marquee.access")


async def _send_problem(
    send: Send, scope: Scope, status: int, code: str, title: str, detail: str, request_id: str
) -> None:
    body = json.dumps(
        {
            "type": TYPE_BASE + code,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path"),
            "code": code,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ObservabilityMiddleware:
    """Outermost layer: gives each request an id (X-Request-ID in and out), times it, counts it
    by route template (not raw path, which would explode label cardinality), and logs one JSON
    line per request. It never logs headers, bodies or query strings: they may hold tokens,
    passwords or card data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = observability.clean_request_id(
            headers.get(b"x-request-id", b"").decode("latin-1") or None
        )
        token = observability.request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            observability.HTTP_REQUESTS.labels(method, template, str(status)).inc()
            observability.HTTP_LATENCY.labels(method, template).observe(elapsed)
            principal: Any = scope.get("state", {}).get("principal")
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": template,
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "caller": getattr(principal, "subject", None),
                    "role": str(getattr(principal, "role", "") or "") or None,
                },
            )
            observability.request_id.reset(token)


class BodySizeLimitMiddleware:
    """413 for bodies over `max_bytes`, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = observability.request_id.get() or ""
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_problem(
                send,
                scope,
                413,
                "request_too_large",
                "Request body too large",
                f"bodies are limited to {self.max_bytes} bytes",
                rid,
            )
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises an HTTPException met while reading the body, and the
                    # problem handler turns it into the same 413 document as above.
                    raise HTTPException(413, f"bodies are limited to {self.max_bytes} bytes")
            return message

        await self.app(scope, counting_receive, send)
