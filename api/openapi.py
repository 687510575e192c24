"""The OpenAPI document, finished: every error is documented as problem+json.

FastAPI documents its own 422 shape (HTTPValidationError); the API answers with a problem
document instead, so that response is rewritten, and every operation gets a `default` problem
response covering the other error statuses (401, 403, 404, 409, 413, 429, 503...).

/docs and /redoc load Swagger UI and ReDoc from files shipped in a Python package
(fastapi-offline's static folder), never from a CDN: they work offline and behind a strict CSP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from api.problems import PROBLEM_MEDIA_TYPE, Problem

_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_content(example: dict[str, Any] | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": _REF}
    if example:
        media["example"] = example
    return {PROBLEM_MEDIA_TYPE: media}


VALIDATION_EXAMPLE = {
    "type": "https://marquee.dev/problems/validation_failed",
    "title": "Request is not valid",
    "status": 422,
    "detail": "invalid fields: body.seat_ids",
    "instance": "/v1/holds",
    "code": "validation_failed",
    "errors": [{"field": "body.seat_ids", "message": "Field required", "type": "missing"}],
}


DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_PATH = "/docs/static"


def _offline_docs(app: FastAPI) -> None:
    """Swap FastAPI's CDN-backed /docs and /redoc pages for ones using our packaged assets, in
    place (before the web app's catch-all route) with the asset folder mounted next to them."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url

    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    async def swagger(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + oauth2_redirect if oauth2_redirect else None,
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    pages = {app.docs_url: swagger, oauth2_redirect: redirect, app.redoc_url: redoc}
    routes: list[BaseRoute] = []
    for route in app.router.routes:
        path = getattr(route, "path", None)
        if isinstance(route, Route) and path in pages and path is not None:
            if path == app.docs_url:
                routes.append(Mount(ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS)))
            routes.append(
                Route(path, pages[path], methods=["GET", "HEAD"], include_in_schema=False)
            )
        else:
            routes.append(route)
    app.router.routes[:] = routes


def install(app: FastAPI) -> None:
    _offline_docs(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in problem.pop("$defs", {}).items():
            schemas[name] = sub
        schemas["Problem"] = problem
        for path_item in doc.get("paths", {}).values():
            for op in path_item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                responses = op["responses"]
                if "422" in responses:
                    responses["422"] = {
                        "description": "Validation failed",
                        "content": _problem_content(VALIDATION_EXAMPLE),
                    }
                for status, resp in responses.items():
                    if status.startswith(("4", "5")) and status != "422":
                        resp["content"] = _problem_content()
                responses.setdefault(
                    "default",
                    {"description": "Error (problem+json)", "content": _problem_content()},
                )
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
