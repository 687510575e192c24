"""FastAPI dependencies: the hub, a database connection per request, preferred languages; and
the id parameters every router declares the same way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Connection

from marquee.bootstrap import Hub


def get_hub(request: Request) -> Hub:
    return request.app.state.hub


def get_conn(request: Request) -> Iterator[Connection]:
    with request.app.state.hub.engine.connect() as conn:
        yield conn


def get_stale_conn(request: Request) -> Iterator[Connection]:
    """For reads that may be a little stale (catalog): a replica when one keeps up."""
    with request.app.state.hub.stale_reads.engine().connect() as conn:
        yield conn


def preferred_languages(request: Request) -> list[str]:
    """Languages from Accept-Language, best first (q-values honoured, malformed tags skipped)."""
    header = request.headers.get("accept-language", "")
    weighted = []
    for i, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for p in pieces[1:]:
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    q = 0.0
        weighted.append((-q, i, tag))
    from canonical.text import normalize_tag

    langs = []
    for _, _, tag in sorted(weighted):
        try:
            langs.append(normalize_tag(tag))
        except ValueError:
            continue
    return langs


Conn = Annotated[Connection, Depends(get_conn)]
StaleConn = Annotated[Connection, Depends(get_stale_conn)]
Languages = Annotated[list[str], Depends(preferred_languages)]

# Every id in the hub is at most 64 characters: longer is refused with 422 before any lookup.
PathId = Annotated[str, Path(max_length=64)]
QueryId = Annotated[str | None, Query(max_length=64)]


def connector_row(hub: Hub, connector_id: str) -> dict[str, Any]:
    """A connector's stored row, or a 404 problem."""
    from api.problems import not_found
    from store import sync

    with hub.engine.connect() as conn:
        row = sync.get_connector(conn, connector_id)
    if row is None:
        raise not_found("connector", connector_id)
    return row


def known_connector(connector_id: PathId, request: Request) -> dict[str, Any]:
    return connector_row(get_hub(request), connector_id)


# The connector named in the path (404 when there is none). Declare it after the caller's
# access check, so a caller without access learns nothing of which connectors exist.
KnownConnector = Annotated[dict[str, Any], Depends(known_connector)]
