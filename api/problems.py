"""RFC 9457 problem details: every error the API returns is `application/problem+json` with a
stable machine-readable `code` that clients may branch on (titles and details are for people and
may change).

Sources of errors and how they become problems:
- `ApiProblem`, raised by our routers;
- booking's `BookingError` (each carries its own code and suggested status);
- FastAPI's request validation (rewritten from its 422 shape into a problem listing the fields);
- Starlette's HTTPException (404 for unknown routes, 405...);
- a database that is switching over (connection lost, read-only after a demotion): 503 with
  Retry-After;
- anything else: 500 `internal_error`, logged with the request id, detail withheld.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from booking.errors import (
    BookingError,
    Conflict,
    HoldExpired,
    InvalidRequest,
    InvalidSignature,
    NotFound,
    PaymentDeclined,
    Unavailable,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://marquee.dev/problems/"

log = logging.getLogger("marquee.api")

# Codes for plain HTTP errors, so even a 404 from an unknown path carries a stable code.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    410: ("gone", "Gone"),
    413: ("request_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_failed", "Request is not valid"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class FieldError(BaseModel):
    field: str = Field(
        description="Where: location and path, dot-separated", examples=["body.seat_ids"]
    )
    message: str = Field(examples=["Field required"])
    type: str = Field(description="Validator's error type", examples=["missing"])


class Problem(BaseModel):
    """An RFC 9457 problem document. Extra members (seats, retry_after...) depend on `code`."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": TYPE_BASE + "seat_unavailable",
                    "title": "Seats are not available",
                    "status": 409,
                    "detail": "seats are no longer available: C7, C8",
                    "code": "seat_unavailable",
                    "seats": ["C7", "C8"],
                    "instance": "/v1/holds",
                }
            ]
        },
    )

    type: str = Field(examples=[TYPE_BASE + "not_found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str = Field(description="Stable machine-readable error code")
    errors: list[FieldError] | None = Field(
        default=None, description="Field-level errors (code validation_failed)"
    )


class ApiProblem(Exception):
    """Raise from a router to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or STATUS_CODES.get(status, ("", "Error"))[1]
        self.headers = headers or {}
        self.extra = extra


def not_found(what: str, ident: str) -> ApiProblem:
    return ApiProblem(404, f"unknown_{what}", f"no {what} {ident!r}")


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.scope["path"],
        "code": code,
    }
    for key, value in (extra or {}).items():
        if value is None:
            continue
        # An extra member never overwrites a standard one: a domain error's `status` (the
        # state of a booking, say) is renamed rather than replacing the HTTP status.
        body[f"{key}_" if key in body else key] = value
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request, exc.status, exc.code, exc.title, exc.detail, exc.headers, exc.extra
    )


# The HTTP status of each family of domain errors; the most specific class wins.
HTTP_STATUS: dict[type[BookingError], int] = {
    HoldExpired: 410,
    NotFound: 404,
    InvalidRequest: 422,
    Conflict: 409,
    PaymentDeclined: 402,
    InvalidSignature: 400,
    Unavailable: 503,
    BookingError: 400,
}


def http_status(exc: BookingError) -> int:
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 400


async def _booking_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BookingError)
    status = http_status(exc)
    headers = {}
    retry = exc.extra.get("retry_after")
    if status in (429, 503) and retry:
        headers["Retry-After"] = str(int(retry))
    return problem_response(request, status, exc.code, exc.title, exc.detail, headers, exc.extra)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field_name(tuple(e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]
    names = ", ".join(sorted({e["field"] for e in errors})) or "the request"
    return problem_response(
        request,
        422,
        "validation_failed",
        "Request is not valid",
        f"invalid fields: {names}",
        extra={"errors": errors},
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = STATUS_CODES.get(exc.status_code, (f"http_{exc.status_code}", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(request, exc.status_code, code, title, detail, dict(exc.headers or {}))


# SQLSTATEs of a database that is switching over (Patroni promoting a replica, a primary
# demoted to read-only, a server shutting down or starting): the client should come back soon.
_SWITCHING_SQLSTATES = {"25006", "57P01", "57P02", "57P03"}


def _database_switching(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return sqlstate in _SWITCHING_SQLSTATES or sqlstate.startswith("08")


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if not _database_switching(exc):
        return await _unexpected(request, exc)
    log.warning("database unavailable: %s", type(exc.orig).__name__)
    return problem_response(
        request,
        503,
        "unavailable",
        "Service unavailable",
        "the database is switching over; retry shortly",
        {"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        request,
        500,
        "internal_error",
        "Internal error",
        "something went wrong on our side; the request id identifies it",
    )


def install(app: FastAPI) -> None:
    # The handlers are async on purpose: Starlette runs a sync handler in the thread pool, a
    # thread hop for every refused request (most requests of a sell-out are refusals).
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(BookingError, _booking_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
