"""Property-based contract test: schemathesis generates requests from /openapi.json of the app
(in process, through ASGI) and checks that nothing answers 5xx and every response matches the
documented schema. Kept small (a few examples per operation) so it stays well under a minute.

It runs as a signed-in customer: anonymous calls would mostly stop at 401, and a customer
reaches deepest into the booking endpoints (partner and admin operations answer 403, which is
itself checked against the documented problem schema).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from api.ratelimit import RateLimits
from marquee.bootstrap import build_hub
from marquee.demo_data import load_demo
from marquee.settings import Settings
from tests.api.conftest import PASSWORD, seed_accounts

GENEROUS = RateLimits(
    login_per_ip="10000/minute",
    login_per_account="10000/minute",
    hold_per_user="10000/minute",
    hold_per_ip="10000/minute",
    checkout_per_user="10000/minute",
    checkout_per_ip="10000/minute",
)


@pytest.fixture(scope="module")
def fuzz_app(sqlite_template, tmp_path_factory) -> Iterator[tuple]:
    path = tmp_path_factory.mktemp("fuzz") / "marquee.db"
    shutil.copy(sqlite_template, path)
    hub = build_hub(Settings(database_url=f"sqlite:///{path}"))
    load_demo(hub.engine, days=1)
    seed_accounts(hub)
    app = create_app(hub, rate_limits=GENEROUS, run_worker=False)
    with TestClient(app) as client:
        token = client.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "cust-a@test.example",
                "password": PASSWORD,
            },
        ).json()["access_token"]
    yield app, token
    hub.engine.dispose()


def test_api_conforms_to_its_openapi(fuzz_app):
    app, token = fuzz_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )
            statuses.append(response.status_code)

        try:
            check()
        except Exception as failure:  # collect every operation's failure, then report all
            failures.append(f"{operation.label}: {str(failure)[:600]}")
    assert failures == [], "\n\n".join(failures)
    # It really exercised the API: many calls, and some got past validation and auth.
    assert len(statuses) > 150 and sum(200 <= s < 300 for s in statuses) > 20, statuses
