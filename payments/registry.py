"""Gateways by name: built-ins plus the `marquee.payment_gateways` entry-point group.

An entry point names a factory (a class or function) that takes keyword settings and returns an
object implementing booking.ports.PaymentGateway.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from booking.errors import UnknownGateway
from booking.ports import PaymentGateway

ENTRY_POINT_GROUP = "marquee.payment_gateways"

Factory = Callable[..., PaymentGateway]

_BUILTIN: dict[str, str] = {
    "offline": "payments.offline:OfflineGateway",
    "stripe": "payments.stripe_gateway:StripeGateway",
}
_registered: dict[str, Factory] = {}


def register_gateway(name: str, factory: Factory) -> None:
    _registered[name] = factory


def _load(ref: str) -> Factory:
    import importlib

    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def _same(factory: Factory) -> Factory:
    return factory


def _factories() -> dict[str, Callable[[], Factory]]:
    found: dict[str, Callable[[], Factory]] = {
        name: functools.partial(_load, ref) for name, ref in _BUILTIN.items()
    }
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.load)
    for name, factory in _registered.items():
        found[name] = functools.partial(_same, factory)
    return found


def available_gateways() -> list[str]:
    return sorted(_factories())


def get_gateway(name: str, **settings: Any) -> PaymentGateway:
    """A new gateway instance by name, built with `settings` (api keys, secrets...)."""
    factories = _factories()
    if name not in factories:
        raise UnknownGateway(f"no payment gateway named {name!r}", available=sorted(factories))
    return factories[name]()(**settings)


class GatewayRegistry:
    """Holds one configured instance per gateway name; callable as booking's GatewayResolver."""

    def __init__(self, gateways: dict[str, PaymentGateway] | None = None) -> None:
        self._gateways: dict[str, PaymentGateway] = dict(gateways or {})

    def add(self, gateway: PaymentGateway) -> GatewayRegistry:
        self._gateways[gateway.name] = gateway
        return self

    def __call__(self, name: str) -> PaymentGateway:
        try:
            return self._gateways[name]
        except KeyError:
            raise UnknownGateway(
                f"payment gateway {name!r} is not configured", available=sorted(self._gateways)
            ) from None

    def names(self) -> list[str]:
        return sorted(self._gateways)
