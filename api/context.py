"""What the routers share, built once per app from the hub: the PII cipher, the rate limiter,
and (lazily) the booking service with its gateways."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from api.ratelimit import RateLimiter, RateLimits
from api.security.pii import PiiCipher, cipher_from_settings
from booking.bounded import BoundedDict
from booking.services import BookingService
from marquee.bootstrap import Hub

_lock = threading.Lock()


@dataclass
class ApiContext:
    hub: Hub
    cipher: PiiCipher
    limiter: RateLimiter
    _booking: Any = field(default=None, repr=False)
    # show id -> (the service's seat map object, its JSON bytes), see routers/catalog.py
    rendered_maps: BoundedDict[str, tuple[Any, bytes]] = field(
        default_factory=lambda: BoundedDict(1024), repr=False
    )

    @classmethod
    def build(
        cls, hub: Hub, rate_limits: RateLimits | None = None, booking: BookingService | None = None
    ) -> ApiContext:
        s = hub.settings
        key = s.security.encryption_key_value()
        return cls(
            hub=hub,
            cipher=cipher_from_settings(key, s.security.jwt_secret.get_secret_value()),
            limiter=RateLimiter(s.redis.url, rate_limits or RateLimits.from_settings(s)),
            _booking=booking,
        )

    @property
    def booking(self) -> BookingService:
        """The booking service: SQL unit of work, the configured gateway, theatre links. Built
        on first use (and shared with an in-process worker, so the offline gateway's charges
        are the same object for checkout and refund)."""
        with _lock:
            if self._booking is None:
                from marquee.worker.runtime import build_services

                self._booking = build_services(self.hub.settings, self.hub.engine)
            return self._booking

    @property
    def jwt_secret(self) -> str:
        return self.hub.settings.security.jwt_secret.get_secret_value()


async def get_ctx(request: Request) -> ApiContext:
    return request.app.state.ctx
