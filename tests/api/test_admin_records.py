"""Admins edit and delete connectors (versioned), find bookings, and page through every list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from canonical.time import utcnow
from store.tables import external_ids

CARD_OK = {"card_number": "4242424242424242"}
CONNECTOR = {
    "id": "restline-edit",
    "adapter": "rest",
    "mapping": "mappings/restline/mapping.yaml",
    "endpoint": {"base_url": "http://127.0.0.1:9"},
}


def _book(c, auth, seats):
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    shows = c.get("/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day})
    show = shows.json()["items"][0]
    hold = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "seat_ids": seats})
    assert hold.status_code == 201, hold.text
    paid = c.post(
        "/v1/checkout", headers=auth, json={"hold_id": hold.json()["id"], "payment": CARD_OK}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()["booking"]


def test_a_connector_is_replaced_patched_and_deleted_with_versions(api):
    c, admin = api.client, api.auth("admin@test.example")
    assert c.post("/v1/admin/connectors", headers=admin, json=CONNECTOR).status_code == 201
    paused = c.post("/v1/admin/connectors/restline-edit/pause", headers=admin).json()
    first = f'"{datetime.fromisoformat(paused["updated_at"]).isoformat()}"'

    patched = c.patch(
        "/v1/admin/connectors/restline-edit",
        headers={**admin, "If-Match": first},
        json={"name": "Restline, Chennai", "settings": {"read_timeout": 5}},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "Restline, Chennai" and body["settings"] == {"read_timeout": 5}
    assert body["status"] == "paused" and body["mapping"] == CONNECTOR["mapping"]
    second = patched.headers["ETag"]
    assert second != first

    # An edit made from the stale version loses: 412 with the current ETag.
    stale = c.put(
        "/v1/admin/connectors/restline-edit",
        headers={**admin, "If-Match": first},
        json={**CONNECTOR, "name": "stale"},
    )
    assert stale.status_code == 412 and stale.json()["code"] == "connector_changed"
    assert stale.headers["ETag"] == second

    replaced = c.put(
        "/v1/admin/connectors/restline-edit",
        headers={**admin, "If-Match": second},
        json={**CONNECTOR, "endpoint": {"base_url": "http://127.0.0.1:10"}},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["endpoint"] == {"base_url": "http://127.0.0.1:10"}
    assert replaced.json()["settings"] == {} and replaced.json()["status"] == "paused"

    mismatch = c.put(
        "/v1/admin/connectors/restline-edit", headers=admin, json={**CONNECTOR, "id": "x-y-z"}
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "id_mismatch"
    empty = c.patch("/v1/admin/connectors/restline-edit", headers=admin, json={})
    assert empty.status_code == 422
    unknown_field = c.patch("/v1/admin/connectors/restline-edit", headers=admin, json={"id": "x"})
    assert unknown_field.status_code == 422
    missing = c.patch("/v1/admin/connectors/nope", headers=admin, json={"name": "x"})
    assert missing.status_code == 404

    # Something imported through it: delete refuses and says to pause instead.
    with api.hub.engine.begin() as conn:
        conn.execute(
            insert(external_ids).values(
                connector_id="restline-edit",
                entity="movie",
                scope="",
                external_id="M1",
                canonical_id="mov_x",
                updated_at=utcnow(),
            )
        )
    in_use = c.delete("/v1/admin/connectors/restline-edit", headers=admin)
    assert in_use.status_code == 409 and in_use.json()["code"] == "connector_in_use"
    assert in_use.json()["usage"] == {"theatres": 0, "external_ids": 1}
    with api.hub.engine.begin() as conn:
        conn.execute(external_ids.delete().where(external_ids.c.connector_id == "restline-edit"))
    assert c.delete("/v1/admin/connectors/restline-edit", headers=admin).status_code == 204
    assert c.get("/v1/admin/connectors/restline-edit", headers=admin).status_code == 404
    actions = [e["action"] for e in c.get("/v1/admin/audit-log", headers=admin).json()["items"]]
    assert actions[:3] == ["connector.delete", "connector.replace", "connector.update"]


def test_admins_find_bookings_by_reference_email_or_phone(api):
    c, admin = api.client, api.auth("admin@test.example")
    a = _book(c, api.auth("cust-a@test.example"), ["F7"])
    b = _book(c, api.auth("cust-b@test.example"), ["F9"])

    by_ref = c.get("/v1/admin/bookings", headers=admin, params={"reference": a["code"].lower()})
    assert [x["id"] for x in by_ref.json()["items"]] == [a["id"]]
    assert by_ref.json()["items"][0]["customer_id"].startswith("usr_")

    by_email = c.get("/v1/admin/bookings", headers=admin, params={"email": "Cust-B@test.example"})
    assert [x["id"] for x in by_email.json()["items"]] == [b["id"]]

    # Both test customers share one phone number; spaces are forgiven; newest first, paged.
    page1 = c.get(
        "/v1/admin/bookings", headers=admin, params={"phone": "+91 98000 00001", "limit": 1}
    ).json()
    assert [x["id"] for x in page1["items"]] == [b["id"]] and page1["next_cursor"]
    page2 = c.get(
        "/v1/admin/bookings",
        headers=admin,
        params={"phone": "+919800000001", "limit": 1, "cursor": page1["next_cursor"]},
    ).json()
    assert [x["id"] for x in page2["items"]] == [a["id"]] and page2["next_cursor"] is None

    assert c.get("/v1/admin/bookings", headers=admin, params={"reference": "NOPE"}).json() == {
        "items": [],
        "next_cursor": None,
    }
    both = c.get("/v1/admin/bookings", headers=admin, params={"reference": "X", "email": "a@b.c"})
    assert both.status_code == 422 and both.json()["code"] == "one_search_key"
    customer = api.auth("cust-a@test.example")
    assert (
        c.get("/v1/admin/bookings", headers=customer, params={"reference": "X"}).status_code == 403
    )


def test_connectors_and_partners_are_paged_like_every_list(api):
    c, admin = api.client, api.auth("admin@test.example")
    for n in range(3):
        body = {**CONNECTOR, "id": f"restline-page-{n}"}
        assert c.post("/v1/admin/connectors", headers=admin, json=body).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = c.get("/v1/admin/connectors", headers=admin, params=params).json()
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [s for s in seen if s.startswith("restline-page-")] == [
        "restline-page-0",
        "restline-page-1",
        "restline-page-2",
    ]
    assert seen == sorted(seen)
    partners = c.get("/v1/admin/partners", headers=admin, params={"limit": 1}).json()
    assert len(partners["items"]) == 1 and partners["next_cursor"]
