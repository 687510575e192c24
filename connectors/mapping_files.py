"""Mapping files saved from the admin panel's editor.

A save never rewrites a file: it writes the text as a new file next to the one the connector
used (`mapping.yaml` -> `mapping.<connector>.v1.yaml`, then `.v2`...) and the caller points the
connector at it. Why not in place:
- a shipped mapping (`mappings/restline/mapping.yaml`) may serve several connectors, and is the
  package's own file; an edit for one connector must not change the others;
- a live connector compiles its mapping once; imports and replays rebuild it when the
  connector's definition changes (`current_connector`, `replay`), never when a file changes
  under the same name;
- runs and dead letters name the file and its fingerprint, so the revision an import used stays
  readable, and going back is pointing the connector at the previous file;
- nothing ever reads a half-written file: the connector names the file only once it is complete.
Next to the old file, because a mapping names its lookup tables relative to its own folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Engine

from adapters.mapping import MappingContext
from connectors.connector import mapping_path, stored_theatres

MAX_ATTEMPTS = 50


def file_tag(connector_id: str) -> str:
    """The connector's part of a versioned file name: its id, with what a path may not hold
    (`:` is refused in mapping paths) as `_`."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", connector_id)


def next_version(current: str, connector_id: str) -> str:
    """The path of the connector's next mapping version, beside `current` (a relative path)."""
    path = PurePosixPath(current.replace("\\", "/"))
    tag = f".{file_tag(connector_id)}.v"
    suffix = path.suffix or ".yaml"
    own = re.fullmatch(rf"(.+){re.escape(tag)}\d+", path.stem)
    base = own.group(1) if own else path.stem
    pattern = re.compile(rf"{re.escape(base)}{re.escape(tag)}(\d+){re.escape(suffix)}")
    folder = mapping_path(str(path.parent))
    taken = [
        int(found.group(1))
        for name in (os.listdir(folder) if folder.is_dir() else [])
        if (found := pattern.fullmatch(name))
    ]
    return str(path.parent / f"{base}{tag}{max(taken, default=0) + 1}{suffix}")


def write_version(
    current: str, connector_id: str, data: bytes, allowed: Callable[[str], None] | None = None
) -> str:
    """Write `data` as the connector's next mapping version and return its relative path.
    `allowed` vets the path first (raises to refuse). The file is created exclusively: two
    saves at once get two files, never one overwritten; a failed write leaves no file."""
    for _ in range(MAX_ATTEMPTS):
        relative = next_version(current, connector_id)
        if allowed is not None:
            allowed(relative)
        target = mapping_path(relative)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue  # another save took this number a moment ago
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return relative
    raise FileExistsError(f"no free version number for {current} after {MAX_ATTEMPTS} tries")


def remove_version(relative: str) -> None:
    """Undo `write_version` when the connector could not be pointed at the new file."""
    mapping_path(relative).unlink(missing_ok=True)


def dry_run_context(
    engine: Engine, connector_id: str, settings: dict[str, Any], vars: dict[str, Any]
) -> MappingContext:
    """The context an import of this connector maps with (its theatres' zones and currencies,
    its default theatre), without joins to imported records: a dry run reads no other rows."""
    default = settings.get("default_theatre") or {}
    return MappingContext(
        connector_id=connector_id,
        theatres=stored_theatres(engine, connector_id),
        vars=dict(vars),
        timezone=default.get("timezone"),
        currency=default.get("currency"),
    )
