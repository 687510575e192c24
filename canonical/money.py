"""Money as integer minor units plus an ISO 4217 code.

Rounding rule: every operation that can produce a fraction of a minor unit (percentages, scaling,
conversion from a decimal string) rounds half-to-even ("banker's rounding") to the currency's
exponent. Splitting a sum into parts (`allocate`) never loses or creates a minor unit: the
remainder goes to the first parts, one unit each.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

# ISO 4217 minor-unit exponents for the currencies we trade in. A currency that is not here is
# refused rather than guessed: a wrong exponent misprices every ticket by a factor of 10 or 100.
CURRENCY_EXPONENTS: dict[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "LKR": 2,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PHP": 2,
    "PLN": 2,
    "QAR": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "TWD": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["INR"])]


class CurrencyMismatchError(ValueError):
    """Raised when arithmetic mixes two currencies."""


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ValueError(f"unknown currency {currency!r}: not in the ISO 4217 table") from None


class Money(BaseModel):
    """An amount in minor units (paise, cents, fils) of one currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int = Field(description="Amount in the currency's minor units", examples=[25000])
    currency: CurrencyCode

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        exponent(value)
        return value

    @classmethod
    def from_decimal(cls, value: str | Decimal | int, currency: str) -> Money:
        """Build from a major-unit decimal ("250.00" INR -> 25000 paise), rounding half-even."""
        try:
            major = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
        if not major.is_finite():
            raise ValueError(f"not a finite amount: {value!r}")
        quantum = Decimal(1).scaleb(-exponent(currency))
        minor = (major.quantize(quantum, rounding=ROUND_HALF_EVEN)).scaleb(exponent(currency))
        return cls(amount=int(minor), currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} with {other.currency}: convert explicitly first"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an integer; use scale() for ratios")
        return Money(amount=self.amount * factor, currency=self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def scale(self, ratio: Decimal | str) -> Money:
        """Multiply by a ratio (e.g. "0.10" for 10 %), rounding half-even to a minor unit."""
        result = (Decimal(self.amount) * Decimal(str(ratio))).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
        return Money(amount=int(result), currency=self.currency)

    def percent(self, pct: Decimal | str | int) -> Money:
        return self.scale(Decimal(str(pct)) / 100)

    def allocate(self, parts: int) -> list[Money]:
        if parts <= 0:
            raise ValueError("parts must be positive")
        base, remainder = divmod(self.amount, parts)
        return [
            Money(amount=base + (1 if i < remainder else 0), currency=self.currency)
            for i in range(parts)
        ]

    def __str__(self) -> str:
        return f"{self.to_decimal():.{exponent(self.currency)}f} {self.currency}"


def total(amounts: list[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
