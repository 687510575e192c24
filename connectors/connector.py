"""A connector: one theatre system's live link (adapter + mapping + endpoint + secrets +
resilience), built from its row in the `connectors` table.

Connectors are cached per process and database, so every call to one system shares one HTTP
session / SFTP client, one compiled mapping and one circuit breaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from adapters import registry
from adapters.base import Adapter, AdapterSpec, Payload, Sent
from adapters.mapping import Mapping, MappingContext, MappingError, TheatreInfo, load_mapping
from connectors import secrets as secret_store
from connectors.resilience import Policy, guarded
from store import sync as sql

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ConnectorConfig:
    """The stored definition of a connector. `secret_refs` holds names, never values."""

    id: str
    adapter: str
    mapping: str
    endpoint: dict[str, Any]
    name: str = ""
    secret_refs: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    status: str = "active"

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name or self.id,
            "adapter": self.adapter,
            "mapping": self.mapping,
            "endpoint": self.endpoint,
            "secret_refs": self.secret_refs,
            "settings": self.settings,
            "status": self.status,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ConnectorConfig:
        return cls(
            id=row["id"],
            name=row["name"],
            adapter=row["adapter"],
            mapping=row["mapping"],
            endpoint=dict(row["endpoint"] or {}),
            secret_refs=dict(row["secret_refs"] or {}),
            settings=dict(row["settings"] or {}),
            status=row["status"],
        )


class UnknownConnector(LookupError):
    pass


def check_selling(config: ConnectorConfig) -> None:
    """The connector's selling settings must fit what its mapping's POS can do
    (connectors.selling; raises InvalidSellingPolicy)."""
    from connectors import selling

    try:
        capabilities = load_mapping(str(mapping_path(config.mapping))).capabilities
    except (MappingError, OSError):
        # A mapping that does not load fails the connector when it runs, with its own
        # messages; here it can do nothing, so only settings that need no POS pass.
        capabilities = frozenset()
    selling.check(config.settings, capabilities, config.adapter)


def register(engine: Engine, config: ConnectorConfig) -> None:
    """Create or update a connector (its secrets must already be resolvable). Its selling
    settings must fit what its POS can do (`check_selling`)."""
    check_selling(config)
    with engine.begin() as conn:
        sql.save_connector(conn, config.row())
    _cache.pop((str(engine.url), config.id), None)


def mapping_path(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else ROOT / candidate


def stored_theatres(engine: Engine, connector_id: str) -> dict[str, TheatreInfo]:
    """Zone, currency and cut-over of each of the connector's theatres, by external id."""
    with engine.connect() as conn:
        return {
            row["external_id"]: TheatreInfo(
                row["timezone"], row["currency"], row["business_day_cutover_hour"]
            )
            for row in sql.theatre_refs(conn, connector_id)
        }


# A theatre's zone or currency rarely changes; a minute of staleness is harmless.
THEATRE_CACHE_SECONDS = 60.0


