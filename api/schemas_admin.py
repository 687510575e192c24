"""Bodies of the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.schemas_auth import PHONE, Strict
from api.security.passwords import MIN_LENGTH
from api.security.scopes import Role

SLUG = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"


class UserIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "box-office@cinema.example",
                    "password": "a long passphrase",
                    "role": "partner",
                    "partner_id": "prt_demo",
                    "name": "Box office",
                }
            ]
        },
    )

    email: EmailStr
    password: str = Field(min_length=MIN_LENGTH, max_length=200)
    role: Role
    partner_id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE)
    language: str = Field(default="en", max_length=35)


class UserPatch(Strict):
    role: Role | None = None
    partner_id: str | None = Field(default=None, max_length=64)
    active: bool | None = None


class PartnerIn(Strict):
    id: str = Field(min_length=3, max_length=64, pattern=SLUG, examples=["prt_star_cinemas"])
    name: str = Field(min_length=1, max_length=200, examples=["Star Cinemas"])


class PartnerOut(BaseModel):
    id: str
    name: str
    created_at: datetime


class ConnectorIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "restline-chennai",
                    "name": "Restline POS, Chennai",
                    "adapter": "rest",
                    "mapping": "mappings/restline/mapping.yaml",
                    "endpoint": {"base_url": "http://127.0.0.1:8101"},
                    "secret_refs": {
                        "token": "env:RESTLINE_TOKEN",
                        "push_secret": "env:RESTLINE_PUSH_SECRET",
                    },
                    "settings": {"connect_timeout": 3, "read_timeout": 10, "fail_max": 5},
                }
            ]
        },
    )

    id: str = Field(min_length=3, max_length=64, pattern=SLUG)
    name: str = Field(default="", max_length=200)
    adapter: str = Field(min_length=1, max_length=40)
    mapping: str = Field(min_length=1, max_length=200)
    endpoint: dict[str, Any]
    secret_refs: dict[str, str] = Field(
        default_factory=dict,
        description="Names of secrets (environment or secrets file), never their values",
    )
    settings: dict[str, Any] = Field(default_factory=dict)


class ImportRunOut(BaseModel):
    id: str
    connector_id: str
    kind: Literal["catalog", "localization", "inventory"]
    mapping_system: str | None = None
    mapping_version: str | None = Field(
        default=None, description="The mapping language version of the file the run used"
    )
    mapping_path: str | None = Field(default=None, description="The mapping file the run used")
    mapping_fingerprint: str | None = Field(
        default=None,
        description="The revision of that file (and its lookup tables) the run used: the "
        "`fingerprint` the mapping editor shows",
    )
    started_at: datetime
    finished_at: datetime
    status: Literal["ok", "failed"]
    counts: dict[str, Any] = Field(
        description="The run's report: created/updated/unchanged per entity, dead letters..."
    )
    error: str | None = Field(default=None, description="Type and message of a failed run")


class LastRunOut(BaseModel):
    kind: Literal["catalog", "localization", "inventory"]
    status: Literal["ok", "failed"]
    finished_at: datetime
    mapping_version: str | None = None
    mapping_fingerprint: str | None = None
    counts: dict[str, Any]


class ConnectorOut(BaseModel):
    id: str
    name: str
    adapter: str
    mapping: str
    endpoint: dict[str, Any]
    secret_refs: dict[str, str]
    settings: dict[str, Any]
    status: str
    health: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    # What the admin panel's connector table shows beside the health: where to act.
    last_sync_at: datetime | None = Field(
        default=None, description="Last time a sync stream moved its cursor"
    )
    last_error: str | None = Field(
        default=None,
        description="The last test's failure category in words, while the connector fails",
    )
    open_dead_letters: int = 0
    last_dead_letter: str | None = Field(
        default=None, description="Entity and field of the newest open dead letter"
    )
    open_conflicts: int = 0
    last_run: LastRunOut | None = Field(default=None, description="The newest import run")


class EntityTestOut(BaseModel):
    payloads: int = Field(description="Pages, answers or files the system returned")
    records: int = Field(
        description="Records the mapping made of them (a record two pages hold counts once)"
    )
    dead_letters: int = Field(description="Records the mapping rejects (nothing is stored)")


class ConnectorTestOut(BaseModel):
    connector_id: str
    ok: bool
    checked_at: datetime
    duration_ms: float
    detail: str
    records: int | None = Field(
        default=None, description="Records the mapping made of what was read, all entities"
    )
    entities: dict[str, EntityTestOut] = Field(
        default_factory=dict, description="What was read, per entity of the mapping"
    )


class ConflictOut(BaseModel):
    id: str
    connector_id: str | None
    show_id: str | None
    seat_id: str | None
    kind: str
    detail: dict[str, Any]
    action_taken: str
    status: str
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None
    # What an admin reads instead of ids (store/conflict_context.py); None when no longer known.
    movie_title: str | None = Field(default=None, description="The show's film")
    theatre_id: str | None = None
    theatre_name: str | None = None
    theatre_timezone: str | None = Field(default=None, examples=["Asia/Kolkata"])
    show_local_start: str | None = Field(
        default=None, description="The show's start in the theatre's own time zone, ISO 8601"
    )
    seat_label: str | None = Field(default=None, description="The seat as printed, e.g. D7")
    booking_code: str | None = Field(
        default=None, description="The customer's booking reference (on the e-ticket)"
    )
    booking_status: str | None = None
    booking_seat_labels: list[str] = Field(
        default_factory=list, description="Every seat of the customer's booking"
    )
    pos_status: str | None = Field(
        default=None, description="What the POS says the seat is: sold, held, available..."
    )
    pos_ref: str | None = Field(default=None, description="The POS's order or sale reference")


class ResolveIn(Strict):
    action: Literal[
        "refund_customer",
        "keep_booking",
        "acknowledge",
        "accept_theatre",
        "keep_marquee",
        "dismiss",
    ] = Field(
        description="For a POS that sold a seat Marquee booked (pos_sold_booked_seat, "
        "sale_commit_failed): refund_customer (the booking fails and the customer is refunded "
        "in full, now) or keep_booking (the theatre resolves the POS side). For "
        "pos_sold_held_seat: acknowledge. Other kinds: accept_theatre, keep_marquee, dismiss "
        "(recorded only)"
    )
    note: str = Field(default="", max_length=1000)


class DeadLetterOut(BaseModel):
    id: str
    connector_id: str | None
    mapping_system: str
    mapping_version: str
    entity: str
    field: str | None
    reason: str
    payload: str
    vars: dict[str, Any] | None = Field(
        default=None,
        description="The call variables the record was read with (file-name groups, the "
        "theatre called for); a replay reads the payload with them",
    )
    status: str
    created_at: datetime
    replayed_at: datetime | None


class AuditOut(BaseModel):
    id: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    at: datetime
