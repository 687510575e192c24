"""The API's route conventions, checked on the app itself: every route names its operation id
and its tag, and every success answer in the OpenAPI document says what it carries.

Operation ids name the web app's generated client functions: written down on each route, they
never move when a function or a tag is renamed. A route left without one fails at app start.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from api.app import require_operation_id
from api.main import app

ROUTES = [route for route in app.routes if isinstance(route, APIRoute)]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _label(route: APIRoute) -> str:
    return f"{','.join(sorted(route.methods))} {route.path}"


def _operations() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", op)
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _is_json(media_type: str) -> bool:
    kind = media_type.split(";")[0].strip()
    return kind == "application/json" or kind.endswith("+json")


def test_the_app_has_routes_to_check() -> None:
    assert len(ROUTES) > 100
    assert len(_operations()) > 100


def test_every_route_declares_its_operation_id() -> None:
    missing = [_label(route) for route in ROUTES if not route.operation_id]
    assert not missing, f"routes without an explicit operation_id: {missing}"


def test_operation_ids_are_unique() -> None:
    counts = Counter(route.operation_id for route in ROUTES)
    assert not [op for op, n in counts.items() if n > 1]
    in_document = Counter(op["operationId"] for _, op in _operations())
    assert not [op for op, n in in_document.items() if n > 1]


def test_every_route_is_tagged() -> None:
    untagged = [_label(route) for route in ROUTES if not route.tags]
    assert not untagged, f"routes without a tag: {untagged}"


def test_every_success_answer_is_described() -> None:
    """A 2xx answer has a schema (JSON), a declared media type (files, CSV, images, streams)
    or, for 204, no body at all."""
    vague = []
    for name, op in _operations():
        for status, answer in op["responses"].items():
            if not status.startswith("2"):
                continue
            content: dict[str, Any] = answer.get("content") or {}
            if status == "204":
                if content:
                    vague.append(f"{name} {status}: a 204 has no body")
                continue
            if not content:
                vague.append(f"{name} {status}: no media type")
            for media_type, media in content.items():
                if _is_json(media_type) and not media.get("schema"):
                    vague.append(f"{name} {status} {media_type}: no schema")
    assert not vague, "\n".join(vague)


def test_a_route_without_an_operation_id_fails_at_start() -> None:
    router = APIRouter(tags=["demo"])

    @router.get("/demo")
    def demo() -> dict[str, str]:
        return {}

    strict = FastAPI(generate_unique_id_function=require_operation_id)
    with pytest.raises(RuntimeError, match=r"GET /demo \(demo\) has no operation_id.*demo_demo"):
        strict.include_router(router)
