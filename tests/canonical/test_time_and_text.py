from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel, ValidationError

from canonical import LocalizedText
from canonical.text import fallback_chain
from canonical.time import Instant, TimeZoneName, business_date, localize


class _Stamp(BaseModel):
    at: Instant
    tz: TimeZoneName


def test_naive_instants_and_unknown_zones_are_refused():
    with pytest.raises(ValidationError, match="timezone"):
        _Stamp(at=datetime(2026, 1, 1, 10, 0), tz="Asia/Kolkata")
    with pytest.raises(ValidationError, match="not an IANA"):
        _Stamp(at=datetime(2026, 1, 1, tzinfo=UTC), tz="IST")
    with pytest.raises(ValidationError, match="unknown IANA"):
        _Stamp(at=datetime(2026, 1, 1, tzinfo=UTC), tz="Mars/Olympus")


def test_business_date_puts_after_midnight_shows_on_the_previous_day():
    late = localize(datetime(2026, 11, 27, 0, 30), "Asia/Kolkata")
    assert business_date(late, "Asia/Kolkata") == date(2026, 11, 26)
    evening = localize(datetime(2026, 11, 26, 22, 0), "Asia/Kolkata")
    assert business_date(evening, "Asia/Kolkata") == date(2026, 11, 26)
    # the cut-over hour is per theatre
    assert business_date(late, "Asia/Kolkata", cutover_hour=0) == date(2026, 11, 27)


def test_localize_refuses_gaps_and_resolves_repeats():
    with pytest.raises(ValueError, match="does not exist"):
        localize(datetime(2026, 3, 29, 1, 30), "Europe/London")
    earlier = localize(datetime(2026, 10, 25, 1, 30), "Europe/London")
    later = localize(datetime(2026, 10, 25, 1, 30), "Europe/London", fold_policy="later")
    assert (later - earlier).total_seconds() == 0  # same wall clock...
    assert later.astimezone(UTC) != earlier.astimezone(UTC)  # ...different instants
    with pytest.raises(ValueError, match="twice"):
        localize(datetime(2026, 10, 25, 1, 30), "Europe/London", fold_policy="raise")


def test_fallback_chain_and_resolution():
    assert fallback_chain(["ta-IN"], "hi") == ["ta-IN", "ta", "hi", "en"]
    text = LocalizedText(values={"ta": "காலா", "en": "Kaala"})
    assert text.resolve(["ta-IN"]) == "காலா"
    assert text.resolve(["fr-FR"], "de") == "Kaala"
    assert LocalizedText(values={"hi": "शिकार"}).resolve(["fr"]) == "शिकार"
    with pytest.raises(ValidationError, match="BCP 47"):
        LocalizedText(values={"not a tag!": "x"})
    assert LocalizedText(values={"ta_in": "x"}).values == {"ta-IN": "x"}
