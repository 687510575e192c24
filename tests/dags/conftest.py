"""Airflow for the DAG tests: a private AIRFLOW_HOME with a SQLite metadata DB, made once per
session with `airflow db migrate`, and no example DAGs.

Airflow reads its configuration when first imported, so the environment is set here, at
collection time, before anything imports it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="marquee-airflow-"))
_ENV = {
    "AIRFLOW_HOME": str(_HOME),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME / 'airflow.db'}",
    "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[2] / "dags"),
    "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
}
os.environ.update(_ENV)

pytest.importorskip("airflow", reason="Apache Airflow is not installed")


@pytest.fixture(scope="session")
def airflow_home() -> Iterator[Path]:
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run(
        [str(airflow), "db", "migrate"],
        check=True,
        capture_output=True,
        env={**os.environ, **_ENV},
        timeout=240,
    )
    yield _HOME
    shutil.rmtree(_HOME, ignore_errors=True)
