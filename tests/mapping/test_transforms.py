"""Each transform on its own, compiled exactly as a mapping compiles it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from adapters.mapping import FieldError, MappingContext, TheatreInfo
from adapters.mapping.compiler import Compiler
from adapters.mapping.scope import Scope
from adapters.mapping.sources import JsonFormat
from canonical.money import Money


def run(steps, value, node=None, theatre=("Asia/Kolkata", "INR"), lookups=None, status=None):
    compiler = Compiler(JsonFormat(), lookups or {}, status or {})
    fn = compiler.compile_spec({"path": "v", "transforms": steps})
    ctx = MappingContext(connector_id="t")
    scope = Scope(ctx, {}, TheatreInfo(*theatre) if theatre else None, "T1")
    return fn({"v": value, **(node or {})}, scope)


def test_type_coercion():
    assert run(["int"], "007") == 7
    assert run(["int"], 7.0) == 7
    assert run(["float"], "2.5") == 2.5
    assert run(["decimal"], " 12.50 ") == "12.50"
    assert run(["bool"], "Y") is True and run(["bool"], "0") is False
    assert run(["str"], 5) == "5"
    assert run(["strip", "upper"], "  ab ") == "AB"
    assert run(["lower"], "AB") == "ab"
    for steps, bad in (
        (["int"], "1.5x"),
        (["int"], 1.5),
        (["bool"], "maybe"),
        (["decimal"], "abc"),
    ):
        with pytest.raises(FieldError):
            run(steps, bad)


def test_empty_strings_are_missing_and_default_applies():
    compiler = Compiler(JsonFormat(), {}, {})
    fn = compiler.compile_spec({"path": "v", "default": "2D", "transforms": ["upper"]})
    scope = Scope(MappingContext(connector_id="t"), {})
    assert fn({"v": ""}, scope) == "2D"
    assert fn({}, scope) == "2D"
    assert fn({"v": "3d"}, scope) == "3D"


def test_split_join_regex_replace_prefix_pad():
    assert run([{"split": "|"}], "Action|Drama|") == ["Action", "Drama"]
    assert run([{"split": {"sep": "-", "index": 1}}], "1001-14164") == "14164"
    with pytest.raises(FieldError, match="no part 3"):
        run([{"split": {"sep": "-", "index": 3}}], "1001-14164")
    assert run([{"split": ","}, {"join": "+"}], "a,b") == "a+b"
    assert run([{"concat": ""}], ["C", "01"]) == "C01"
    assert run([{"regex": r"^(\w+)\|(\d{12})\|"}], "RF1|202603282030|3") == "RF1"
    assert run([{"regex": {"pattern": r"(?P<d>\d{8})", "group": "d"}}], "x20260328y") == "20260328"
    with pytest.raises(FieldError, match="does not match"):
        run([{"regex": r"^\d+$"}], "abc")
    assert run([{"regex": {"pattern": r"^\d+$", "optional": True}}], "abc") is None
    assert run([{"replace": {"old": ":", "new": "-"}}], ["0:3", "0:4"]) == ["0-3", "0-4"]
    assert run([{"prefix": "1-"}], "0-3") == "1-0-3"
    assert run([{"suffix": "!"}], "a") == "a!"
    assert run([{"pad": 4}], "7") == "0007"


def test_list_helpers():
    assert run(["first"], ["a", "b"]) == "a"
    assert run(["list"], "a") == ["a"]
    assert run(["unique"], ["a", "b", "a"]) == ["a", "b"]
    assert run(["count"], ["a", "b"]) == 2


def test_value_map_lookup_and_status_map():
    assert run([{"map": {"Sofa": "sofa"}}], "Sofa") == "sofa"
    assert run([{"map": {"values": {"1": "sold"}}}], 1) == "sold"  # 1 and "1" match
    with pytest.raises(FieldError, match="not in the value map"):
        run([{"map": {"values": {"a": "b"}}}], "zz")
    assert run([{"map": {"values": {"a": "b"}, "missing": "keep"}}], "zz") == "zz"
    assert run([{"map": {"values": {"a": "b"}, "default": "x"}}], "zz") == "x"
    assert run([{"map": {"values": {"W": "wheelchair"}, "missing": "drop"}}], ["W", "Q"]) == [
        "wheelchair"
    ]
    table = {"WWW": "web", "POS": "box_office"}
    assert run([{"lookup": "ch"}], "POS", lookups={"ch": table}) == "box_office"
    with pytest.raises(FieldError, match="lookup table 'ch'"):
        run([{"lookup": "ch"}], "FAX", lookups={"ch": table})
    assert run([{"status_map": "seat"}], "Sold", status={"seat": {"Sold": "sold"}}) == "sold"


def test_arithmetic():
    assert run([{"divide": 60}, "int"], 480) == 8
    assert run([{"multiply": 100}], "12.5") == 1250
    assert run([{"add": 1}], 4) == 5
    with pytest.raises(FieldError):
        run([{"add": 1}], "x")


def test_datetime_formats():
    ist = timezone(timedelta(hours=5, minutes=30))
    assert run(["datetime"], "2026-11-26T19:30:00+05:30") == datetime(
        2026, 11, 26, 19, 30, tzinfo=ist
    )
    local = run(["datetime"], "2026-11-26T19:30:00")  # no offset: the theatre's zone
    assert local.utcoffset() == timedelta(hours=5, minutes=30) and local.hour == 19
    ms = run([{"datetime": "msdate"}], "/Date(1551207600000+0530)/")
    assert ms == datetime(2019, 2, 26, 19, 0, tzinfo=UTC) and ms.utcoffset() == ist.utcoffset(None)
    assert run([{"datetime": "msdate"}], "/Date(0)/") == datetime(1970, 1, 1, tzinfo=UTC)
    compact = run([{"datetime": "yyyyMMddHHmm"}], "202611261930")
    assert compact.isoformat() == "2026-11-26T19:30:00+05:30"
    assert run([{"datetime": "epoch_s"}], "1764165600") == datetime(2025, 11, 26, 14, 0, tzinfo=UTC)
    assert run([{"datetime": "epoch_ms"}], 1764165600000) == datetime(
        2025, 11, 26, 14, 0, tzinfo=UTC
    )
    assert run([{"datetime": "dd/MM/yyyy HH:mm"}], "26/11/2026 19:30").hour == 19
    utc = run([{"datetime": {"zone": "UTC"}}], "2026-11-26T13:00:00Z")
    assert utc == datetime(2026, 11, 26, 13, tzinfo=UTC)
    with pytest.raises(FieldError, match="yyyyMMddHHmm"):
        run([{"datetime": "yyyyMMddHHmm"}], "2026112619")
    with pytest.raises(FieldError, match="no time zone"):
        run(["datetime"], "2026-11-26T19:30:00", theatre=None)


def test_datetime_dst_gap_is_refused():
    # Europe/Paris springs forward on 2026-03-29 at 02:00: 02:30 does not exist.
    with pytest.raises(FieldError, match="does not exist"):
        run([{"datetime": "yyyyMMddHHmm"}], "202603290230", theatre=("Europe/Paris", "EUR"))


def test_datetime_dst_repeat_uses_fold_policy():
    # Europe/London falls back on 2026-10-25 at 02:00: 01:30 happens twice.
    london = ("Europe/London", "GBP")
    earlier = run([{"datetime": {"format": "iso"}}], "2026-10-25T01:30:00", theatre=london)
    later = run(
        [{"datetime": {"format": "iso", "fold": "later"}}], "2026-10-25T01:30:00", theatre=london
    )
    assert earlier.astimezone(UTC).hour == 0 and later.astimezone(UTC).hour == 1
    with pytest.raises(FieldError, match="happens twice"):
        run([{"datetime": {"fold": "raise"}}], "2026-10-25T01:30:00", theatre=london)


def test_date_and_add_minutes_and_format():
    assert run([{"date": "msdate"}], "/Date(1764009000000+0530)/") == date(2025, 11, 25)
    assert run(["date"], "2026-11-26") == date(2026, 11, 26)
    end = run(
        [{"datetime": "yyyyMMddHHmm"}, {"add_minutes": "Minutes"}],
        "202611262330",
        node={"Minutes": "148"},
    )
    assert end.isoformat() == "2026-11-27T01:58:00+05:30"
    assert (
        run(
            [{"format_datetime": {"format": "yyyyMMddHHmm", "zone": "theatre"}}],
            "2026-11-26T14:00:00Z",
        )
        == "202611261930"
    )


def test_money_minor_major_and_currency():
    assert run([{"money": "minor"}], 25000) == Money(amount=25000, currency="INR")
    assert run([{"money": "major"}], "250.00") == Money(amount=25000, currency="INR")
    assert run([{"money": "major"}], "12.5", theatre=("Europe/Paris", "EUR")) == Money(
        amount=1250, currency="EUR"
    )
    assert run([{"money": {"unit": "major", "currency": "JPY"}}], "1200") == Money(
        amount=1200, currency="JPY"
    )
    with pytest.raises(FieldError, match="more decimals"):
        run([{"money": "major"}], "12.505")
    with pytest.raises(FieldError, match="not a major-unit amount"):
        run([{"money": "major"}], "12,50")
    assert run([{"money_format": {"value": "INR"}}], 43050) == "430.50"


def test_seat_coordinate_rules():
    letters = [run(["row_letter"], i) for i in range(10)]
    assert letters == ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"]  # no I
    assert run(["row_letter"], 12) == "N" and run(["row_letter"], 13) == "P"  # no O
    assert run(["row_letter"], 24) == "AA"
    assert run([{"row_letter": {"skip": []}}], 8) == "I"
    assert run(["row_index"], "J") == 8 and run(["row_index"], "AA") == 24
    with pytest.raises(FieldError, match="not a row letter"):
        run(["row_index"], "I")
    # Columns numbered right to left: index 0 of a 12-seat row is seat 12.
    rtl = {"column_number": {"order": "rtl", "count": "Seats"}}
    assert run([rtl], 0, node={"Seats": 12}) == 12
    assert run([rtl], 11, node={"Seats": 12}) == 1
    with pytest.raises(FieldError, match="outside a row"):
        run([rtl], 12, node={"Seats": 12})
    assert run(["column_number"], 0) == 1


def test_filename_safe_encodes_what_file_servers_refuse_and_keeps_values_apart():
    from adapters.mapping.transforms import compile_transform

    safe = compile_transform("filename_safe", None, None)
    assert safe("hold:hld_01ab", None, None) == "hold%3Ahld_01ab"
    assert safe('a/b\\c*?<>|"', None, None) == "a%2Fb%5Cc%2A%3F%3C%3E%7C%22"
    # injective: an input that already looks encoded is encoded again, never confused
    assert safe("hold%3Ahld", None, None) == "hold%253Ahld" != safe("hold:hld", None, None)
    assert safe("ok-name_1.~", None, None) == "ok-name_1.~"
