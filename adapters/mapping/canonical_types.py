"""The canonical entities a mapping can produce, and what the engine derives by itself."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from canonical.catalog import (
    GridPosition,
    Movie,
    Screen,
    SeatArea,
    SeatLayout,
    SeatRow,
    Show,
    Theatre,
    TicketType,
    Translation,
)
from canonical.inventory import InventoryDelta, SeatChange

CANONICAL: dict[str, type[BaseModel]] = {
    "movie": Movie,
    "translation": Translation,
    "theatre": Theatre,
    "screen": Screen,
    "seat_layout": SeatLayout,
    "show": Show,
    "ticket_type": TicketType,
    "inventory_delta": InventoryDelta,
}

# Fields the engine fills when a mapping leaves them out (so they are not "missing").
DERIVED: dict[type[BaseModel], set[str]] = {
    Show: {"business_date"},  # from start, in the record's theatre zone and cut-over
    InventoryDelta: {"observed_at", "connector_id"},  # context.now / the clock; connector
    Theatre: {"connector_id"},
}

# Small value objects that repeat across records: built once per distinct value and reused.
VALUE_MODELS: tuple[type[BaseModel], ...] = (TicketType, GridPosition)

# Non-model special fields (LocalizedText is built by the `localized` source).
_ = (SeatArea, SeatRow, SeatChange)


def nested_model(model: type[BaseModel], field_name: str) -> type[BaseModel] | None:
    """The model a field holds (directly, in a tuple/list, or optional), if any."""
    info = model.model_fields.get(field_name)
    if info is None:
        return None
    return _model_in(info.annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list, frozenset, set):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    return None


def required_fields(model: type[BaseModel]) -> list[str]:
    derived = DERIVED.get(model, set())
    return [
        name
        for name, info in model.model_fields.items()
        if info.is_required() and name not in derived
    ]
