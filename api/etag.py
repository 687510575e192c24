"""ETags for cacheable reads: a strong validator over the exact JSON body sent, so it changes
whenever anything visible changes (a seat sold, a translation added) and never otherwise."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag still matches"}
}


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 §13.1.2): W/ prefixes do not matter for If-None-Match.
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def etag_json(
    request: Request,
    content: Any,
    *,
    vary: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if isinstance(content, BaseModel):  # serialized by pydantic's core
        body = content.model_dump_json(by_alias=True).encode()
    else:
        body = bytes(JSONResponse(jsonable_encoder(content)).body)
    return etag_bytes(request, body, vary=vary, headers=headers)


def etag_bytes(
    request: Request, body: bytes, *, vary: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """A JSON body already serialized, with its ETag (and 304 when the client has it)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    out_headers = {"ETag": etag, "Cache-Control": "no-cache", **(headers or {})}
    if vary:
        out_headers["Vary"] = vary
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=out_headers)
    return Response(content=body, media_type="application/json", headers=out_headers)
