"""Versioned JSON Schemas for every canonical object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from canonical.catalog import Movie, Screen, SeatLayout, Show, Theatre, TicketType, Translation
from canonical.inventory import InventoryDelta, SeatState
from canonical.money import Money
from canonical.orders import Booking, Customer, Hold, Payment
from canonical.text import LocalizedText

# Bump on any change that an older consumer would misread; additive optional fields are minor.
SCHEMA_VERSION = "1.2.0"  # 1.1: movie imdb_id, eidr_id, tmdb_id; 1.2: show sales window, subtitles,
# experiences, status, booking fee; screen licensed capacity

CANONICAL_MODELS: dict[str, type[BaseModel]] = {
    "money": Money,
    "localized_text": LocalizedText,
    "movie": Movie,
    "translation": Translation,
    "theatre": Theatre,
    "screen": Screen,
    "seat_layout": SeatLayout,
    "show": Show,
    "ticket_type": TicketType,
    "seat_state": SeatState,
    "inventory_delta": InventoryDelta,
    "hold": Hold,
    "booking": Booking,
    "payment": Payment,
    "customer": Customer,
}


def json_schema(name: str) -> dict[str, Any]:
    model = CANONICAL_MODELS[name]
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://marquee.dev/schemas/canonical/{SCHEMA_VERSION}/{name}.json"
    schema["x-marquee-version"] = SCHEMA_VERSION
    return schema


def export(directory: Path) -> list[Path]:
    """Write one schema per canonical object into DIR/<version>/<name>.json."""
    target = directory / SCHEMA_VERSION
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CANONICAL_MODELS:
        path = target / f"{name}.json"
        path.write_text(json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
