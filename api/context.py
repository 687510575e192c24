"""What the routers share, built once per app: the Hub (marquee/bootstrap.py: the engine, the
PII cipher, the booking service with its gateways, the notifier) and the rate limiter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from api.ratelimit import RateLimiter, RateLimits
from api.security.pii import PiiCipher
from booking.bounded import BoundedDict
from booking.services import BookingService
from marquee.bootstrap import Hub


@dataclass
class ApiContext:
    hub: Hub
    limiter: RateLimiter
    # show id -> (the service's seat map object, its JSON bytes), see routers/catalog.py
    rendered_maps: BoundedDict[str, tuple[Any, bytes]] = field(
        default_factory=lambda: BoundedDict(1024), repr=False
    )

    @classmethod
    def build(cls, hub: Hub, rate_limits: RateLimits | None = None) -> ApiContext:
        s = hub.settings
        return cls(
            hub=hub, limiter=RateLimiter(s.redis.url, rate_limits or RateLimits.from_settings(s))
        )

    @property
    def cipher(self) -> PiiCipher:
        return self.hub.cipher

    @property
    def booking(self) -> BookingService:
        """The Hub's booking service, built on first use and shared with an in-process worker
        (one availability snapshot, one gateway, one connection pool)."""
        return self.hub.booking

    @property
    def jwt_secret(self) -> str:
        return self.hub.settings.security.jwt_secret.get_secret_value()


async def get_ctx(request: Request) -> ApiContext:
    return request.app.state.ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]
