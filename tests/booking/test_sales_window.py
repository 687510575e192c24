"""The online sales window of a show (opening before the start, sales continuing after it)
and the status the theatre reports decide whether a hold is taken, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import errors
from booking.samples import sample_layout, sample_show
from canonical import ShowStatus
from store import catalog

from .sql_world import NOW, sql_service

START = NOW + timedelta(days=2)


def _service_with(db_url, **fields):
    service, engine, _, clock = sql_service(db_url, start=START)
    show = sample_show(start=START).model_copy(update=fields)
    with engine.begin() as conn:
        catalog.save_show(conn, type(show).model_validate(show.model_dump()), sample_layout())
    return service, engine, clock


def test_sales_continue_after_the_start_for_the_minutes_the_theatre_allows(db_url):
    service, engine, clock = _service_with(db_url, sales_after_start_minutes=15)
    clock.set(START + timedelta(minutes=10))
    assert service.seat_map("shw_sample").sales_open is True
    hold = service.place_hold("shw_sample", ["A1"], customer_id="cus_late")
    assert hold.seat_ids == ("A1",)
    clock.set(START + timedelta(minutes=15))
    with pytest.raises(errors.SalesClosed):
        service.place_hold("shw_sample", ["A2"], customer_id="cus_too_late")
    engine.dispose()


def test_sales_open_only_the_minutes_before_the_start_the_theatre_says(db_url):
    service, engine, clock = _service_with(db_url, sales_open_minutes_before=60 * 24)
    clock.set(START - timedelta(days=1, minutes=1))
    assert service.seat_map("shw_sample").sales_open is False
    with pytest.raises(errors.SalesNotOpen) as early:
        service.place_hold("shw_sample", ["A1"], customer_id="cus_early")
    assert early.value.code == "sales_not_open"
    clock.set(START - timedelta(days=1))
    assert service.place_hold("shw_sample", ["A1"], customer_id="cus_on_time").seat_ids
    engine.dispose()


@pytest.mark.parametrize(
    ("status", "error"),
    [(ShowStatus.SOLD_OUT, errors.SalesClosedOnline), (ShowStatus.CANCELLED, errors.ShowCancelled)],
)
def test_a_show_the_theatre_reports_sold_out_or_cancelled_is_not_sold(db_url, status, error):
    service, engine, _ = _service_with(db_url, status=status)
    with pytest.raises(error):
        service.place_hold("shw_sample", ["A1"], customer_id="cus_1")
    assert service.seat_map("shw_sample").sales_open is False
    engine.dispose()


def test_sales_cannot_both_stop_before_the_start_and_continue_after_it():
    with pytest.raises(ValueError, match="both stop before the start and continue after"):
        sample_show(start=START).model_validate(
            {
                **sample_show(start=START).model_dump(),
                "sales_cutoff_minutes": 10,
                "sales_after_start_minutes": 5,
            }
        )
