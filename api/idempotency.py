"""The `Idempotency-Key` header on unsafe customer operations (checkout, cancel, refund).

The first request with a key claims it, does the work and stores the answer; a repeat with the
same key and the same body gets that answer again (status and body) without doing anything; the
same key with a different body or on a different operation is refused with 422. A request that
failed (any error) gives its key back, so the client may retry it under the same key. Keys are
per caller: two customers' keys never meet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.context import ApiContext
from api.problems import ApiProblem
from canonical.time import utcnow
from store import idempotency as keys

KEY_HEADER = "Idempotency-Key"


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=KEY_HEADER,
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes the request safe to repeat: a repeat with the same key and body "
            "gets the first answer; the same key with another body is refused (422).",
        ),
    ] = None,
) -> str | None:
    return key


def _fingerprint(operation: str, body: Any) -> str:
    text = json.dumps(jsonable_encoder(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{operation}\n{text}".encode()).hexdigest()


def run_once(
    ctx: ApiContext,
    owner: str,
    key: str | None,
    operation: str,
    body: Any,
    work: Callable[[], tuple[int, BaseModel]],
) -> JSONResponse:
    """Answer `work()` (status, model) once per key; see the module docstring."""
    if key is None:
        status, model = work()
        return JSONResponse(jsonable_encoder(model), status_code=status)
    fingerprint = _fingerprint(operation, body)
    with ctx.hub.engine.begin() as conn:
        claimed = keys.claim(conn, owner, key, operation, fingerprint, utcnow())
    if isinstance(claimed, keys.Mismatch):
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            f"the {KEY_HEADER} was first used with a different request",
        )
    if isinstance(claimed, keys.InFlight):
        raise ApiProblem(
            409,
            "idempotency_key_in_use",
            f"a request with this {KEY_HEADER} is still being answered; repeat it shortly",
            headers={"Retry-After": "1"},
        )
    if isinstance(claimed, keys.Answered):
        return JSONResponse(
            claimed.response,
            status_code=claimed.status_code,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        status, model = work()
    except BaseException:
        with ctx.hub.engine.begin() as conn:
            keys.release(conn, owner, key)
        raise
    content = jsonable_encoder(model)
    with ctx.hub.engine.begin() as conn:
        keys.complete(conn, owner, key, status, content)
    return JSONResponse(content, status_code=status)
