"""ASGI middleware: request ids, the request size limit, input checks at the edge, metrics and
the access log, and the answer when the database is away (503, not 500).

Pure ASGI rather than BaseHTTPMiddleware: it does not buffer bodies, and it can stop an oversized
upload while it streams in (a missing or lying Content-Length is caught by counting).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Host, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE
from marquee import observability

access_log = logging.getLogger("marquee.access")
log = logging.getLogger("marquee.api")

# Driver errors of a database that is away are answered by api/problems.py; these two are not
# driver errors (no connection free in the pool in time, a pooled connection found dead) and
# would otherwise end as a 500.
DATABASE_AWAY: tuple[type[Exception], ...] = (sa_exc.TimeoutError, sa_exc.DisconnectionError)
RETRY_AFTER_SECONDS = 5

UNMATCHED = "unmatched"
# The method is the caller's word: any other token shares one label, so a client inventing
# methods cannot grow the metric's series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "OTHER"
# Distinct (method, path) pairs whose template is remembered; paths carry ids, so it is bounded.
TEMPLATE_CACHE_SIZE = 4096


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else OTHER_METHOD


def _is_catch_all(template: str) -> bool:
    # A route that is nothing but one path parameter ("/{path:path}": the web app's files and
    # pages) matches every path; its 404 or 405 means no route of this API has that path.
    return template.startswith("/{") and template.endswith(":path}") and template.count("{") == 1


def lookup_template(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    """The path template of the route `routes` would hand this request to, as the router
    chooses it (the first full match, else the first partial one: a known path with another
    method), with the prefixes of the mounts it passes through; None when nothing matches."""
    partial: tuple[BaseRoute, Scope] | None = None
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return _template_of(route, {**scope, **child})
        if match == Match.PARTIAL and partial is None:
            partial = (route, child)
    if partial is not None:
        return _template_of(partial[0], {**scope, **partial[1]})
    return None


def _template_of(route: BaseRoute, scope: Scope) -> str | None:
    if isinstance(route, Mount):
        if not route.routes:  # an application without routes of its own (static files)
            return route.path + "/{path:path}"
        inner = lookup_template(route.routes, scope)
        return route.path + inner if inner is not None else None
    if isinstance(route, Host):
        return lookup_template(route.routes, scope)
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else None


class RouteTemplates:
    """Finds a request's route template. The router records the route it chose in the request's
    scope, and the recording reaches this outermost layer only if every layer in between passed
    the same scope object on; a layer that hands on a copy (the cookie session adds the bearer
    header to one) hides it, and a route inside a mount carries only its own part of the path.
    Those requests are matched again here against the application's routes (remembered per
    method and path, bounded)."""

    def __init__(self) -> None:
        self._routes: Sequence[BaseRoute] = ()
        self._cached: Callable[[str, str, str], str | None] = lru_cache(
            maxsize=TEMPLATE_CACHE_SIZE
        )(self._match)

    def _match(self, method: str, path: str, root_path: str) -> str | None:
        scope = {"type": "http", "method": method, "path": path, "root_path": root_path}
        return lookup_template(self._routes, scope)

    def template(self, app: Any, entry_root_path: str, scope: Scope, status: int) -> str:
        route = scope.get("route")
        template: str | None
        if (
            route is not None
            and not isinstance(route, Mount | Host)
            and scope.get("root_path", "") == entry_root_path
        ):
            template = getattr(route, "path", None) or None
        else:
            routes = getattr(app, "routes", None)
            if not routes:
                return UNMATCHED
            if routes is not self._routes:
                self._routes = routes
                self._cached = lru_cache(maxsize=TEMPLATE_CACHE_SIZE)(self._match)
            template = self._cached(scope.get("method", ""), scope.get("path", ""), entry_root_path)
        if template is None or (_is_catch_all(template) and status in (404, 405)):
            return UNMATCHED
        return template


async def _send_problem(
    send: Send,
    scope: Scope,
    status: int,
    code: str,
    title: str,
    detail: str,
    request_id: str,
    retry_after: int | None = None,
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
                *([(b"retry-after", str(retry_after).encode())] if retry_after else []),
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
        self.templates = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # As they are before routing: a mounted application replaces both in the scope.
        outer_app = scope.get("app")
        root_path = scope.get("root_path", "")
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

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            try:
                await self.app(scope, receive, send_tracked)
            except DATABASE_AWAY as err:
                if started:
                    raise
                log.warning("database unavailable: %s", type(err).__name__)
                status = 503
                await _send_problem(
                    send,
                    scope,
                    503,
                    "unavailable",
                    "Service unavailable",
                    "the database is not answering; retry shortly",
                    rid,
                    retry_after=RETRY_AFTER_SECONDS,
                )
        finally:
            elapsed = time.perf_counter() - start
            template = self.templates.template(outer_app, root_path, scope, status)
            method = scope.get("method", "")
            label = method_label(method)
            observability.HTTP_REQUESTS.labels(label, template, str(status)).inc()
            observability.HTTP_LATENCY.labels(label, template).observe(elapsed)
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
    """413 for bodies over `max_bytes`, whether announced by Content-Length or streamed; 400 for
    a NUL character in the path, the query string or a JSON or form body.

    PostgreSQL refuses NUL in text, so a NUL that reached a query would be a 500; no field of
    this API has a use for one, so it is refused here, once, for every route."""

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
        if _nul_in_url(scope):
            await _refuse_nul(send, scope, rid)
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

        kind = _checked_body_kind(headers.get(b"content-type", b""))
        if kind is None:
            await self.app(scope, counting_receive, send)
            return
        # A JSON or form body is read whole here (it is bounded by max_bytes) to be checked,
        # then handed on unchanged.
        messages: list[Message] = []
        body = b""
        while True:
            try:
                message = await counting_receive()
            except HTTPException:
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
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if _nul_in_body(kind, body):
            await _refuse_nul(send, scope, rid)
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)


def _nul_in_url(scope: Scope) -> bool:
    path = scope.get("path", "")
    raw_path = scope.get("raw_path") or b""
    query = scope.get("query_string") or b""
    return "\x00" in path or b"\x00" in unquote_to_bytes(raw_path) or _nul_in_form(query)


def _nul_in_form(data: bytes) -> bool:
    # `+` and other escapes do not matter here: only whether a decoded byte is NUL.
    return b"\x00" in data or b"%00" in data


def _checked_body_kind(content_type: bytes) -> str | None:
    media = content_type.split(b";", 1)[0].strip().lower()
    if media == b"application/json" or media.endswith(b"+json"):
        return "json"
    if media == b"application/x-www-form-urlencoded":
        return "form"
    return None


def _nul_in_body(kind: str, body: bytes) -> bool:
    if kind == "form":
        return _nul_in_form(body)
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:  # an escaped NUL; parse to tell it from an escaped backslash followed by "u0000"
        return _nul_in_json(json.loads(body))
    except ValueError:
        return False  # malformed JSON: the route's validation answers it


def _nul_in_json(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in_json(k) or _nul_in_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_nul_in_json(v) for v in value)
    return False


async def _refuse_nul(send: Send, scope: Scope, rid: str) -> None:
    await _send_problem(
        send,
        scope,
        400,
        "invalid_character",
        "Bad request",
        "NUL characters are not accepted in paths, query parameters or bodies",
        rid,
    )
