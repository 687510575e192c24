"""Fixtures: a migrated database, simulators on loopback, registered connectors, a push server.

Connector settings in tests keep the breaker and retries quick (short reset, tiny backoff) so
fault tests take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from api.pushserver import PushServer
from connectors import connector as connector_mod
from connectors import simulated
from connectors.connector import Connector, get_connector, register
from connectors.resilience import reset_breakers
from store.engine import make_engine

FAST = {
    "attempts": 2,
    "backoff_min": 0.01,
    "backoff_max": 0.05,
    "fail_max": 3,
    "reset_seconds": 1.0,
    "read_timeout": 2.0,
    "connect_timeout": 1.0,
}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    connector_mod.forget(eng)
    reset_breakers()
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    yield eng
    connector_mod.forget(eng)
    reset_breakers()
    eng.dispose()


@pytest.fixture
def push_server(engine: Engine) -> Iterator[PushServer]:
    with PushServer(engine) as server:
        yield server


@pytest.fixture
def restline_sim() -> Iterator:
    from simulators.restline import RestlineSimulator

    with RestlineSimulator(seed=3, cinemas=2, screens=2, shows_per_day=2, days=2) as sim:
        yield sim


def connect_restline(engine: Engine, sim, **settings) -> Connector:
    register(engine, simulated.restline(sim, **{**FAST, **settings}))
    return get_connector(engine, "restline")


@pytest.fixture
def soapbox_sim() -> Iterator:
    from simulators.soapbox import SoapboxSimulator

    with SoapboxSimulator(seed=4, cinemas=2, screens=2, shows_per_day=2, days=2) as sim:
        yield sim


def connect_soapbox(engine: Engine, sim, **settings) -> Connector:
    register(engine, simulated.soapbox(sim, **{**FAST, **settings}))
    return get_connector(engine, "soapbox")


@pytest.fixture
def reelfeed_sim(tmp_path) -> Iterator:
    from simulators.reelfeed import ReelfeedSimulator

    with ReelfeedSimulator(
        seed=5,
        cinemas=2,
        screens=2,
        shows_per_day=2,
        days=2,
        root=tmp_path / "drop",
        snapshot_seconds=0.2,
    ) as sim:
        yield sim


def connect_reelfeed(engine: Engine, sim, **settings) -> Connector:
    register(engine, simulated.reelfeed(sim, **{**FAST, "read_timeout": 3.0, **settings}))
    return get_connector(engine, "reelfeed")
