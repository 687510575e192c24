"""The connector test: call the theatre's system now and count what the mapping makes of the
answer, storing nothing (no record, no dead letter, no file moved).

A page or a file is not a record: TicketTorre's one `/cines` page lists two cinemas, a paged
list has several pages. The test maps every payload of the entity, as the import would
(the same call variables, records two pages both hold counted once), and reports the records
and the records the mapping rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.catalog import MERGED, call_vars
from connectors.connector import Connector

# What the test reads: the theatre list when the mapping has one, else the schedule.
ENTITIES = ("theatres", "theatre", "shows")


@dataclass
class EntityCount:
    payloads: int = 0
    records: int = 0
    dead_letters: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "payloads": self.payloads,
            "records": self.records,
            "dead_letters": self.dead_letters,
        }


def probe_entity(connector: Connector) -> str | None:
    return next((e for e in ENTITIES if connector.has(e)), None)


def count_records(connector: Connector, entity: str) -> EntityCount:
    """Fetch every payload of `entity` (one call per call variables the import would use) and
    map it; raises what the fetch raises (AdapterError, TemplateError...)."""
    count = EntityCount()
    seen: set[Any] = set()
    mapping = connector.mapping
    for vars in call_vars(connector, entity, 0):
        for payload in connector.fetch(entity, vars):
            count.payloads += 1
            ctx = connector.context({**vars, **payload.vars})
            result = mapping.read(entity, payload.read(), ctx, partial=True)
            count.dead_letters += len(result.dead_letters)
            for record in result.records:
                key = getattr(record, "id", None)
                if key is not None and entity not in MERGED:
                    if key in seen:
                        continue
                    seen.add(key)
                count.records += 1
    return count
