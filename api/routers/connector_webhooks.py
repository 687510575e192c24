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

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from api.problems import problem_response

router = APIRouter(tags=["connectors"])
log = logging.getLogger("marquee.api.connector_webhooks")
MAX_PUSH_BYTES = 1_000_000
MISCONFIGURED_RETRY_SECONDS = 300
PUSH_FAILED_RETRY_SECONDS = 30


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
    status_code=200,
    summary="Receive a seat-status push from a legacy POS",
    responses={
        401: {"description": "Signature or key invalid"},
        404: {"description": "No such connector"},
        503: {
            "description": "The connector is misconfigured, or the push "
            "could not be applied now: retry later"
        },
    },
)
async def receive(connector_id: str, request: Request) -> Response:
    from connectors.connector import UnknownConnector, get_connector
    from connectors.inventory import PushRejected, receive_push

    body = await request.body()
    if len(body) > MAX_PUSH_BYTES:
        raise HTTPException(413, "push body too large")
    engine = request.app.state.hub.engine
    try:
        connector = await run_in_threadpool(get_connector, engine, connector_id)
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
    try:
        report = await run_in_threadpool(receive_push, connector, headers, body)
    except PushRejected as exc:
        raise HTTPException(401, str(exc)) from None
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
    if connector.mapping.protocol == "soap":
        # A SOAP callback gets a SOAP answer.
        payload = (
            b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap='
            b'"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>'
        )
        return Response(payload, media_type="text/xml; charset=utf-8")
    return Response(json.dumps({"Result": 0, **report.as_dict()}), media_type="application/json")
