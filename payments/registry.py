"""Gateways by name, through the one plugin mechanism (`adapters.plugins`).

The `marquee.payment_gateways` entry-point group names factories (a class or function) that take
keyword settings and return an object implementing booking.ports.PaymentGateway. Code may also
`register_gateway`; that wins over an entry point of the same name, which wins over the built-in
fall-back table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.plugins import PluginRegistry
from booking.errors import UnknownGateway
from booking.ports import PaymentGateway

ENTRY_POINT_GROUP = "marquee.payment_gateways"

Factory = Callable[..., PaymentGateway]

_BUILTIN: dict[str, str] = {
    "offline": "payments.offline:OfflineGateway",
    "stripe": "payments.stripe_gateway:StripeGateway",
}


def _unknown(name: str, known: list[str]) -> UnknownGateway:
    listed = ", ".join(known) or "none"
    return UnknownGateway(f"no payment gateway named {name!r} (known: {listed})", available=known)


GATEWAYS: PluginRegistry[Factory] = PluginRegistry(
    "payment gateway", ENTRY_POINT_GROUP, builtin=_BUILTIN, unknown=_unknown
)


def register_gateway(name: str, factory: Factory) -> None:
    GATEWAYS.register(name, factory)


def available_gateways() -> list[str]:
    return GATEWAYS.names()


def get_gateway(name: str, **settings: Any) -> PaymentGateway:
    """A new gateway instance by name, built with `settings` (api keys, secrets...)."""
    return GATEWAYS.get(name)(**settings)


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
