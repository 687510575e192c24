"""Feature flags per city or country: staff set them (audited), a place reads what applies."""

from __future__ import annotations


def test_city_beats_country_beats_global_and_changes_are_audited(api):
    c = api.client
    staff = api.auth("admin@test.example")
    url = "/v1/admin/flags/seat_map_3d"
    assert c.put(url, headers=staff, json={"enabled": False}).status_code == 200
    assert (
        c.put(url, headers=staff, json={"scope": "country", "value": "in", "enabled": True})
    ).status_code == 200
    rows = c.put(url, headers=staff, json={"scope": "city", "value": "Chennai", "enabled": False})
    assert [(r["scope"], r["scope_value"], r["enabled"]) for r in rows.json()] == [
        ("city", "Chennai", False),
        ("country", "IN", True),
        ("global", "", False),
    ]
    assert c.get("/v1/flags", params={"city": "Chennai", "country": "IN"}).json() == {
        "seat_map_3d": False
    }
    assert c.get("/v1/flags", params={"city": "Pune", "country": "IN"}).json() == {
        "seat_map_3d": True
    }
    assert c.get("/v1/flags", params={"country": "GB"}).json() == {"seat_map_3d": False}
    gone = c.delete(url, headers=staff, params={"scope": "city", "value": "Chennai"})
    assert gone.status_code == 204
    assert c.get("/v1/flags", params={"city": "Chennai", "country": "IN"}).json() == {
        "seat_map_3d": True
    }
    assert (
        c.delete(url, headers=staff, params={"scope": "city", "value": "Chennai"}).status_code
        == 404
    )
    audit = c.get("/v1/admin/audit-log", headers=staff, params={"action": "flag.set"}).json()
    assert len(audit["items"]) == 3
    partner = api.auth("staff-a@test.example")
    assert c.put(url, headers=partner, json={"enabled": True}).status_code == 403
