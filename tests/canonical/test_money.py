from decimal import Decimal

import pytest
from pydantic import ValidationError

from canonical import CurrencyMismatchError, Money


def test_exponent_comes_from_the_currency_table():
    assert Money.from_decimal("250.00", "INR").amount == 25000
    assert Money.from_decimal("1500", "JPY").amount == 1500
    assert Money.from_decimal("1.250", "KWD").amount == 1250
    assert str(Money(amount=1250, currency="BHD")) == "1.250 BHD"


def test_rounding_is_half_even_to_the_minor_unit():
    assert Money.from_decimal("0.125", "USD").amount == 12
    assert Money.from_decimal("0.135", "USD").amount == 14
    assert Money(amount=25, currency="USD").percent(10).amount == 2  # 2.5 -> 2
    assert Money(amount=35, currency="USD").percent(10).amount == 4  # 3.5 -> 4


def test_arithmetic_across_currencies_is_refused():
    with pytest.raises(CurrencyMismatchError, match="INR with USD"):
        Money(amount=1, currency="INR") + Money(amount=1, currency="USD")
    with pytest.raises(CurrencyMismatchError):
        _ = Money(amount=1, currency="INR") < Money(amount=1, currency="USD")


def test_unknown_currency_and_bad_amounts_are_refused():
    with pytest.raises(ValidationError, match="unknown currency"):
        Money(amount=1, currency="XYZ")
    with pytest.raises(ValueError, match="not a decimal"):
        Money.from_decimal("12,50", "EUR")
    with pytest.raises(ValueError, match="finite"):
        Money.from_decimal("NaN", "EUR")
    with pytest.raises(TypeError):
        Money(amount=1, currency="EUR") * Decimal("1.5")


def test_allocate_never_loses_a_minor_unit():
    parts = Money(amount=1000, currency="INR").allocate(3)
    assert [p.amount for p in parts] == [334, 333, 333]
    assert sum(p.amount for p in parts) == 1000
