"""Movie posters: a small storage port, partner upload, and public reads with cache headers.

`ImageStore` is the port; `LocalImageStore` keeps files under `var/images` (or
`IMAGES_DIR`), which is enough for one host. Several API hosts need a shared store: an
S3-compatible implementation of the same three methods is the production choice and is not
written yet. Uploads are checked by their first bytes (PNG, JPEG, WebP), not by what the
client claims, and are capped at 2 MB.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from api.deps import Conn, PathId
from api.problems import ApiProblem, not_found
from api.security.access import PartnerWriter
from marquee.settings import VAR
from store import catalog

MAX_BYTES = 2 * 1024 * 1024
KINDS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def sniff(data: bytes) -> str | None:
    for magic, kind in KINDS.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class ImageStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> str: ...
    def get(self, key: str) -> tuple[bytes, str] | None: ...
    def version(self, key: str) -> str | None: ...


class LocalImageStore:
    """One file per key plus a sidecar naming its content type; writes are atomic (rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        safe = hashlib.sha256(key.encode()).hexdigest()
        return self.root / safe[:2] / safe

    def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        path.with_suffix(".type").write_text(content_type)
        os.replace(tmp, path)
        return hashlib.sha256(data).hexdigest()[:16]

    def get(self, key: str) -> tuple[bytes, str] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        kind = path.with_suffix(".type")
        return path.read_bytes(), kind.read_text() if kind.is_file() else "image/png"

    def version(self, key: str) -> str | None:
        found = self.get(key)
        return hashlib.sha256(found[0]).hexdigest()[:16] if found else None


_store: ImageStore = LocalImageStore(Path(os.environ.get("IMAGES_DIR", VAR / "images")))


def image_store() -> ImageStore:
    return _store


def use_store(store: ImageStore) -> None:
    """Swap the store (tests, or an S3-compatible one at start-up)."""
    global _store
    _store = store


def poster_url(movie_id: str) -> str | None:
    version = _store.version(f"posters/{movie_id}")
    # The version in the address lets a year-long cache hold it; a new upload is a new URL.
    return f"/v1/images/posters/{movie_id}?v={version}" if version else None


router = APIRouter(prefix="/v1", tags=["images"])


class PosterOut(BaseModel):
    movie_id: str
    url: str
    content_type: str
    bytes: int


@router.put(
    "/partner/movies/{movie_id}/poster",
    operation_id="images_upload_poster",
    response_model=PosterOut,
    tags=["partner"],
    summary="Upload a movie's poster (raw PNG, JPEG or WebP body, at most 2 MB)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                k: {"schema": {"type": "string", "format": "binary"}} for k in KINDS.values()
            }
            | {"image/webp": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_poster(
    request: Request,
    movie_id: PathId,
    principal: PartnerWriter,
    conn: Conn,
) -> PosterOut:
    if catalog.get_movie(conn, movie_id) is None:
        raise not_found("movie", movie_id)
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise ApiProblem(413, "image_too_large", f"posters are at most {MAX_BYTES} bytes")
    kind = sniff(data)
    if kind is None:
        raise ApiProblem(415, "unsupported_image", "send a PNG, JPEG or WebP image")
    _store.put(f"posters/{movie_id}", data, kind)
    url = poster_url(movie_id)
    assert url is not None
    return PosterOut(movie_id=movie_id, url=url, content_type=kind, bytes=len(data))


@router.get(
    "/images/posters/{movie_id}",
    operation_id="images_get_poster",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}}},
    summary="A movie's poster (cached: the address changes with the image)",
)
def get_poster(request: Request, movie_id: PathId) -> Response:
    found = _store.get(f"posters/{movie_id}")
    if found is None:
        raise not_found("poster", movie_id)
    data, kind = found
    etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
    cache = (
        "public, max-age=31536000, immutable"
        if request.query_params.get("v")
        else "public, max-age=300"
    )
    headers = {"ETag": etag, "Cache-Control": cache}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=kind, headers=headers)
