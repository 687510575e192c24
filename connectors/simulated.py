"""Connector definitions for the shipped simulators (demo, tests, benchmark).

Secrets are put in the process environment under names derived from the connector id, and the
stored connector names only those variables, as a real deployment would.
"""

from __future__ import annotations

import os
import re
from typing import Any

from connectors.connector import ConnectorConfig


def _env_name(connector_id: str, role: str) -> str:
    return "MARQUEE_SECRET_" + re.sub(r"[^A-Z0-9]", "_", f"{connector_id}_{role}".upper())


def _secrets(connector_id: str, values: dict[str, str]) -> dict[str, str]:
    refs = {}
    for role, value in values.items():
        name = _env_name(connector_id, role)
        os.environ[name] = value
        refs[role] = f"env:{name}"
    return refs


def restline(
    sim: Any, connector_id: str = "restline", push_secret: str = "restline-hook", **settings: Any
) -> ConnectorConfig:
    return ConnectorConfig(
        id=connector_id,
        name="Restline (simulated)",
        adapter="rest",
        mapping="mappings/restline/mapping.yaml",
        endpoint={"base_url": sim.http.base},
        secret_refs=_secrets(connector_id, {"token": sim.token, "push_secret": push_secret}),
        settings=settings,
    )


def soapbox(sim: Any, connector_id: str = "soapbox", **settings: Any) -> ConnectorConfig:
    return ConnectorConfig(
        id=connector_id,
        name="Soapbox (simulated)",
        adapter="soap",
        mapping="mappings/soapbox/mapping.yaml",
        endpoint={"base_url": sim.http.base, "wsdl_url": sim.wsdl_url},
        secret_refs=_secrets(connector_id, {"push_secret": sim.push_secret}),
        settings=settings,
    )


def reelfeed(sim: Any, connector_id: str = "reelfeed", **settings: Any) -> ConnectorConfig:
    return _sftp(sim, connector_id, "Reelfeed", "reelfeed", settings)


def filmdrop(sim: Any, connector_id: str = "filmdrop", **settings: Any) -> ConnectorConfig:
    return _sftp(sim, connector_id, "FilmDrop", "filmdrop", settings)


def _sftp(
    sim: Any, connector_id: str, name: str, system: str, settings: dict[str, Any]
) -> ConnectorConfig:
    """A CSV-over-SFTP simulator's connector: its server, host key and password."""
    return ConnectorConfig(
        id=connector_id,
        name=f"{name} (simulated)",
        adapter="csv_sftp",
        mapping=f"mappings/{system}/mapping.yaml",
        endpoint={
            "host": sim.host,
            "port": sim.port,
            "username": sim.username,
            "known_hosts_line": sim.known_hosts_line,
        },
        secret_refs=_secrets(connector_id, {"password": sim.password}),
        settings=settings,
    )
