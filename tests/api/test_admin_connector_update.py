"""Updating a connector: the merged definition is checked exactly as a new connector's is, a
refusal changes nothing, the change is audited, and the live connector is rebuilt from it. The
connector's import runs are listed newest first, and the newest one shows beside it."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.connector import get_connector

ADMIN = "admin@test.example"
CONNECTOR = {
    "id": "restline-update",
    "adapter": "rest",
    "mapping": "mappings/restline/mapping.yaml",
    "endpoint": {"base_url": "http://127.0.0.1:9"},
    "settings": {"read_timeout": 1, "connect_timeout": 1, "attempts": 1},
}
URL = "/v1/admin/connectors/restline-update"


@pytest.fixture
def admin(api):
    headers = api.auth(ADMIN)
    r = api.client.post("/v1/admin/connectors", headers=headers, json=CONNECTOR)
    assert r.status_code == 201, r.text
    return headers


def _audit(api, admin) -> list[dict]:
    items = api.client.get("/v1/admin/audit-log", headers=admin).json()["items"]
    return [e for e in items if e["target"] == CONNECTOR["id"]]


def test_an_update_changes_the_connector_is_audited_and_rebuilds_the_live_one(api, admin):
    c = api.client
    before = c.get(URL, headers=admin).json()
    live = get_connector(api.hub.engine, CONNECTOR["id"])
    assert live.config.endpoint == CONNECTOR["endpoint"]

    r = c.patch(
        URL,
        headers=admin,
        json={
            "name": "Restline, Chennai",
            "endpoint": {"base_url": "http://127.0.0.1:10"},
            "settings": {"read_timeout": 5},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Restline, Chennai" and body["settings"] == {"read_timeout": 5}
    assert body["endpoint"] == {"base_url": "http://127.0.0.1:10"}
    assert (body["id"], body["adapter"], body["mapping"]) == (
        CONNECTOR["id"],
        "rest",
        CONNECTOR["mapping"],
    )
    assert body["updated_at"] > before["updated_at"]
    assert c.get(URL, headers=admin).json()["name"] == "Restline, Chennai"

    rebuilt = get_connector(api.hub.engine, CONNECTOR["id"])
    assert rebuilt is not live
    assert rebuilt.config.endpoint == {"base_url": "http://127.0.0.1:10"}
    assert rebuilt.config.settings == {"read_timeout": 5}

    entry = _audit(api, admin)[0]
    assert entry["action"] == "connector.update"
    assert entry["detail"] == {"fields": ["endpoint", "name", "settings"]}


def test_selling_settings_the_pos_cannot_do_are_a_422_and_change_nothing(api, admin):
    c = api.client
    before = c.get(URL, headers=admin).json()
    r = c.patch(URL, headers=admin, json={"name": "x", "settings": {"online_sales": "allocation"}})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_selling_policy"
    assert "allocation" in r.json()["detail"]
    assert c.get(URL, headers=admin).json() == before
    assert [e["action"] for e in _audit(api, admin)] == ["connector.create"]
    # A full replacement is checked the same way.
    r = c.put(URL, headers=admin, json={**CONNECTOR, "settings": {"online_sales": "allocation"}})
    assert r.status_code == 422 and r.json()["code"] == "invalid_selling_policy"
    assert c.get(URL, headers=admin).json() == before


@pytest.mark.parametrize(
    "endpoint",
    [
        {"base_url": "http://169.254.169.254/latest"},  # the cloud metadata service
        {"base_url": "ftp://127.0.0.1/"},
        {"host": "10.1.2.3", "port": 22},
    ],
)
def test_an_endpoint_a_connector_may_not_call_is_a_422_and_changes_nothing(api, admin, endpoint):
    c = api.client
    before = c.get(URL, headers=admin).json()
    r = c.patch(URL, headers=admin, json={"endpoint": endpoint})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "connector_not_allowed"
    assert r.json()["errors"][0]["field"].startswith("body.endpoint")
    assert c.get(URL, headers=admin).json() == before


def test_other_refusals_change_nothing(api, admin):
    c = api.client
    before = c.get(URL, headers=admin).json()
    for body, code in [
        ({}, "nothing_to_change"),
        ({"name": None}, "null_field"),
        ({"adapter": "soap"}, "adapter_fixed"),
        ({"id": "other"}, "validation_failed"),
        ({"mapping": "../secrets.yaml"}, "connector_not_allowed"),
        ({"secret_refs": {"token": "env:PATH"}}, "connector_not_allowed"),
    ]:
        r = c.patch(URL, headers=admin, json=body)
        assert (r.status_code, r.json()["code"]) == (422, code), (body, r.text)
    assert c.get(URL, headers=admin).json() == before
    # The connector's own adapter may be sent along.
    r = c.patch(URL, headers=admin, json={"adapter": "rest", "name": "same adapter"})
    assert r.status_code == 200, r.text
    missing = c.patch("/v1/admin/connectors/no-such-connector", headers=admin, json={"name": "x"})
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_connector"


def test_runs_are_listed_newest_first_and_the_newest_shows_beside_the_connector(api, admin):
    c = api.client
    assert c.get(URL, headers=admin).json()["last_run"] is None
    assert c.get(f"{URL}/runs", headers=admin).json() == []
    url = api.hub.settings.database.url
    try:
        for _ in range(2):  # nothing listens on port 9: both runs fail
            with pytest.raises(Exception):  # noqa: B017 - the adapter's transport error
                jobs.sync_catalog(CONNECTOR["id"], url)
        with pytest.raises(Exception):  # noqa: B017
            jobs.sync_localization(CONNECTOR["id"], url)
    finally:
        jobs.engine_for(url).dispose()

    runs = c.get(f"{URL}/runs", headers=admin).json()
    assert [(r["kind"], r["status"]) for r in runs] == [
        ("localization", "failed"),
        ("catalog", "failed"),
        ("catalog", "failed"),
    ]
    assert all(r["mapping_system"] == "restline" and r["mapping_version"] == "2" for r in runs)
    assert runs[0]["started_at"] >= runs[1]["started_at"] >= runs[2]["started_at"]
    assert runs[0]["error"]
    assert len(c.get(f"{URL}/runs", headers=admin, params={"limit": 1}).json()) == 1

    last = c.get(URL, headers=admin).json()["last_run"]
    assert last["kind"] == "localization" and last["status"] == "failed"
    assert last["mapping_version"] == "2"
    listed = {i["id"]: i for i in c.get("/v1/admin/connectors", headers=admin).json()["items"]}
    assert listed[CONNECTOR["id"]]["last_run"]["kind"] == "localization"

    assert c.get("/v1/admin/connectors/nope/runs", headers=admin).status_code == 404
