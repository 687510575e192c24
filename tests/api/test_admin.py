"""Admin API: users and roles, connectors, conflicts, dead letters, audit log."""

from __future__ import annotations

from store import sync


def test_users_roles_and_audit(api):
    c, admin = api.client, api.auth("admin@test.example")
    r = c.post(
        "/v1/admin/users",
        headers=admin,
        json={
            "email": "new-staff@test.example",
            "password": "long enough pw",
            "role": "partner",
            "partner_id": "prt_demo",
        },
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    bad = c.post(
        "/v1/admin/users",
        headers=admin,
        json={"email": "x@test.example", "password": "long enough pw", "role": "partner"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_partner"
    staff = c.post(
        "/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "new-staff@test.example",
            "password": "long enough pw",
        },
    ).json()
    assert staff["scope"] == "partner:read partner:write checkin profile"
    # Demoting revokes the refresh token, so the old role cannot be refreshed back.
    r = c.patch(f"/v1/admin/users/{user_id}", headers=admin, json={"role": "customer"})
    assert r.status_code == 200 and r.json()["partner_id"] is None
    assert (
        c.post("/v1/auth/refresh", json={"refresh_token": staff["refresh_token"]}).status_code
        == 400
    )
    customers = c.get(
        "/v1/admin/users", headers=admin, params={"role": "customer", "limit": 2}
    ).json()
    assert len(customers["items"]) == 2 and customers["next_cursor"]
    log = c.get("/v1/admin/audit-log", headers=admin).json()["items"]
    assert [e["action"] for e in log[:2]] == ["user.update", "user.create"]
    assert log[0]["target"] == user_id


def test_connectors_conflicts_dead_letters(api):
    c, admin = api.client, api.auth("admin@test.example")
    r = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "restline-test",
            "adapter": "rest",
            "mapping": "mappings/restline/mapping.yaml",
            "endpoint": {"base_url": "http://127.0.0.1:9"},
        },
    )
    assert r.status_code == 201, r.text
    assert (
        c.post("/v1/admin/connectors/restline-test/pause", headers=admin).json()["status"]
        == "paused"
    )
    assert (
        c.post("/v1/admin/connectors/restline-test/resume", headers=admin).json()["status"]
        == "active"
    )
    test = c.post("/v1/admin/connectors/restline-test/test", headers=admin)
    assert test.status_code == 200 and test.json()["ok"] is False  # nothing listens on :9
    health = c.get("/v1/admin/connectors/restline-test/health", headers=admin).json()
    assert health["ok"] is False and health["status"] == "active"

    with api.hub.engine.begin() as conn:
        conflict = sync.add_conflict(
            conn,
            connector_id="restline-test",
            show_id="shw_x",
            seat_id="A1",
            kind="double_sale",
            detail={"pos": "sold"},
            action="refunded",
        )
        dead = sync.add_dead_letter(
            conn,
            connector_id="restline-test",
            system="restline",
            mapping_version=1,
            entity="show",
            field="start",
            reason="bad date",
            payload='{"start": "31/02"}',
        )
    queue = c.get("/v1/admin/conflicts", headers=admin).json()["items"]
    assert [q["id"] for q in queue] == [conflict]
    r = c.post(
        f"/v1/admin/conflicts/{conflict}/resolve",
        headers=admin,
        json={"action": "accept_theatre", "note": "box office sold it first"},
    )
    assert r.json()["status"] == "resolved"
    again = c.post(
        f"/v1/admin/conflicts/{conflict}/resolve", headers=admin, json={"action": "dismiss"}
    )
    assert again.status_code == 409
    letter = c.get(f"/v1/admin/dead-letters/{dead}", headers=admin).json()
    assert letter["field"] == "start" and letter["payload"] == '{"start": "31/02"}'
    # The payload still does not map: the replay fails, the letter stays open with the reason.
    replay = c.post(f"/v1/admin/dead-letters/{dead}/replay", headers=admin)
    assert replay.status_code == 422 and replay.json()["code"] == "replay_failed"
    letter = c.get(f"/v1/admin/dead-letters/{dead}", headers=admin).json()
    assert letter["status"] == "open" and letter["reason"].startswith("replay failed")
    assert (
        c.post(f"/v1/admin/dead-letters/{dead}/discard", headers=admin).json()["status"]
        == "discarded"
    )
    assert c.post(f"/v1/admin/dead-letters/{dead}/replay", headers=admin).status_code == 409
    actions = [e["action"] for e in c.get("/v1/admin/audit-log", headers=admin).json()["items"]]
    assert "conflict.resolve" in actions and "connector.pause" in actions
