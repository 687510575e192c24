"""What every protocol adapter offers, and the errors it raises.

An adapter moves bytes: it fetches an entity's payloads (pages, SOAP answers, files) and sends
rendered operations, exactly as the mapping's transport section says. It never interprets
records: the mapping engine turns payloads into canonical objects. The connector wraps adapters
with retries and a circuit breaker, so adapters raise one error family with a clear split:

- `TransientError`: the call may succeed if repeated (timeout, refused connection, 5xx, a
  legacy "try again" result code). Safe to retry only when the call is idempotent.
- `RemoteError`: the system answered and refused (bad token, invalid request); retrying will
  not help.
- `PayloadTooLarge`: an answer above the configured size limit (a defence, not a transient).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol


class AdapterError(Exception):
    """Base of adapter failures. `detail` is safe to show an operator (no secrets)."""


class TransientError(AdapterError):
    pass


class RemoteError(AdapterError):
    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PayloadTooLarge(AdapterError):
    pass


@dataclass
class Payload:
    """One unit of data from a legacy system: a page, a SOAP answer, a file.

    `opener` gives a fresh binary stream, so a large file is never held in memory; `name` is
    the file name (CSV) or a description of the call; `vars` are values the mapping reads as
    context variables (taken from the file name or the call); `cursor` is where a feed is after
    this payload (restline's seat-event `Cursor`, the file name of a snapshot).
    """

    name: str
    opener: Callable[[], IO[bytes]]
    vars: dict[str, Any] = field(default_factory=dict)
    cursor: str | None = None
    size: int | None = None
    fingerprint: str | None = None

    @classmethod
    def of_bytes(cls, name: str, body: bytes, **kwargs: Any) -> Payload:
        return cls(name=name, opener=lambda: io.BytesIO(body), size=len(body), **kwargs)

    def read(self) -> bytes:
        with self.opener() as stream:
            return stream.read()


@dataclass(frozen=True)
class Sent:
    """The raw answer to an outbound operation, for `mapping.outcome`."""

    body: bytes
    status: int | None = None


class Adapter(Protocol):
    """A protocol adapter built for one connector from its mapping, endpoint and secrets."""

    name: str

    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        """Payloads of an entity. Lists are paged / globbed here, lazily."""
        ...

    def send(self, operation: str, rendered: Any) -> Sent:
        """Deliver a rendered hold/confirm/release/cancel and return the raw answer."""
        ...

    def verify_push(self, entity: str, headers: dict[str, str], body: bytes) -> bool:
        """Is this pushed body authentic (signature or shared key, as the mapping says)?"""
        ...

    def acknowledge(self, payload: Payload) -> None:
        """Done with a payload (files may be archived); a no-op for request/response systems."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class AdapterSpec:
    """What an adapter needs: the compiled mapping, the endpoint (non-secret settings), the
    resolved secrets, and timeouts in seconds."""

    mapping: Any
    endpoint: dict[str, Any]
    secrets: dict[str, str]
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_response_bytes: int = 50_000_000
