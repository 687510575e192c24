"""The ports the booking domain needs. Adapters (store/, payments/, connectors/, notifiers)
implement them; the domain only ever sees these Protocols and canonical objects.

One module per concern: the unit of work and its repositories, the payment gateway, the
theatre link, the notifier. Everything is importable from `booking.ports` too.
"""

from __future__ import annotations

from booking.ports.gateways import (
    GatewayError,
    GatewayEvent,
    GatewayEventKind,
    GatewayResolver,
    GatewayResult,
    GatewayStatus,
    PaymentGateway,
    PaymentRequest,
    RefundResult,
)
from booking.ports.notifying import (
    Notification,
    Notifier,
)
from booking.ports.theatre import (
    LIVE,
    PosOrderGone,
    PosRefused,
    PosUnavailable,
    RemoteHold,
    SellingMode,
    SellingPolicy,
    SellingPolicySource,
    TheatreLink,
    TheatreLinkResolver,
    seats_by_id,
)
from booking.ports.unit_of_work import (
    BookingRepository,
    CatalogRepository,
    Clock,
    CustomerRepository,
    HoldRepository,
    PaymentRepository,
    PaymentTransition,
    SeatInventory,
    ShowRecord,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = [
    "BookingRepository",
    "CatalogRepository",
    "Clock",
    "CustomerRepository",
    "GatewayError",
    "GatewayEvent",
    "GatewayEventKind",
    "GatewayResolver",
    "GatewayResult",
    "GatewayStatus",
    "HoldRepository",
    "LIVE",
    "Notification",
    "Notifier",
    "PaymentGateway",
    "PaymentRepository",
    "PaymentRequest",
    "PaymentTransition",
    "PosOrderGone",
    "PosRefused",
    "PosUnavailable",
    "RefundResult",
    "RemoteHold",
    "SeatInventory",
    "SellingMode",
    "SellingPolicy",
    "SellingPolicySource",
    "ShowRecord",
    "TheatreLink",
    "TheatreLinkResolver",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "seats_by_id",
]
