"""Time rules: instants are timezone-aware, zones are IANA names, shows have a business date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, Field

# pydantic's AwareDatetime refuses naive datetimes with a clear message; we re-export it under
# our own name so every model states the rule the same way.
Instant = AwareDatetime

DEFAULT_BUSINESS_DAY_CUTOVER = 6  # a show before 06:00 local belongs to the previous day


def _valid_zone(name: str) -> str:
    if "/" not in name and name != "UTC":
        # Abbreviations such as IST or EST are ambiguous (India/Israel/Ireland); refuse them.
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. 'Asia/Kolkata')")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None
    return name


TimeZoneName = Annotated[
    str, AfterValidator(_valid_zone), Field(examples=["Asia/Kolkata", "Europe/London"])
]


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(_valid_zone(name))


def business_date(
    start: datetime, tz: str, cutover_hour: int = DEFAULT_BUSINESS_DAY_CUTOVER
) -> date:
    """The trading day a show belongs to: a 00:30 show belongs to the previous day."""
    if start.tzinfo is None:
        raise ValueError("business_date needs a timezone-aware start time")
    if not 0 <= cutover_hour <= 23:
        raise ValueError("cutover_hour must be between 0 and 23")
    local = start.astimezone(zone(tz))
    day = local.date()
    if local.time() < time(cutover_hour):
        day -= timedelta(days=1)
    return day


def localize(naive: datetime, tz: str, *, fold_policy: str = "earlier") -> datetime:
    """Read a wall-clock time that carries no offset in the theatre's zone.

    A time that falls in a spring-forward gap does not exist and is refused; a time that repeats
    in an autumn fall-back is ambiguous and resolved by `fold_policy` ("earlier", "later" or
    "raise").
    """
    if naive.tzinfo is not None:
        raise ValueError("localize expects a time without an offset")
    tzinfo = zone(tz)
    first = naive.replace(tzinfo=tzinfo, fold=0)
    second = naive.replace(tzinfo=tzinfo, fold=1)
    round_trip = first.astimezone(timezone_utc()).astimezone(tzinfo).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(f"{naive.isoformat()} does not exist in {tz} (clocks skip it)")
    if first.utcoffset() != second.utcoffset():
        if fold_policy == "raise":
            raise ValueError(f"{naive.isoformat()} happens twice in {tz} (clocks fall back)")
        return second if fold_policy == "later" else first
    return first


def timezone_utc() -> ZoneInfo:
    return ZoneInfo("UTC")


def utcnow() -> datetime:
    return datetime.now(timezone_utc())
