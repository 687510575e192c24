"""Domain errors say what went wrong, not how HTTP spells it: the API owns the status table."""

from __future__ import annotations

import inspect

import pytest

from api.problems import HTTP_STATUS, http_status
from booking import errors


def _domain_errors() -> list[type[errors.BookingError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.BookingError)
    ]


@pytest.mark.parametrize("cls", _domain_errors(), ids=lambda c: c.__name__)
def test_domain_errors_carry_no_http_status(cls: type[errors.BookingError]):
    names = {n for klass in cls.__mro__ for n in vars(klass)}
    assert not {n for n in names if "http" in n.lower() or n == "status_code"}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.UnknownShow("x"), 404),
        (errors.TooManySeats(12, 10), 422),
        (errors.SeatsUnavailable(["A1"]), 409),
        (errors.HoldExpired("x"), 410),
        (errors.PaymentDeclined("x"), 402),
        (errors.InvalidSignature("x"), 400),
        (errors.TheatreUnavailable("x"), 503),
    ],
)
def test_the_api_maps_each_family_to_its_status(error: errors.BookingError, status: int):
    assert http_status(error) == status


def test_every_family_in_the_table_is_a_domain_error():
    assert all(issubclass(cls, errors.BookingError) for cls in HTTP_STATUS)
