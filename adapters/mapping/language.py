"""The mapping language as pydantic models: a mapping document, its entities, operations,
sources and transport sections (field specs and conditions are in `language_specs.py`,
transform arguments in `language_transforms.py`).

The models are the one description of what a mapping file may contain: the JSON Schema the
loader validates with, `mappings/schema/mapping.schema.json`, is generated from them
(`marquee mapping schema`). Reading a mapping's meaning stays with the loader and compiler.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from adapters.mapping.language_specs import ConditionSpec, FieldSpec, Spec
from adapters.mapping.model import OutcomeStatus
from adapters.mapping.transport import Cursor, Pagination, Paging, ResultCheck

Protocol = Literal["rest", "soap", "csv_sftp"]
Canonical = Literal[
    "movie",
    "translation",
    "theatre",
    "screen",
    "seat_layout",
    "show",
    "ticket_type",
    "inventory_delta",
]
Capability = Literal["hold", "sell", "release", "cancel", "export"]
Isolation = Annotated[
    Literal["record", "payload"],
    Field(
        description="record: a failed record is a dead letter and the rest of its payload "
        "applies (default); payload: all or nothing"
    ),
]
OneChar = Annotated[str, Field(min_length=1, max_length=1)]


class Source(Spec):
    """How a payload is read: its format and where its records are."""

    model_config = ConfigDict(title="source")

    format: Literal["json", "xml", "csv"] | None = None
    records: str | None = Field(None, description="Where the records are: JSON path or XPath")
    encoding: str | None = None
    delimiter: OneChar | None = None
    quotechar: OneChar | None = None
    header: bool | None = None
    columns: list[str] | None = None
    strip: bool | None = None
    skip_blank_lines: bool | None = None
    namespaces: dict[str, str] | None = None
    default_namespace: str | None = None


class TransportSection(Spec):
    """Every protocol's transport settings; which of them a protocol takes is checked by its
    own typed section (`transport.py`) once the protocol is known."""

    model_config = ConfigDict(title="transport")

    auth_header: str | None = None
    signature_header: str | None = None
    base_path: str | None = None
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] | None = None
    path: str | None = None
    query: dict[str, str] | None = None
    paging: Paging | None = None
    cursor: Cursor | None = None
    # The one setting that may be written as null: no result field at all.
    result_field: Annotated[str | None, Field(json_schema_extra={"type": ["string", "null"]})] = (
        None
    )
    service_path: str | None = None
    wsdl: str | None = None
    namespace: str | None = None
    operation: str | None = None
    arguments: dict[str, str] | None = None
    encoding: str | None = None
    delimiter: OneChar | None = None
    quotechar: OneChar | None = None
    header: bool | None = None
    line_terminator: str | None = None
    temp_suffix: str | None = None
    folder: str | None = None
    file_glob: str | None = None
    filename_vars: str | None = None
    request_folder: str | None = None
    request_filename: str | None = None
    ack_folder: str | None = None
    ack_filename: str | None = None
    pagination: Pagination | None = None
    result: ResultCheck | None = None
    headers: dict[str, str] | None = None
    select: Literal["all", "newest"] | None = None
    after_read: Literal["leave", "move", "delete"] | None = None
    archive_folder: str | None = None


class Entity(Spec):
    """What a payload of one canonical kind looks like and how its fields are read."""

    model_config = ConfigDict(title="entity")

    canonical: Canonical | None = None
    description: str | None = None
    source: Source | None = None
    transport: TransportSection | None = None
    theatre: FieldSpec | None = None
    let: dict[str, FieldSpec] | None = None
    where: ConditionSpec | None = None
    unique_by: FieldSpec | None = None
    group_by: FieldSpec | None = None
    fields: dict[str, FieldSpec]
    isolation: Isolation | None = None
    export: str | None = Field(
        None,
        pattern=r"^(full|delta|.*\{\$[A-Za-z_][A-Za-z0-9_]*\}.*)$",
        description="full (default): a payload replaces the theatres and dates it covers; "
        "delta: it changes only what it names; or a template reading a call variable ({$kind})",
    )


class Request(Spec):
    element: str | None = None
    fields: dict[str, FieldSpec]


class ResponseFields(Spec):
    message: FieldSpec | None = None
    order_ref: FieldSpec | None = None
    booking_ref: FieldSpec | None = None
    expires_at: FieldSpec | None = None
    seat_ids: FieldSpec | None = None


class Response(Spec):
    source: Source | None = None
    code: FieldSpec | None = None
    codes: dict[str, OutcomeStatus] | None = None
    default: OutcomeStatus | None = None
    fields: ResponseFields | None = None


class Operation(Spec):
    """An outbound call: the request written from Marquee's request, the answer read back."""

    model_config = ConfigDict(title="operation")

    description: str | None = None
    transport: TransportSection | None = None
    request: Request
    response: Response | None = None


class MappingDocument(Spec):
    """A mapping file: one POS system's protocol, entities and operations."""

    version: int = Field(ge=1)
    system: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    protocol: Protocol
    description: str | None = None
    namespaces: dict[str, str] | None = None
    source: Source | None = None
    transport: TransportSection | None = None
    lookups: dict[str, str] | None = None
    status_maps: dict[str, dict[str, str]] | None = None
    result_codes: dict[str, OutcomeStatus] | None = None
    entities: Annotated[dict[str, Entity], Field(min_length=1)]
    operations: dict[str, Operation] | None = None
    capabilities: list[Capability] | None = Field(
        None,
        json_schema_extra={"uniqueItems": True},
        description="What the POS can do for Marquee: hold, sell (commit a sale), release and "
        "cancel seats through operations, export (catalogue and seat states). Left out: "
        "derived from the operations present, plus export",
    )
    isolation: Isolation | None = None
