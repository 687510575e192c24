"""The DAGs load without import errors and each runs (dag.test) against the simulators."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import connector as connector_mod
from connectors import simulated
from connectors.connector import register
from connectors.resilience import reset_breakers
from store.engine import make_engine
from tests.connectors.helpers import counts, free_seats, pick_show, pos, status

DAGS = Path(__file__).resolve().parents[2] / "dags"
pytestmark = pytest.mark.airflow


def _dagbag():
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # older layout
        from airflow.models.dagbag import DagBag
    return DagBag(dag_folder=str(DAGS))


def test_dagbag_has_no_import_errors(airflow_home):
    bag = _dagbag()
    assert bag.import_errors == {}
    assert {"catalog_import", "localization_import", "inventory_reconcile"} <= set(bag.dag_ids)
    assert {t.task_id for t in bag.get_dag("inventory_reconcile").tasks} == {
        "connectors",
        "reconcile",
    }


def test_each_dag_runs_against_the_simulators(airflow_home, sqlite_url, monkeypatch):
    from simulators.restline import RestlineSimulator
    from simulators.soapbox import SoapboxSimulator

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    engine = make_engine(sqlite_url)
    bag = _dagbag()
    try:
        with (
            RestlineSimulator(seed=7, cinemas=1, screens=1, shows_per_day=2, days=2) as rest,
            SoapboxSimulator(seed=8, cinemas=1, screens=1, shows_per_day=2, days=2) as soap,
        ):
            register(engine, simulated.restline(rest))
            register(engine, simulated.soapbox(soap))
            run = bag.get_dag("catalog_import").test()
            assert str(run.state) in ("success", "DagRunState.SUCCESS")
            assert counts(engine)["shows"] == 2 * 2 * 2
            run = bag.get_dag("localization_import").test()
            assert str(run.state) in ("success", "DagRunState.SUCCESS")
            show_id, cinema, session = pick_show(engine, "restline")
            seat = free_seats(engine, show_id, 1)[0]
            rest.box_office.sell(cinema, session, [pos(seat)])
            run = bag.get_dag("inventory_reconcile").test()
            assert str(run.state) in ("success", "DagRunState.SUCCESS")
            assert status(engine, show_id, seat) == "sold"
    finally:
        connector_mod.forget(engine)
        reset_breakers()
        engine.dispose()
