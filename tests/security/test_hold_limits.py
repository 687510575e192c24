"""Limits per customer, not per request: one customer cannot take a whole show a few seats at a
time, nor sit on holds across many shows. Seats held on one show count across all the
customer's live holds; extensions count; expired or released holds stop counting."""

from __future__ import annotations

import pytest

from booking.refusals import HoldLimitReached
from canonical.catalog import TheatreRules
from tests.booking.sql_world import sql_service

pytestmark = pytest.mark.postgres

RULES = TheatreRules(companion_requires_wheelchair=False)  # max 10 seats per hold (default)


def test_twelve_holds_of_five_on_a_sixty_seat_show_are_refused_after_the_cap(fresh_pg_url):
    service, _, _, clock = sql_service(fresh_pg_url, rules=RULES, rows=6, per_row=10)
    placed, refused = [], []
    for _ in range(12):
        try:
            placed.append(service.hold_best_available("shw_sample", 5, customer_id="cus_greedy"))
        except HoldLimitReached as err:
            refused.append(err)
    # The cap defaults to the theatre's seats per hold (10): two holds of five, then no more.
    assert len(placed) == 2 and len(refused) == 10
    assert refused[0].code == "hold_limit_reached" and refused[0].extra["held"] == 15
    # Other customers still get seats.
    assert service.hold_best_available("shw_sample", 5, customer_id="cus_other")
    # An extension keeps the seats counted; letting one hold go frees its share of the cap.
    service.extend_hold(placed[0].id)
    with pytest.raises(HoldLimitReached):
        service.hold_best_available("shw_sample", 1, customer_id="cus_greedy")
    service.release_hold(placed[1].id)
    assert service.hold_best_available("shw_sample", 5, customer_id="cus_greedy")
    # Expired holds stop counting (before any sweep runs).
    clock.advance(minutes=30)
    assert service.hold_best_available("shw_sample", 10, customer_id="cus_greedy")


def test_live_holds_are_capped_across_shows(fresh_pg_url):
    service, _, _, _ = sql_service(fresh_pg_url, rules=RULES, rows=6, per_row=10)
    service.max_seats_held_per_show = 60
    service.max_live_holds = 3
    for _ in range(3):
        service.hold_best_available("shw_sample", 1, customer_id="cus_hoarder")
    with pytest.raises(HoldLimitReached) as refused:
        service.hold_best_available("shw_sample", 1, customer_id="cus_hoarder")
    assert refused.value.extra["holds"] == 4


def test_api_refuses_the_thirteenth_seat_with_409(pg_api_limits):
    api = pg_api_limits
    headers = api.auth("cust-a@test.example")
    from tests.security.test_checkout_idempotency import tomorrow_show

    show_id = tomorrow_show(api.client)
    answers = [
        api.client.post("/v1/holds", json={"show_id": show_id, "count": 5}, headers=headers)
        for _ in range(12)
    ]
    codes = [a.status_code for a in answers]
    assert codes[:2] == [201, 201] and set(codes[2:]) == {409}, codes
    assert answers[2].json()["code"] == "hold_limit_reached"


@pytest.fixture
def pg_api_limits(fresh_pg_url):
    from tests.api.conftest import make_api

    yield from make_api(fresh_pg_url)
