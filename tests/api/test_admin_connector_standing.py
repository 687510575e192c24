"""The admin connector list says, per connector, what an admin acts on: the last sync, the
last test's failure in words, open dead letters (with the newest one's entity and field) and
open conflicts."""

from __future__ import annotations

from store import sync

ADMIN = "admin@test.example"


def _create(c, admin, connector_id: str) -> None:
    r = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": connector_id,
            "adapter": "rest",
            "mapping": "mappings/restline/mapping.yaml",
            "endpoint": {"base_url": "http://127.0.0.1:9"},
        },
    )
    assert r.status_code == 201, r.text


def test_a_new_connector_has_nothing_to_act_on(api):
    c, admin = api.client, api.auth(ADMIN)
    _create(c, admin, "quiet-test")
    row = c.get("/v1/admin/connectors/quiet-test", headers=admin).json()
    assert (row["last_sync_at"], row["last_error"]) == (None, None)
    assert (row["open_dead_letters"], row["open_conflicts"], row["last_dead_letter"]) == (
        0,
        0,
        None,
    )


def test_the_list_counts_open_dead_letters_and_conflicts_and_names_the_last_failure(api):
    c, admin = api.client, api.auth(ADMIN)
    _create(c, admin, "busy-test")
    _create(c, admin, "other-test")
    assert c.post("/v1/admin/connectors/busy-test/test", headers=admin).json()["ok"] is False
    with api.hub.engine.begin() as conn:
        sync.set_cursor(conn, "busy-test", "shows", "page-2")
        for field in ("start", "screen"):
            sync.add_dead_letter(
                conn,
                connector_id="busy-test",
                system="restline",
                mapping_version=1,
                entity="show",
                field=field,
                reason="bad value",
                payload="{}",
            )
        sync.add_dead_letter(
            conn,
            connector_id="other-test",
            system="restline",
            mapping_version=1,
            entity="movie",
            field=None,
            reason="bad value",
            payload="{}",
        )
        resolved = sync.add_conflict(
            conn,
            connector_id="busy-test",
            show_id="shw_x",
            seat_id="A1",
            kind="double_sale",
            detail={},
            action="refunded",
        )
        sync.add_conflict(
            conn,
            connector_id="busy-test",
            show_id="shw_x",
            seat_id="A2",
            kind="double_sale",
            detail={},
            action="refunded",
        )
    r = c.post(f"/v1/admin/conflicts/{resolved}/resolve", headers=admin, json={"action": "dismiss"})
    assert r.status_code == 200, r.text

    items = {i["id"]: i for i in c.get("/v1/admin/connectors", headers=admin).json()["items"]}
    busy, other = items["busy-test"], items["other-test"]
    assert (busy["open_dead_letters"], busy["open_conflicts"]) == (2, 1)
    assert busy["last_dead_letter"] in ("show start", "show screen")
    assert busy["last_error"] == busy["health"]["detail"] and busy["last_error"]
    assert (other["open_dead_letters"], other["open_conflicts"]) == (1, 0)
    assert other["last_dead_letter"] == "movie" and other["last_error"] is None
    assert busy["last_sync_at"] is not None and other["last_sync_at"] is None


def test_selling_settings_the_pos_cannot_do_are_a_422_and_save_nothing(api):
    c, admin = api.client, api.auth(ADMIN)
    r = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "greedy-test",
            "adapter": "rest",
            "mapping": "mappings/restline/mapping.yaml",
            "endpoint": {"base_url": "http://127.0.0.1:9"},
            "settings": {"online_sales": "allocation"},
        },
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "invalid_selling_policy"
    assert "allocation" in problem["detail"]
    assert c.get("/v1/admin/connectors/greedy-test", headers=admin).status_code == 404