class Connector:
    def __init__(
        self, engine: Engine, config: ConnectorConfig, secrets_file: Path | None = None
    ) -> None:
        self.engine = engine
        self.config = config
        self.id = config.id
        self.mapping: Mapping = load_mapping(str(mapping_path(config.mapping)))
        self.policy = Policy.from_settings(config.settings)
        self.secrets = secret_store.resolve(config.secret_refs, secrets_file)
        timeouts = config.settings
        self.spec = AdapterSpec(
            mapping=self.mapping,
            endpoint=config.endpoint,
            secrets=self.secrets,
            connect_timeout=float(timeouts.get("connect_timeout", 3.0)),
            read_timeout=float(timeouts.get("read_timeout", 10.0)),
            max_response_bytes=int(timeouts.get("max_response_bytes", 50_000_000)),
        )
        self.adapter: Adapter = registry.create(config.adapter, self.spec)
        self.lock = threading.Lock()
        # Set by `marquee mapping record`: every fetched payload is saved for offline runs.
        self.recorder: Any = None
        self._imported: dict[tuple[str, str, str, str], Any] = {}
        self._theatre_cache: tuple[float, dict[str, TheatreInfo]] | None = None

    # ------------------------------------------------------------------------------ calls
    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> list[Payload]:
        """All payloads of an entity, through the breaker, retried (reads are safe)."""
        payloads = guarded(
            self.id, self.policy, lambda: list(self.adapter.fetch(entity, vars, cursor)), retry=True
        )
        if self.recorder is not None:
            self.recorder.save(entity, vars, payloads)
        return payloads

    def send(self, operation: str, rendered: Any, *, retry: bool = True) -> Sent:
        return guarded(
            self.id, self.policy, lambda: self.adapter.send(operation, rendered), retry=retry
        )

    def has(self, entity: str) -> bool:
        return entity in self.mapping.entities

    def transport_vars(self, entity: str) -> set[str]:
        """Call variables an entity's transport needs ($cinema_id, $screen_number, ...)."""
        import re

        text = self.mapping.transport(entity).model_dump_json()
        return set(re.findall(r"\{\$([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}", text))

    # ------------------------------------------------------------------------------ context
    def context(self, vars: dict[str, Any] | None = None) -> MappingContext:
        """Mapping context: the zone and currency of each of this connector's theatres, by
        the theatre's external id."""
        theatres = self.theatre_infos()
        default = self.config.settings.get("default_theatre") or {}
        return MappingContext(
            connector_id=self.id,
            theatres=theatres,
            vars=dict(vars or {}),
            timezone=default.get("timezone"),
            currency=default.get("currency"),
            resolver=self.imported_value,
        )

    def imported_value(self, entity: str, scope: str, external_id: str, name: str) -> Any:
        """A field of a record this connector imported, by its external id (the mapping's
        `imported` transform). Cached per import: `forget_imported` starts a new one."""
        key = (entity, scope, external_id, name)
        cache = self._imported
        if key in cache:
            return cache[key]
        from sqlalchemy import select

        from store import tables

        table = {
            "theatre": tables.theatres,
            "movie": tables.movies,
            "screen": tables.screens,
            "show": tables.shows,
        }[entity]
        ext = tables.external_ids
        column = table.c[name]
        with self.engine.connect() as conn:
            value = conn.execute(
                select(column)
                .join(ext, ext.c.canonical_id == table.c.id)
                .where(
                    ext.c.connector_id == self.id,
                    ext.c.entity == entity,
                    ext.c.scope == scope,
                    ext.c.external_id == external_id,
                )
                .limit(1)
            ).scalar()
        if value is not None:  # a record not imported yet may arrive later in the import
            if len(cache) >= 100_000:
                cache.clear()
            cache[key] = value
        return value

    def forget_imported(self) -> None:
        self._imported = {}

    def theatre_infos(self) -> dict[str, TheatreInfo]:
        """Zone, currency and cut-over of each theatre by external id, cached briefly: an
        import maps thousands of payloads, each needing the same table. `forget_theatres`
        drops the cache after this process imports theatres."""
        cached = self._theatre_cache
        if cached is not None and time.monotonic() - cached[0] < THEATRE_CACHE_SECONDS:
            return cached[1]
        infos = stored_theatres(self.engine, self.id)
        self._theatre_cache = (time.monotonic(), infos)
        return infos

    def forget_theatres(self) -> None:
        self._theatre_cache = None

    def close(self) -> None:
        self.adapter.close()


_cache: dict[tuple[str, str], Connector] = {}
_cache_lock = threading.Lock()


def get_connector(engine: Engine, connector_id: str, secrets_file: Path | None = None) -> Connector:
    key = (str(engine.url), connector_id)
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    with engine.connect() as conn:
        row = sql.get_connector(conn, connector_id)
    if row is None:
        raise UnknownConnector(f"no connector {connector_id!r}")
    connector = Connector(engine, ConnectorConfig.from_row(row), secrets_file)
    with _cache_lock:
        _cache.setdefault(key, connector)
        return _cache[key]


def current_connector(
    engine: Engine, connector_id: str, secrets_file: Path | None = None
) -> Connector:
    """Like `get_connector`, but first compares the cached connector's definition with its
    row, so a connector changed by another process (the admin API) is rebuilt here. One read
    per call: for sync runs, not for every request."""
    with engine.connect() as conn:
        row = sql.get_connector(conn, connector_id)
    if row is None:
        forget_one(engine, connector_id)
        raise UnknownConnector(f"no connector {connector_id!r}")
    with _cache_lock:
        found = _cache.get((str(engine.url), connector_id))
    if found is not None and found.config != ConnectorConfig.from_row(row):
        forget_one(engine, connector_id)
    return get_connector(engine, connector_id, secrets_file)


def forget_one(engine: Engine, connector_id: str) -> None:
    """Close and drop one cached connector: the next use reads its definition again."""
    with _cache_lock:
        found = _cache.pop((str(engine.url), connector_id), None)
    if found is not None:
        found.close()


def forget(engine: Engine | None = None) -> None:
    """Close cached connectors (tests, and after a connector's definition changed)."""
    with _cache_lock:
        keys = [k for k in _cache if engine is None or k[0] == str(engine.url)]
        for key in keys:
            _cache.pop(key).close()


def iter_connector_ids(engine: Engine) -> Iterator[str]:
    with engine.connect() as conn:
        yield from (row["id"] for row in sql.list_connectors(conn))
