"""The connector webhook never answers 500: a connector whose mapping file is missing or
invalid (or whose secret is unset) answers 503 `connector_misconfigured` with Retry-After, as
problem+json, and changes nothing; an unknown connector is a 404 problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import connector as connector_mod
from connectors.connector import ConnectorConfig, register

ROOT = Path(__file__).resolve().parents[2]


def _register(api, connector_id: str, mapping: str, **extra) -> None:
    register(
        api.hub.engine,
        ConnectorConfig(
            id=connector_id,
            adapter="rest",
            mapping=mapping,
            endpoint={"base_url": "http://127.0.0.1:9"},
            **extra,
        ),
    )


@pytest.mark.parametrize("case", ["missing", "invalid", "not_yaml", "secret_unset"])
def test_misconfigured_connector_answers_503_problem(api, tmp_path, case):
    mapping = str(ROOT / "mappings/restline/mapping.yaml")
    extra = {}
    if case == "missing":
        mapping = str(tmp_path / "gone.yaml")
    elif case == "invalid":
        broken = tmp_path / "broken.yaml"
        broken.write_text(
            (ROOT / "mappings/restline/mapping.yaml")
            .read_text()
            .replace("protocol: rest", "protocol: carrier-pigeon")
        )
        mapping = str(broken)
    elif case == "not_yaml":
        broken = tmp_path / "garbage.yaml"
        broken.write_text("entities: [unclosed\n  : : :")
        mapping = str(broken)
    else:
        extra = {"secret_refs": {"push_secret": "env:MARQUEE_TEST_UNSET_SECRET_XYZ"}}
    _register(api, f"bad-{case}", mapping, **extra)
    try:
        r = api.client.post(
            f"/webhooks/connectors/bad-{case}",
            content=b'{"Events": []}',
            headers={"Content-Type": "application/json"},
        )
    finally:
        connector_mod.forget(api.hub.engine)
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["Retry-After"] == "300"
    body = r.json()
    assert body["code"] == "connector_misconfigured" and body["status"] == 503
    # The caller is not authenticated yet: the answer names no file or secret.
    assert ".yaml" not in body["detail"] and "MARQUEE_TEST" not in body["detail"]


def test_unknown_connector_is_a_404_problem(api):
    r = api.client.post("/webhooks/connectors/nobody", content=b"{}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "not_found"
