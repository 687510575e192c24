"""The access log and the HTTP metrics name every request by its route template, whichever way
the caller signed in (bearer header or the web app's cookie session), and only paths no route
serves by "unmatched", in one bounded set of series."""

from __future__ import annotations

import logging

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from starlette.types import ASGIApp, Receive, Scope, Send

from api.middleware import ObservabilityMiddleware
from api.routers.session import ACCESS_COOKIE

REQUESTS = "marquee_http_requests_total"

# (account, path sent, template expected, status expected)
ROLE_ROUTES = [
    ("cust-a@test.example", "/v1/bookings", "/v1/bookings", 200),
    # A 404 from a route that exists (someone else's or no such booking) keeps its template.
    ("cust-a@test.example", "/v1/bookings/bkg_nobody", "/v1/bookings/{booking_id}", 404),
    (
        "staff-a@test.example",
        "/v1/partner/theatres/thr_chennai_marina/screens",
        "/v1/partner/theatres/{theatre_id}/screens",
        200,
    ),
    (
        "admin@test.example",
        "/v1/admin/theatres/thr_chennai_marina/seat-categories",
        "/v1/admin/theatres/{theatre_id}/seat-categories",
        200,
    ),
]


def _count(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value(REQUESTS, labels) or 0.0


def _access_routes(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [
        (r.path, r.route)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "marquee.access"
    ]


@pytest.mark.parametrize("signed_in_by", ["bearer", "cookie"])
@pytest.mark.parametrize(("email", "path", "template", "status"), ROLE_ROUTES)
def test_a_role_route_is_labelled_by_its_template(
    api, caplog, signed_in_by: str, email: str, path: str, template: str, status: int
):
    token = api.token(email)
    headers = {}
    if signed_in_by == "bearer":
        headers["Authorization"] = f"Bearer {token}"
    else:
        api.client.cookies.set(ACCESS_COOKIE, token)
    before = _count("GET", template, status)
    caplog.set_level(logging.INFO, logger="marquee.access")
    caplog.clear()

    r = api.client.get(path, headers=headers)

    assert r.status_code == status, r.text
    assert _access_routes(caplog) == [(path, template)]
    assert _count("GET", template, status) == before + 1


def test_paths_no_route_serves_share_one_unmatched_series(api, caplog):
    caplog.set_level(logging.INFO, logger="marquee.access")
    before = _count("GET", "unmatched", 404)
    paths = ["/v1/no-such-thing", "/v1/no/such/thing/42", "/wp-login.php", "/docs-old/x.js"]
    caplog.clear()
    for path in paths:
        assert api.client.get(path).status_code == 404
    assert _access_routes(caplog) == [(p, "unmatched") for p in paths]
    assert _count("GET", "unmatched", 404) == before + len(paths)
    exposition = api.client.get("/metrics").text
    assert not any(f'route="{p}"' in exposition for p in paths)


def test_a_known_path_with_another_method_keeps_its_template(api, caplog):
    caplog.set_level(logging.INFO, logger="marquee.access")
    caplog.clear()
    assert api.client.delete("/v1/theatres").status_code == 405
    assert api.client.delete("/nowhere").status_code == 405
    assert _access_routes(caplog) == [("/v1/theatres", "/v1/theatres"), ("/nowhere", "unmatched")]


def test_web_app_pages_and_mounted_files_are_labelled_by_their_template(api, caplog):
    caplog.set_level(logging.INFO, logger="marquee.access")
    caplog.clear()
    assert api.client.get("/partner/dashboard").status_code == 200
    static = [r.path for r in api.client.app.routes if r.path.startswith("/docs/static")]
    assert static, "the offline API docs mount their assets"
    api.client.get(static[0] + "/no-such-asset.js")
    assert _access_routes(caplog) == [
        ("/partner/dashboard", "/{path:path}"),
        (static[0] + "/no-such-asset.js", static[0] + "/{path:path}"),
    ]


def test_an_invented_method_shares_one_label(api):
    before = _count("OTHER", "/v1/theatres", 405)
    assert api.client.request("BREW", "/v1/theatres").status_code == 405
    assert _count("OTHER", "/v1/theatres", 405) == before + 1
    assert 'method="BREW"' not in api.client.get("/metrics").text


class _CopyingMiddleware:
    """Hands the next layer a copy of the scope, as a middleware adding a header does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(dict(scope), receive, send)


def _mounted_app(copy_scope: bool) -> FastAPI:
    v2 = FastAPI()
    shows = APIRouter(prefix="/shows")

    @shows.get("/{show_id}/seats")
    def seats(show_id: str) -> dict[str, str]:
        return {"show": show_id}

    v2.include_router(shows)
    outer = FastAPI()
    outer.mount("/v2", v2)
    if copy_scope:
        outer.add_middleware(_CopyingMiddleware)
    outer.add_middleware(ObservabilityMiddleware)
    return outer


@pytest.mark.parametrize("copy_scope", [False, True])
def test_a_route_of_a_mounted_versioned_app_keeps_the_mount_prefix(caplog, copy_scope: bool):
    caplog.set_level(logging.INFO, logger="marquee.access")
    with TestClient(_mounted_app(copy_scope)) as client:
        caplog.clear()
        assert client.get("/v2/shows/shw_1/seats").json() == {"show": "shw_1"}
        assert client.get("/v2/shows").status_code == 404
    assert _access_routes(caplog) == [
        ("/v2/shows/shw_1/seats", "/v2/shows/{show_id}/seats"),
        ("/v2/shows", "unmatched"),
    ]
