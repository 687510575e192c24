"""The FastAPI application: middleware, problem handlers, routers, the finished OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from api import openapi, problems, tracking
from api.admission import AdmissionMiddleware, limit_for
from api.context import ApiContext
from api.middleware import BodySizeLimitMiddleware, ObservabilityMiddleware
from api.ratelimit import RateLimits
from api.routers import (
    admin,
    admin_flags,
    admin_portal,
    allocation_sales,
    auth,
    bookings,
    catalog,
    checkin,
    connector_webhooks,
    health,
    images,
    movie_matching,
    partner,
    partner_portal,
    partner_reports,
    seat_categories,
    seat_events,
    session,
    storefront,
    web,
    webhooks,
)
from api.routers import analytics as analytics_routes
from api.routers import booking as booking_routes
from marquee import observability
from marquee.bootstrap import Hub, build_hub

TAGS = [
    {"name": "auth", "description": "Sign-up, OAuth2 tokens, refresh, logout, your account"},
    {"name": "catalog", "description": "Theatres, movies, shows and live seat maps (public)"},
    {
        "name": "booking",
        "description": "Holds, checkout, bookings, cancellation, e-tickets (scope bookings)",
    },
    {"name": "webhooks", "description": "Payment gateway events, signature-verified"},
    {
        "name": "partner",
        "description": "Native theatres manage their own catalog and see "
        "their sales (scopes partner:read, partner:write)",
    },
    {
        "name": "admin",
        "description": "Users and roles, connectors, sync conflicts, dead "
        "letters, audit log (scopes admin:read, admin:write)",
    },
    {"name": "health", "description": "Liveness, readiness, metrics"},
]


def require_operation_id(route: APIRoute) -> str:
    """FastAPI asks for an id only for a route declared without `operation_id`: refuse it, so
    a route without one fails at start. The web app's generated client names every operation
    by its id, so ids are written down (by convention `{tag}_{function}`) and never derived:
    renaming a function or a tag must not rename an operation."""
    methods = ",".join(sorted(route.methods or ()))
    suggested = f"{route.tags[0]}_{route.name}" if route.tags else route.name
    raise RuntimeError(
        f"route {methods} {route.path} ({route.name}) has no operation_id: "
        f"declare one, e.g. operation_id={suggested!r}"
    )


def _lifespan(run_worker: bool, check_secrets: bool = False):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_secrets:
            # A server started without `marquee serve` (plain `uvicorn api.main:app`) meets the
            # same refusal: no production start on development secrets.
            reason = app.state.hub.settings.start_refusal()
            if reason:
                raise RuntimeError(f"marquee: refusing to start: {reason}")
        # The embedded default (task_mode=inprocess): this process also delivers the outbox
        # (POS commits, e-mails, refunds retried) and sweeps expired holds, with the API's own
        # booking service (one availability snapshot, one gateway, one connection pool).
        runner = None
        if run_worker:
            from marquee.worker.inprocess import start_inprocess_worker, stop_inprocess_worker

            ctx: ApiContext = app.state.ctx
            runner = start_inprocess_worker(ctx.hub.runtime)
        try:
            yield
        finally:
            if runner is not None:
                stop_inprocess_worker()

    return lifespan


def create_app(
    hub: Hub | None = None,
    *,
    rate_limits: RateLimits | None = None,
    run_worker: bool | None = None,
    check_secrets: bool = False,
) -> FastAPI:
    """The app on `hub` (default: a Hub on the environment's settings), which builds every
    adapter the routers use. `run_worker`: start the in-process outbox worker with the app
    (default: when `task_mode=inprocess`; tests pass False to keep their database to
    themselves). `check_secrets`: refuse to start serving on development secrets outside
    development mode (the ASGI entry point's app does)."""
    hub = hub or build_hub()
    if run_worker is None:
        run_worker = hub.settings.worker.task_mode == "inprocess"
    app = FastAPI(
        lifespan=_lifespan(run_worker, check_secrets),
        title="Marquee",
        version="1.0.0",
        description="Theatre integration hub and movie booking platform. Errors are RFC 9457 "
        "problem documents (`application/problem+json`) with a stable `code`.",
        openapi_tags=TAGS,
        generate_unique_id_function=require_operation_id,
    )
    observability.configure_logging(hub.settings.logging.level, hub.settings.logging.as_json)
    app.state.hub = hub
    app.state.ctx = ApiContext.build(hub, rate_limits)
    app.state.limiter = app.state.ctx.limiter
    problems.install(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(catalog.router)
    app.include_router(booking_routes.router)
    app.include_router(bookings.router)
    app.include_router(webhooks.router)
    app.include_router(partner.router)
    app.include_router(admin.router)
    app.include_router(allocation_sales.admin_router)
    app.include_router(allocation_sales.partner_router)
    app.include_router(partner_reports.router)
    app.include_router(checkin.router)
    app.include_router(seat_categories.partner_router)
    app.include_router(seat_categories.admin_router)
    app.include_router(movie_matching.router)
    app.include_router(connector_webhooks.router)
    app.include_router(session.router)
    app.include_router(seat_events.router)
    app.include_router(storefront.router)
    app.include_router(images.router)
    app.include_router(analytics_routes.partner_router)
    app.include_router(analytics_routes.admin_router)
    app.include_router(partner_portal.router)
    app.include_router(admin_portal.router)
    app.include_router(admin_flags.router)
    app.include_router(admin_flags.public_router)
    tracking.install(app, hub)
    web.install(app)  # the web app's catch-all: keep after every router
    openapi.install(app)
    settings = hub.settings
    # Order: the last added runs first. Observability wraps everything (even a 413).
    app.add_middleware(session.CookieSessionMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.http.max_request_bytes)
    if settings.http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.http.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept-Language",
                "If-None-Match",
                "X-Request-ID",
                "Idempotency-Key",
            ],
            expose_headers=["ETag", "Retry-After", "X-Request-ID", "Location"],
        )
    # Inside observability, so the time a request waits for admission shows in its latency.
    app.add_middleware(AdmissionMiddleware, limit=limit_for(hub.engine))
    app.add_middleware(ObservabilityMiddleware)
    return app
