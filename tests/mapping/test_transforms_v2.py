"""Transforms legacy data needs: entities, locales, list order, explicit failures, the record's
own currency, elapsed-time arithmetic across DST and formatting that never guesses a zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.mapping import FieldError, MappingContext, TheatreInfo
from adapters.mapping.compiler import Compiler
from adapters.mapping.scope import Scope
from adapters.mapping.sources import JsonFormat
from canonical.money import Money

LONDON = ZoneInfo("Europe/London")


def compiled(spec):
    fn = Compiler(JsonFormat(), {}, {}).compile_spec(spec)
    scope = Scope(MappingContext(connector_id="t"), {}, TheatreInfo("Europe/London", "GBP"), "T")
    return lambda node: fn(node, scope)


def run(steps, value, **node):
    return compiled({"path": "v", "transforms": steps})({"v": value, **node})


def test_html_unescape_named_and_numeric_entities():
    assert run(["html_unescape"], "Caf&#233; &amp; Bar") == "Café & Bar"
    assert run(["html_unescape"], "O P&aacute;tio &#x2013; Fim") == "O Pátio – Fim"
    assert run(["html_unescape"], "&lt;b&gt;") == "<b>"
    assert run(["html_unescape"], ["&eacute;", "a"]) == ["é", "a"]  # each item of a list


def test_language_tag_normalises_vendor_locales():
    assert run(["language_tag"], "hi_IN") == "hi-IN"
    assert run(["language_tag"], "EN-us") == "en-US"
    assert run(["language_tag"], "zh_hant_tw") == "zh-Hant-TW"
    assert run(["language_tag"], "es_419") == "es-419"
    for bad in ("English!", "1x", "_"):
        with pytest.raises(FieldError):
            run(["language_tag"], bad)


def test_reverse_and_sort_by_key():
    seats = [{"x": "10", "id": "c"}, {"x": "9", "id": "b"}, {"x": "100", "id": "d"}]
    assert run(["reverse"], [1, 2, 3]) == [3, 2, 1]
    by_x = run([{"sort": {"by": "x"}}], seats)
    assert [s["id"] for s in by_x] == ["b", "c", "d"]  # numbers sort as numbers, not "10"<"9"
    down = run([{"sort": {"by": "x", "descending": True}}], seats)
    assert [s["id"] for s in down] == ["d", "c", "b"]
    assert run([{"sort": "."}], ["b", "a"]) == ["a", "b"]
    with pytest.raises(FieldError, match="no sort key"):
        run([{"sort": "y"}], seats)


def test_fail_transform_and_fail_source():
    with pytest.raises(FieldError, match="package only"):
        run([{"fail": "package only"}], "PKG")
    assert run([{"fail": "package only"}], None) is None  # a missing value skips transforms
    spec = {
        "cases": [{"when": {"path": "kind", "equals": "PKG"}, "then": {"fail": "sold as package"}}],
        "else": {"path": "kind"},
    }
    fn = compiled(spec)
    assert fn({"kind": "STD"}) == "STD"
    with pytest.raises(FieldError, match="sold as package"):
        fn({"kind": "PKG"})


def test_money_in_the_records_own_currency():
    steps = [{"money": {"unit": "major", "currency": {"path": "cur"}}}]
    assert run(steps, "12.50", cur="eur") == Money(amount=1250, currency="EUR")
    assert run(steps, "1250", cur="JPY") == Money(amount=1250, currency="JPY")
    with pytest.raises(FieldError, match="names no currency"):
        run(steps, "12.50")
    with pytest.raises(FieldError, match="ISO 4217"):
        run(steps, "12.50", cur="XX1")


def test_add_minutes_counts_elapsed_time_across_the_autumn_change():
    # 00:30 BST on the night clocks go back, plus 120 minutes: 01:30 GMT (not 02:30).
    start = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    end = run([{"add_minutes": "m"}], start, m=120)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 7200
    assert end.isoformat() == "2026-10-25T01:30:00+00:00"
    # Spring: 00:30 GMT + 60 minutes is 02:30 BST (01:30 does not exist).
    spring = run([{"add_minutes": "m"}], datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), m=60)
    assert spring.isoformat() == "2026-03-29T02:30:00+01:00"


def test_format_datetime_refuses_to_guess_a_zone():
    fmt = [{"format_datetime": {"format": "yyyyMMddHHmm", "zone": "Europe/London"}}]
    assert run(fmt, "2026-07-01T18:00:00+00:00") == "202607011900"
    with pytest.raises(FieldError, match="no UTC offset"):
        run(fmt, "2026-07-01T18:00:00")
