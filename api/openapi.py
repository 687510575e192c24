"""The OpenAPI document, finished: every error is documented as problem+json.

FastAPI documents its own 422 shape (HTTPValidationError); the API answers with a problem
document instead, so that response is rewritten, and every operation gets a `default` problem
response covering the other error statuses (401, 403, 404, 409, 413, 429, 503...).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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


def install(app: FastAPI) -> None:
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
