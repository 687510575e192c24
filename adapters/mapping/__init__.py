"""The mapping engine: onboard a legacy theatre system with a YAML file, not code.

Public API (see docs/mapping-language.md for the language itself)::

    from adapters.mapping import load_mapping, MappingContext, TheatreInfo

    mapping = load_mapping("mappings/restline/mapping.yaml")   # validated, migrated, compiled
    ctx = MappingContext(connector_id="restline-chennai",
                         theatres={"C01": TheatreInfo("Asia/Kolkata", "INR")},
                         vars={"cinema_id": "C01"})

    result = mapping.read("show", payload_bytes, ctx)           # MapResult
    result.records        # canonical objects (empty if any record failed, unless partial=True)
    result.dead_letters   # DeadLetter(system, mapping_version, entity, field_path, reason, payload)

    for item in mapping.stream("show", open("big.jsonl", "rb"), ctx):   # constant memory
        ...                                                     # canonical object or DeadLetter

    rendered = mapping.render("hold", OutboundRequest(...), ctx)  # Rendered: body/data/path/...
    outcome = mapping.outcome("hold", response_body, ctx)        # Outcome(status=ok|...)
    mapping.transport("show")      # RestTransport | SoapTransport | CsvTransport (typed)
    mapping.seat_status("Sold")    # SeatStatus.SOLD

- `load_mapping(path) -> Mapping` raises `MappingError`; its `.issues` are `MappingIssue`s with
  file, line, column, path, message and suggestion. `check_mapping(path)` returns the issues
  without raising. `load_mapping_text` / `check_mapping_text` do the same for a text not saved
  yet (the admin panel's editor); `confine=folder` adds the rules for a mapping written over
  the API (lookup tables inside that folder, calls only to the connector's endpoint).
- Entities are named in the mapping (`show`, `seat_events`, ...); each produces one canonical
  type (`canonical:`): movie, translation, theatre, screen, seat_layout, show, ticket_type,
  inventory_delta.
- Operations: hold, confirm, release, cancel.
"""

from adapters.mapping.engine import CAPABILITIES, OPERATIONS, Mapping
from adapters.mapping.errors import FieldError, MappingError, MappingIssue
from adapters.mapping.loader import (
    check_mapping,
    check_mapping_text,
    load_mapping,
    load_mapping_text,
)
from adapters.mapping.migrations import CURRENT_VERSION, MIGRATIONS
from adapters.mapping.model import (
    DeadLetter,
    MappingContext,
    MapResult,
    OutboundRequest,
    Outcome,
    OutcomeStatus,
    Rendered,
    TheatreInfo,
)
from adapters.mapping.transforms import REGISTRY as TRANSFORMS
from adapters.mapping.transport import CsvTransport, Paging, RestTransport, SoapTransport

__all__ = [
    "CAPABILITIES",
    "CURRENT_VERSION",
    "MIGRATIONS",
    "OPERATIONS",
    "TRANSFORMS",
    "CsvTransport",
    "DeadLetter",
    "FieldError",
    "MapResult",
    "Mapping",
    "MappingContext",
    "MappingError",
    "MappingIssue",
    "OutboundRequest",
    "Outcome",
    "OutcomeStatus",
    "Paging",
    "Rendered",
    "RestTransport",
    "SoapTransport",
    "TheatreInfo",
    "check_mapping",
    "check_mapping_text",
    "load_mapping",
    "load_mapping_text",
]
