"""Cursor pagination. A cursor is opaque to clients: base64url of a small JSON list holding the
sort key of the last item on the page (keyset pagination, so inserts between page requests
neither skip nor repeat items). `limit` caps a page; `next_cursor` is null on the last page."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from api.problems import ApiProblem

T = TypeVar("T")

MAX_LIMIT = 200


class PageParams:
    def __init__(
        self,
        cursor: Annotated[
            str | None, Query(description="Opaque cursor from `next_cursor`", max_length=500)
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 50,
    ) -> None:
        self.cursor = cursor
        self.limit = limit

    def key(self) -> list[Any] | None:
        return decode_cursor(self.cursor) if self.cursor else None


# A list endpoint's `cursor` and `limit` query parameters.
Paging = Annotated[PageParams, Depends()]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiProblem(
            400,
            "invalid_cursor",
            "the cursor is not one this API handed out",
        ) from err
    if not isinstance(key, list) or not all(_plain(part) for part in key):
        raise ApiProblem(400, "invalid_cursor", "the cursor is not one this API handed out")
    return key


def _plain(part: Any) -> bool:
    # What encode_cursor writes: text without NUL (the database refuses it) and 64-bit numbers.
    if isinstance(part, str):
        return "\x00" not in part
    if isinstance(part, bool) or part is None:
        return True
    if isinstance(part, int):
        return -(2**63) <= part < 2**63
    return isinstance(part, float)


def paginate(
    items: Sequence[T], page: PageParams, key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """Keyset pagination over an in-memory list (catalog lists are small and already filtered
    in SQL): items sorted by `key`, those after the cursor's key, one page of them."""
    ordered = sorted(items, key=lambda i: _comparable(key(i)))
    after = page.key()
    if after is not None:
        start = _comparable(after)
        try:
            ordered = [i for i in ordered if _comparable(key(i)) > start]
        except TypeError as err:
            raise ApiProblem(400, "invalid_cursor", "the cursor does not fit this list") from err
    chunk = ordered[: page.limit]
    more = len(ordered) > page.limit
    return chunk, encode_cursor(key(chunk[-1])) if more and chunk else None


def _comparable(key: Sequence[Any]) -> tuple[str, ...]:
    # Keys go through JSON in the cursor; comparing their string forms keeps both sides alike.
    return tuple(str(k) for k in key)
