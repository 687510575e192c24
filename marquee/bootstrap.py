"""Composition root: builds the things the hub runs on from settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from marquee.settings import Settings, get_settings
from store.engine import StaleReads, make_engine


@dataclass
class Hub:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database.url)

    @cached_property
    def stale_reads(self) -> StaleReads:
        """Catalog reads: the replica (REPLICA_DATABASE_URL) while it keeps up, else primary."""
        url = self.settings.database.replica_url
        replica = make_engine(url) if url else None
        return StaleReads(self.engine, replica, self.settings.database.replica_max_lag_seconds)


def build_hub(settings: Settings | None = None) -> Hub:
    return Hub(settings=settings or get_settings())
