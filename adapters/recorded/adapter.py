"""Recorded payloads: what a connector fetched, saved to a folder, and an adapter that serves
them again, so a whole import can be re-run offline (`marquee mapping record` / `marquee
mapping import`) through the same pipeline as the live sync: record isolation, duplicates
across pages, dependency order, sweep scope and dead letters.

A recording is a folder with `manifest.jsonl` (one line per payload: entity, the call's
variables, the payload's own variables, its name and cursor, and the file holding its bytes)
and the payload files. Pages are served as they were recorded: the recording is taken through
the adapter's real paging, the offline run replays its result.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from adapters.base import AdapterSpec, Payload, RemoteError, Sent, TransientError
from adapters.mapping.body import InputError

MANIFEST = "manifest.jsonl"
# The call variables that select which call a payload answered; dates are the window's and
# may differ on the day a recording is replayed.
CALL_KEYS = ("cinema_id", "screen_number", "session_id")


def _key(vars: dict[str, Any] | None) -> dict[str, str]:
    return {k: str(v) for k, v in (vars or {}).items() if k in CALL_KEYS and v is not None}


class Recorder:
    """Saves every payload a connector fetches (reading each once more)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = sum(1 for _ in (self.folder / MANIFEST).open()) if self.manifest else 0

    @property
    def manifest(self) -> bool:
        return (self.folder / MANIFEST).exists()

    def save(self, entity: str, vars: dict[str, Any] | None, payloads: list[Payload]) -> None:
        with self._lock, (self.folder / MANIFEST).open("a", encoding="utf-8") as manifest:
            for payload in payloads:
                self._count += 1
                name = f"{self._count:06d}.bin"
                (self.folder / name).write_bytes(payload.read())
                line = {
                    "entity": entity,
                    "call": {k: str(v) for k, v in (vars or {}).items()},
                    "vars": {k: str(v) for k, v in payload.vars.items()},
                    "name": payload.name,
                    "cursor": payload.cursor,
                    "file": name,
                }
                manifest.write(json.dumps(line, ensure_ascii=False) + "\n")


class Untouched:
    """An adapter whose `acknowledge` does nothing: recording must leave the vendor's files
    where they are (no move, no delete)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def acknowledge(self, payload: Payload) -> None:
        return None


class RecordedAdapter:
    """Serves a recording: endpoint `{"folder": ...}`. Sends nothing."""

    name = "recorded"

    def __init__(self, spec: AdapterSpec) -> None:
        folder = spec.endpoint.get("folder")
        if not folder:
            raise ValueError("a recorded endpoint needs folder")
        self.folder = Path(str(folder))
        self.mapping = spec.mapping
        path = self.folder / MANIFEST
        if not path.exists():
            raise ValueError(f"{path} does not exist: record a run first")
        self.entries = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]

    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        want = _key(vars)
        for entry in self.entries:
            if entry["entity"] != entity or _key(entry["call"]) != want:
                continue
            body = (self.folder / entry["file"]).read_bytes()
            self._check_result(entity, entry["name"], body)
            yield Payload.of_bytes(
                entry["name"], body, vars=dict(entry["vars"]), cursor=entry.get("cursor")
            )

    def _check_result(self, entity: str, what: str, content: bytes) -> None:
        """The live adapter's check of errors inside a 200 (`transport.result`), so a recorded
        error page fails the replayed call as it fails the live one, never maps to nothing.
        Only REST adapters apply the check live; other protocols are replayed as they are."""
        if self.mapping is None or self.mapping.protocol != "rest":
            return
        from adapters.rest.adapter import check_result

        body = self.mapping.body_reader(entity)
        try:
            doc = body.parse(content)
        except InputError as exc:
            raise TransientError(f"{what}: the answer is not {body.format}: {exc}") from exc
        check_result(self.mapping.transport(entity), self.mapping.result_codes, body, doc, what)

    def send(self, operation: str, rendered: Any) -> Sent:
        raise RemoteError("a recorded connector replays imports; it sends nothing")

    def verify_push(self, entity: str, headers: dict[str, str], body: bytes) -> bool:
        return False

    def acknowledge(self, payload: Payload) -> None:
        return None

    def close(self) -> None:
        return None
