"""The FastAPI application. Routers are mounted here; everything else is in api/routers."""

from __future__ import annotations

from fastapi import FastAPI

from api.routers import catalog, health
from marquee.bootstrap import Hub, build_hub


def create_app(hub: Hub | None = None) -> FastAPI:
    app = FastAPI(
        title="Marquee",
        version="0.1.0",
        description="Theatre integration hub and movie booking platform.",
    )
    app.state.hub = hub or build_hub()
    app.include_router(health.router)
    app.include_router(catalog.router)
    return app
