"""Pushes from legacy POS systems: one URL per connector, authenticated per connector.

`POST /webhooks/connectors/{connector_id}` takes the raw body as the POS sent it (a restline
JSON webhook signed with an HMAC header, a soapbox SOAP callback carrying X-Soapbox-Key); the
connector's adapter checks the signature or key its mapping names against the connector's own
secret, the mapping reads the body, and each delta is applied in its own transaction before we
answer, so a 2xx means "applied" and a POS that retries on failure loses nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["connectors"])
MAX_PUSH_BYTES = 1_000_000


@router.post("/webhooks/connectors/{connector_id}", status_code=200,
             summary="Receive a seat-status push from a legacy POS")
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
    headers = {k: v for k, v in request.headers.items()}
    try:
        report = await run_in_threadpool(receive_push, connector, headers, body)
    except PushRejected as exc:
        raise HTTPException(401, str(exc)) from None
    content_type = "application/json"
    if connector.mapping.protocol == "soap":
        # A SOAP callback gets a SOAP answer.
        payload = (b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap='
                   b'"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>')
        return Response(payload, media_type="text/xml; charset=utf-8")
    import json

    return Response(json.dumps({"Result": 0, **report.as_dict()}), media_type=content_type)
