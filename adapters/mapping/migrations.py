"""Mapping-language versions and the migrations between them.

Each migration takes the document of version N (a ruamel round-trip map, so line numbers are
kept) and returns version N+1. `load_mapping` applies them in order, then validates against the
current schema, so an old mapping keeps working and its errors still point at its own lines.

History:
- v1 -> v2: an entity's record location moved from `records:` into `source: {records: ...}`
  (next to the format options), and a field's `steps:` list was renamed `transforms:`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CURRENT_VERSION = 2

Migration = Callable[[Any], Any]
MIGRATIONS: dict[int, Migration] = {}


def migration(from_version: int):
    def register(fn: Migration) -> Migration:
        MIGRATIONS[from_version] = fn
        return fn

    return register


def _rename(node: Any, old: str, new: str) -> None:
    """Rename a key in place, keeping its position and line/column information."""
    keys = list(node.keys())
    index = keys.index(old)
    value = node.pop(old)
    lc = getattr(node, "lc", None)
    if hasattr(node, "insert"):
        node.insert(index, new, value)
    else:
        node[new] = value
    if lc is not None and old in getattr(lc, "data", {}):
        lc.data[new] = lc.data.pop(old)


def _walk_fields(spec: Any, fn: Callable[[Any], None]) -> None:
    if isinstance(spec, dict):
        fn(spec)
        for value in list(spec.values()):
            _walk_fields(value, fn)
    elif isinstance(spec, list):
        for value in spec:
            _walk_fields(value, fn)


@migration(1)
def v1_to_v2(doc: Any) -> Any:
    for entity in (doc.get("entities") or {}).values():
        if not isinstance(entity, dict):
            continue
        if "records" in entity:
            records = entity["records"]
            source = entity.get("source")
            if source is None:
                _rename(entity, "records", "source")
                from ruamel.yaml.comments import CommentedMap

                fresh = CommentedMap()
                fresh["records"] = records
                entity["source"] = fresh
            else:
                source["records"] = entity.pop("records")

        def rename_steps(node: Any) -> None:
            if "steps" in node and "transforms" not in node:
                _rename(node, "steps", "transforms")

        _walk_fields(entity.get("fields"), rename_steps)
    for op in (doc.get("operations") or {}).values():
        if isinstance(op, dict):
            _walk_fields(
                op,
                lambda n: (
                    _rename(n, "steps", "transforms")
                    if "steps" in n and "transforms" not in n
                    else None
                ),
            )
    doc["version"] = 2
    return doc


def migrate(doc: Any) -> tuple[Any, list[int]]:
    """Bring a document to CURRENT_VERSION; returns it and the versions it went through."""
    version = int(doc.get("version", CURRENT_VERSION))
    path = []
    while version < CURRENT_VERSION:
        if version not in MIGRATIONS:
            raise ValueError(f"no migration from mapping version {version}")
        doc = MIGRATIONS[version](doc)
        path.append(version)
        version += 1
    return doc, path
