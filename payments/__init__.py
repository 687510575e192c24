"""Payment gateways behind booking's PaymentGateway port, registered by name.

`get_gateway("offline")` / `get_gateway("stripe", api_key=..., webhook_secret=...)`. Third-party
gateways register through the `marquee.payment_gateways` entry-point group.
"""

from payments.registry import GatewayRegistry, available_gateways, get_gateway, register_gateway

__all__ = ["GatewayRegistry", "available_gateways", "get_gateway", "register_gateway"]
