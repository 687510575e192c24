"""The notifier port: telling customers what happened (notifications/ implements it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from canonical.orders import Customer


@dataclass(frozen=True)
class Notification:
    kind: str  # template name: booking_confirmed, booking_cancelled, refund_issued, ...
    customer: Customer
    context: Mapping[str, Any]


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
