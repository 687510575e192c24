"""Every catalog, localization and inventory run of `marquee sync` and the Airflow DAGs is
recorded: the mapping system and version it ran with, how it ended, what it counted. A failed
run is recorded and still raises; a connector changed by another process runs with its new
definition from its next run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from adapters.mapping import load_mapping
from connectors import jobs
from connectors.connector import ConnectorConfig, UnknownConnector, register
from connectors.secrets import MissingSecret
from marquee.settings import ROOT
from store import import_runs
from store import sync as sql
from tests.connectors.conftest import FAST, connect_restline

RESTLINE = ROOT / "mappings/restline/mapping.yaml"


@pytest.fixture
def url(engine: Engine, db_url: str) -> Iterator[str]:
    yield db_url
    jobs.engine_for(db_url).dispose()


def _runs(engine: Engine, connector_id: str) -> list[dict]:
    with engine.connect() as conn:
        return import_runs.list_runs(conn, connector_id)


def test_a_catalog_run_through_the_simulator_is_recorded_with_its_mapping(
    engine, url, restline_sim
):
    connect_restline(engine, restline_sim)
    report = jobs.sync_catalog("restline", url)
    jobs.sync_inventory("restline", url, full=False)

    inventory, catalog = _runs(engine, "restline")
    assert (catalog["kind"], catalog["status"], catalog["error"]) == ("catalog", "ok", None)
    assert (catalog["mapping_system"], catalog["mapping_version"]) == ("restline", "2")
    # The file and the revision of it the run used (what the admin panel's editor shows).
    assert catalog["mapping_path"] == "mappings/restline/mapping.yaml"
    assert catalog["mapping_fingerprint"] == load_mapping(RESTLINE).fingerprint
    assert catalog["counts"]["counts"]["theatre"]["created"] == 2
    assert catalog["counts"]["counts"]["show"]["created"] == 2 * 2 * 2 * 2
    assert catalog["counts"]["counts"] == report["counts"]
    assert catalog["counts"]["dead_letters"] == 0
    assert catalog["started_at"] <= catalog["finished_at"]
    assert (inventory["kind"], inventory["status"]) == ("inventory", "ok")
    assert "poll" in inventory["counts"] and "reconcile" not in inventory["counts"]


def test_a_run_against_an_unreachable_endpoint_is_recorded_failed_and_still_raises(engine, url):
    register(
        engine,
        ConnectorConfig(
            id="restline-down",
            adapter="rest",
            mapping="mappings/restline/mapping.yaml",
            endpoint={"base_url": "http://127.0.0.1:9"},  # nothing listens there
            settings=dict(FAST),
        ),
    )
    with pytest.raises(Exception) as raised:  # noqa: B017 - whatever the transport raises
        jobs.sync_catalog("restline-down", url)

    (run,) = _runs(engine, "restline-down")
    assert (run["kind"], run["status"], run["counts"]) == ("catalog", "failed", {})
    assert (run["mapping_system"], run["mapping_version"]) == ("restline", "2")
    assert run["error"].startswith(f"{type(raised.value).__name__}: ")
    assert len(run["error"]) <= import_runs.ERROR_MAX


def test_a_connector_that_cannot_be_built_records_its_failed_run_with_its_mapping(engine, url):
    register(
        engine,
        ConnectorConfig(
            id="restline-nosecret",
            adapter="rest",
            mapping="mappings/restline/mapping.yaml",
            endpoint={"base_url": "http://127.0.0.1:9"},
            secret_refs={"token": "env:MARQUEE_SECRET_NEVER_SET_FOR_RUNS"},
            settings=dict(FAST),
        ),
    )
    with pytest.raises(MissingSecret):
        jobs.sync_localization("restline-nosecret", url)
    (run,) = _runs(engine, "restline-nosecret")
    assert (run["kind"], run["status"]) == ("localization", "failed")
    assert (run["mapping_system"], run["mapping_version"]) == ("restline", "2")
    assert run["error"].startswith("MissingSecret: ")


def test_an_unknown_connector_raises_and_records_nothing(engine, url):
    with pytest.raises(UnknownConnector):
        jobs.sync_catalog("no-such-connector", url)
    assert _runs(engine, "no-such-connector") == []


def test_a_connector_changed_elsewhere_runs_with_its_new_definition(engine, url, restline_sim):
    connect_restline(engine, restline_sim)
    jobs.sync_catalog("restline", url)  # the connector is now cached in this process
    with engine.begin() as conn:  # what the admin API of another process writes
        row = sql.get_connector(conn, "restline")
        assert row is not None
        sql.save_connector(conn, {**row, "endpoint": {"base_url": "http://127.0.0.1:9"}})
    with pytest.raises(Exception):  # noqa: B017
        jobs.sync_catalog("restline", url)
    assert [r["status"] for r in _runs(engine, "restline")] == ["failed", "ok"]
