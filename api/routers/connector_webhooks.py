"""Pushes from legacy POS systems: one URL per connector, authenticated per connector.

`POST /webhooks/connectors/{connector_id}` takes the raw body as the POS sent it (a restline
JSON webhook signed with an HMAC header, a soapbox SOAP callback carrying X-Soapbox-Key); the
connector's adapter checks the signature or key its mapping names against the connector's own
secret, the mapping reads the body, and each delta is applied in its own transaction before we
answer, so a 2xx means "applied" and a POS that retries on failure loses nothing.

A connector that cannot be built (its mapping file missing or invalid, a secret not set, an
unknown adapter) answers 503 `connector_misconfigured` with Retry-After, never a 500: the POS
keeps the push and retries, and an engineer fixes the configuration. The caller is not yet
authenticated at that point, so the answer names no file or secret; the log has the cause.
"""

from __future__ import annotations

import json
import logging
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from adapters import push_auth
from api.problems import problem_response
from store import push_order

router = APIRouter(tags=["connectors"])
log = logging.getLogger("marquee.api.connector_webhooks")
MAX_PUSH_BYTES = 1_000_000
MISCONFIGURED_RETRY_SECONDS = 300
PUSH_FAILED_RETRY_SECONDS = 30
MAX_PUSH_DEPTH = 200

SOAP_APPLIED = (
    b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap='
    b'"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>'
)


class PushApplied(BaseModel):
    """What a JSON push changed, once every delta in it is applied: the counts of a sync run's
    report (connectors/inventory.py), for this one push."""

    Result: Literal[0] = Field(
        description="0: applied (restline's own success code, which a restline POS looks for)"
    )
    connector: str
    deltas: int = Field(description="Seat-status deltas read from the push")
    seats_changed: int
    conflicts: int = Field(description="Changes held for an admin to decide (sync conflicts)")
    dead_letters: int = Field(description="Records the mapping could not read, kept for replay")
    shows: int = Field(description="Shows reconciled one by one: 0 for a push")
    errors: list[str]


def _nesting(body: bytes) -> int:
    """How deep JSON brackets or XML elements nest (strings and attributes are not parsed:
    an upper bound is enough to refuse a poison body before any parser recurses into it)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
            continue
        if byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_PUSH_DEPTH:
                return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _seen(engine: Engine, connector_id: str, digest: str) -> bool:
    with engine.connect() as conn:
        return push_order.seen_push(conn, connector_id, digest)


def _record(engine: Engine, connector_id: str, digest: str) -> None:
    with engine.begin() as conn:
        push_order.record_push(conn, connector_id, digest, push_auth.TOLERANCE_SECONDS)


def _unavailable(request: Request, code: str, title: str, detail: str, retry: int) -> Response:
    # Built here, not raised: this router is also mounted by connectors.pushserver, an app
    # without the API's problem handlers.
    return problem_response(
        request,
        503,
        code,
        title,
        detail,
        headers={"Retry-After": str(retry)},
        extra={"retry_after": retry},
    )


@router.post(
    "/webhooks/connectors/{connector_id}",
    operation_id="connectors_receive",
    status_code=200,
    summary="Receive a seat-status push from a legacy POS",
    response_model=PushApplied,
    responses={
        200: {
            "description": "Applied: a JSON push gets what it changed, a SOAP callback an empty "
            "SOAP envelope",
            "content": {
                "text/xml": {"schema": {"type": "string"}, "example": SOAP_APPLIED.decode()}
            },
        },
        401: {"description": "Signature or key invalid"},
        404: {"description": "No such connector"},
        503: {
            "description": "The connector is misconfigured, or the push "
            "could not be applied now: retry later"
        },
    },
)
async def receive(connector_id: str, request: Request) -> Response:
    from connectors.connector import UnknownConnector
    from connectors.inventory import PushRejected, receive_push

    body = await request.body()
    if len(body) > MAX_PUSH_BYTES:
        raise HTTPException(413, "push body too large")
    if _nesting(body) > MAX_PUSH_DEPTH:
        # A poison push: refused for good (4xx), never a 5xx the POS would retry forever.
        raise HTTPException(400, f"push body nested deeper than {MAX_PUSH_DEPTH} levels")
    hub = request.app.state.hub
    try:
        connector = await run_in_threadpool(hub.connector, connector_id)
    except UnknownConnector:
        raise HTTPException(404, f"no connector {connector_id}") from None
    except Exception as exc:  # noqa: BLE001 - any build failure is a configuration problem
        log.error(
            "connector %s cannot be built (push refused with 503): %s: %s",
            connector_id,
            type(exc).__name__,
            exc,
        )
        return _unavailable(
            request,
            "connector_misconfigured",
            "The connector is misconfigured",
            f"connector {connector_id} is misconfigured (mapping, adapter or "
            "secrets); the push was not applied: retry later",
            MISCONFIGURED_RETRY_SECONDS,
        )
    headers = {k: v for k, v in request.headers.items()}
    seen = push_order.digest(body)
    if await run_in_threadpool(_seen, hub.engine, connector_id, seen):
        raise HTTPException(409, "this push was already applied (a replay)")
    try:
        report = await run_in_threadpool(receive_push, connector, headers, body)
    except PushRejected as exc:
        raise HTTPException(401, str(exc)) from None
    except (RecursionError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"push body unreadable: {type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 - deltas are idempotent: the POS may resend
        log.exception("connector %s: push could not be applied", connector_id)
        return _unavailable(
            request,
            "push_failed",
            "The push could not be applied",
            f"the push to connector {connector_id} could not be applied "
            f"({type(exc).__name__}); retry later",
            PUSH_FAILED_RETRY_SECONDS,
        )
    await run_in_threadpool(_record, hub.engine, connector_id, seen)
    if connector.mapping.protocol == "soap":
        # A SOAP callback gets a SOAP answer.
        return Response(SOAP_APPLIED, media_type="text/xml; charset=utf-8")
    applied = PushApplied(Result=0, **report.as_dict())
    return Response(json.dumps(applied.model_dump()), media_type="application/json")
