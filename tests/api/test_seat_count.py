"""More seats than a theatre allows per hold is a bad request (422 `too_many_seats`), whether
the customer names the seats or asks for the best N, and also when a recent seat map is cached
(the early refusal) or N adjacent seats do not exist at all."""

from __future__ import annotations


def _show(c) -> dict:
    return c.get("/v1/shows", params={"city": "Chennai"}).json()["items"][-1]


def test_count_over_the_maximum_is_too_many_seats_not_no_adjacent(api):
    c = api.client
    show = _show(c)
    auth = api.auth("cust-a@test.example")
    for _ in range(2):  # the second time a recent availability snapshot answers first
        many = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 11})
        assert many.status_code == 422, many.text
        body = many.json()
        assert body["code"] == "too_many_seats" and body["maximum"] == 10
        best = c.get(f"/v1/shows/{show['id']}/best-available", params={"count": 11})
        assert best.status_code == 422 and best.json()["code"] == "too_many_seats"
    ok = c.post("/v1/holds", headers=auth, json={"show_id": show["id"], "count": 10})
    assert ok.status_code == 201, ok.text
