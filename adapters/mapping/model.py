"""Values that cross the mapping API: context, results, dead letters, outcomes, requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from canonical.money import Money


@dataclass(frozen=True)
class TheatreInfo:
    """What mapping needs to know about one theatre: its zone and currency."""

    timezone: str
    currency: str
    cutover_hour: int = 6
    # What memos of theatre-dependent transforms key on: a str hashes once (its hash is
    # cached), where hashing the dataclass runs Python code for every record.
    memo_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "memo_key", f"{self.timezone}\x1f{self.currency}\x1f{self.cutover_hour}"
        )


@dataclass
class MappingContext:
    """Per-call context of a mapping.

    - `connector_id` scopes every derived canonical id and external ref.
    - `theatres` maps a theatre's *external* id (as the legacy system spells it) to its zone and
      currency: a CSV schedule with many sites reads each row in its own site's zone.
    - `timezone`/`currency` are the fall-back when a record names no theatre or an unknown one.
    - `vars` are call variables (`cinema_id` being fetched, values taken from a file name, ...);
      a mapping reads them as `$cinema_id` in templates or `{var: cinema_id}`.
    - `now` is the observation time for inventory deltas (defaults to the clock).
    """

    connector_id: str
    timezone: str | None = None
    currency: str | None = None
    theatres: dict[str, TheatreInfo] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    # Joins with records already imported (the `imported` transform): (entity, scope,
    # external id, field) -> value. Set by a connector's import; absent in a dry run.
    resolver: Callable[[str, str, str, str], Any] | None = None

    @classmethod
    def coerce(cls, value: MappingContext | dict[str, Any] | None) -> MappingContext:
        if isinstance(value, MappingContext):
            return value
        data = dict(value or {})
        theatres = {
            str(key): info if isinstance(info, TheatreInfo) else TheatreInfo(**info)
            for key, info in (data.pop("theatres", None) or {}).items()
        }
        now = data.pop("now", None)
        if isinstance(now, str):
            now = datetime.fromisoformat(now.replace("Z", "+00:00"))
        known = {"connector_id", "timezone", "currency", "vars"}
        extra = {k: data.pop(k) for k in list(data) if k not in known}
        variables = {**(data.pop("vars", None) or {}), **extra}
        if "connector_id" not in data:
            raise ValueError("a mapping context needs a connector_id")
        return cls(theatres=theatres, now=now, vars=variables, **data)

    def theatre(self, external_id: Any) -> TheatreInfo | None:
        if external_id is not None:
            info = self.theatres.get(str(external_id))
            if info is not None:
                return info
        if self.timezone and self.currency:
            default = self.__dict__.get("_default_theatre")
            if default is None or (default.timezone, default.currency) != (
                self.timezone,
                self.currency,
            ):
                default = self.__dict__["_default_theatre"] = TheatreInfo(
                    self.timezone, self.currency
                )
            return default
        return None


class DeadLetter(BaseModel):
    """A record that failed to map: kept with everything needed to fix and replay it."""

    model_config = ConfigDict(frozen=True)

    system: str
    mapping_version: int
    entity: str
    field_path: str = Field(description="Canonical field (or source location) that failed")
    reason: str
    payload: str = Field(description="The record's slice of the original payload, as text")
    record_index: int | None = Field(default=None, description="Position in the batch, if known")


@dataclass
class MapResult:
    """The outcome of mapping one batch. All-or-nothing unless `partial=True` was asked for:
    when any record failed, `records` is empty and every failure is in `dead_letters`."""

    records: list[BaseModel]
    dead_letters: list[DeadLetter]
    seen: int = 0

    @property
    def ok(self) -> bool:
        return not self.dead_letters


class OutcomeStatus(StrEnum):
    OK = "ok"
    SEATS_UNAVAILABLE = "seats_unavailable"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    INVALID = "invalid"
    TRANSIENT = "transient"
    UNAUTHORIZED = "unauthorized"


class Outcome(BaseModel):
    """What a legacy system answered to an outbound operation, in canonical terms."""

    model_config = ConfigDict(frozen=True)

    operation: str
    status: OutcomeStatus
    code: str | None = Field(default=None, description="The legacy result code, verbatim")
    message: str | None = None
    order_ref: str | None = None
    booking_ref: str | None = None
    expires_at: datetime | None = None
    seat_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is OutcomeStatus.OK


class OutboundRequest(BaseModel):
    """The canonical side of an outbound operation (hold, confirm, release, cancel).

    Mappings read it with JSON paths: `request_id`, `seat_ids[*]`, `amount.amount`, ...
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    request_id: str = Field(description="Idempotency key; the same id is never applied twice")
    theatre_external_id: str | None = None
    show_external_id: str | None = None
    seat_ids: tuple[str, ...] = ()
    hold_seconds: int = 480
    order_ref: str | None = Field(default=None, description="The POS's order id from the hold")
    booking_code: str | None = None
    amount: Money | None = None


@dataclass
class Rendered:
    """An outbound payload, ready for a protocol adapter.

    - REST: `data` (JSON-able dict), `body` (its UTF-8 bytes), `method`, `path`, `query`.
    - SOAP: `operation`, `data` (the operation's arguments, for zeep), `body` (the operation
      element as XML bytes, to put inside a SOAP envelope).
    - CSV/SFTP: `body` (the request file's bytes, header + row), `text`, `filename`,
      `folder`, `ack_folder`, `ack_filename`.
    """

    operation: str
    content_type: str
    body: bytes
    data: Any = None
    text: str | None = None
    method: str | None = None
    path: str | None = None
    query: dict[str, Any] = field(default_factory=dict)
    soap_operation: str | None = None
    folder: str | None = None
    filename: str | None = None
    ack_folder: str | None = None
    ack_filename: str | None = None


def canonical_json(record: BaseModel) -> Any:
    """A record as JSON-able data with a stable order (sets become sorted lists), so golden
    files and dry runs do not change with Python's hash seed."""
    from pydantic_core import to_jsonable_python

    def norm(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return {k: norm(getattr(value, k)) for k in type(value).model_fields}
        if isinstance(value, set | frozenset):
            return sorted((norm(v) for v in value), key=lambda v: json_key(v))
        if isinstance(value, tuple | list):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value

    return to_jsonable_python(norm(record))


def json_key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)
