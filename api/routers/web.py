"""The customer web app's static files at `/`, with a fallback to index.html for its routes.

Vite names every asset after its content hash, so `/assets/*` is cached for a year; index.html
is revalidated on every load so a new release is picked up at once. The API's own paths
(/v1, /docs, /openapi.json, /health...) are never answered with the app.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from api.landing import landing_page
from api.problems import problem_response

DIST = Path(os.environ.get("MARQUEE_WEB_DIST", Path(__file__).resolve().parents[2] / "web/dist"))
RESERVED = ("v1/", "docs", "redoc", "openapi.json", "health", "metrics", "ready", "live")
IMMUTABLE = "public, max-age=31536000, immutable"


def _index(dist: Path, request: Request) -> Response:
    index = dist / "index.html"
    if not index.is_file():
        # Not built (an API-only deployment, or before `make demo` builds it): a landing page
        # pointing at the API docs, not a 404.
        return landing_page(request)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


def install(app: FastAPI, dist: Path = DIST) -> None:
    """Add the catch-all route; call it after every API router (routes match in order)."""
    root = dist.resolve()

    @app.api_route(
        "/{path:path}",
        operation_id="web_app",
        tags=["web"],
        methods=["GET", "HEAD"],
        include_in_schema=False,
    )
    def web_app(path: str, request: Request) -> Response:
        if path.startswith(RESERVED):
            return problem_response(request, 404, "not_found", "Not Found", f"no route /{path}")
        if path:
            candidate = (root / path).resolve()
            # resolve() + the prefix check refuse ../ escapes out of the build folder.
            if candidate.is_relative_to(root) and candidate.is_file():
                cache = IMMUTABLE if path.startswith("assets/") else "public, max-age=3600"
                return FileResponse(candidate, headers={"Cache-Control": cache})
            if "." in path.rsplit("/", 1)[-1]:
                return problem_response(request, 404, "not_found", "Not Found", f"no file /{path}")
        return _index(root, request)
