"""The dashboards' funnel math (shares never above 100 %, gaps explained) and the names the
analytics answers carry next to their ids (theatre, screen, movie title)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics.queries import funnel_steps
from tests.analytics.conftest import World, _world

CARD_OK = {"card_number": "4242424242424242"}


def test_a_monotone_funnel_gives_shares_of_its_first_step_and_of_the_step_before():
    steps = funnel_steps([("show_page", 200), ("seat_map", 100), ("hold", 50), ("paid", 10)])
    assert [(s["stage"], s["of_base"], s["from_previous"], s["note"]) for s in steps] == [
        ("show_page", 1.0, None, None),
        ("seat_map", 0.5, 0.5, None),
        ("hold", 0.25, 0.5, None),
        ("paid", 0.05, 0.2, None),
    ]
    assert {s["base"] for s in steps} == {"show_page"}


def test_an_under_counted_first_step_is_not_the_base_and_says_why():
    # The web app opens the seat map without the counted show page: 1 show-page view against
    # 18 seat-map views once gave "1800 %".
    steps = funnel_steps(
        [("show_page", 1), ("seat_map", 18), ("hold", 6), ("checkout", 4), ("paid", 3)]
    )
    assert steps[0]["of_base"] is None and steps[0]["from_previous"] is None
    assert "fewer than seat map (18)" in steps[0]["note"]
    assert [s["of_base"] for s in steps[1:]] == [1.0, 0.3333, 0.2222, 0.1667]
    assert steps[1]["from_previous"] is None  # 18 of 1 is no share
    assert steps[2]["from_previous"] == 0.3333
    assert all(s["base"] == "seat_map" for s in steps)


def test_no_share_is_ever_above_one_and_every_rise_is_explained():
    cases = [
        [("a", 4), ("b", 3), ("c", 4), ("d", 2), ("e", 2)],
        [("a", 0), ("b", 0), ("c", 5), ("d", 7), ("e", 1)],
        [("a", 3), ("b", 9), ("c", 1), ("d", 9), ("e", 0)],
        [("a", 0), ("b", 0), ("c", 0)],
    ]
    for stages in cases:
        steps = funnel_steps(stages)
        for i, s in enumerate(steps):
            assert s["of_base"] is None or 0 <= s["of_base"] <= 1, (stages, s)
            assert s["from_previous"] is None or 0 <= s["from_previous"] <= 1, (stages, s)
            rises = i > 0 and s["count"] > stages[i - 1][1]
            if rises or s["of_base"] is None and s["count"]:
                assert s["note"], (stages, s)


def test_steps_after_a_rise_count_against_the_largest_later_step():
    steps = funnel_steps([("show_page", 4), ("seat_map", 3), ("hold", 4), ("checkout", 2)])
    # show_page (4) is as large as every later step: it stays the base; hold's rise is noted.
    assert [s["of_base"] for s in steps] == [1.0, 0.75, 1.0, 0.5]
    assert steps[1]["from_previous"] == 0.75
    assert steps[2]["from_previous"] is None and "more than seat map (3)" in steps[2]["note"]


@pytest.fixture
def sqlite_world(sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    yield from _world(sqlite_url, tmp_path)


def test_dashboards_name_theatres_screens_movies_and_shows(sqlite_world: World):
    api = sqlite_world.api
    c = api.client
    day = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    show = c.get("/v1/shows", params={"theatre_id": "thr_chennai_marina", "date": day}).json()[
        "items"
    ][-1]
    customer = api.auth("cust-a@test.example")
    hold = c.post("/v1/holds", headers=customer, json={"show_id": show["id"], "count": 2}).json()
    paid = c.post(
        "/v1/checkout", headers=customer, json={"hold_id": hold["id"], "payment": CARD_OK}
    )
    assert paid.status_code == 201, paid.text
    sqlite_world.deliver()

    theatre = c.get("/v1/theatres/thr_chennai_marina").json()
    screens = c.get(
        "/v1/partner/theatres/thr_chennai_marina/screens", headers=api.auth("staff-a@test.example")
    ).json()
    screen = next(s for s in screens if s["id"] == show["screen_id"])
    movie = c.get(f"/v1/movies/{show['movie_id']}", headers={"Accept-Language": "en"}).json()
    assert movie["title_language"] == "en"

    for area, who in (("admin", "admin@test.example"), ("partner", "staff-a@test.example")):
        auth = api.auth(who)
        base = f"/v1/{area}/analytics"
        by_movie = c.get(f"{base}/breakdown", params={"by": "movie"}, headers=auth).json()
        [row] = [r for r in by_movie if r["key"] == show["movie_id"]]
        assert row["name"] == movie["title"] and row["name"] != row["key"]
        by_screen = c.get(f"{base}/breakdown", params={"by": "screen"}, headers=auth).json()
        [row] = [r for r in by_screen if r["key"] == show["screen_id"]]
        assert (row["name"], row["theatre_name"]) == (screen["name"], theatre["name"])
        by_theatre = c.get(f"{base}/breakdown", params={"by": "theatre"}, headers=auth).json()
        [row] = [r for r in by_theatre if r["key"] == "thr_chennai_marina"]
        assert row["name"] == theatre["name"]
        shows = c.get(f"{base}/shows", params={"show_id": show["id"]}, headers=auth).json()
        [one] = shows
        assert one["theatre_name"] == theatre["name"]
        assert one["movie_title"] == movie["title"]
        assert one["screen_name"] == screen["name"]
