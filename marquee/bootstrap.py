"""Composition root: builds the things the hub runs on from settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from marquee.settings import Settings, get_settings
from store.engine import make_engine


@dataclass
class Hub:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)


def build_hub(settings: Settings | None = None) -> Hub:
    return Hub(settings=settings or get_settings())
