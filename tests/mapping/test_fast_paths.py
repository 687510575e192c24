"""The speed paths (memoised transform chains, price cards and derived ids, the per-theatre
loop) give the same records and the same dead letters as plain evaluation, and never serve a
memoised value for an input that differs (another theatre, another type, another element)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from lxml import etree

from adapters.mapping import DeadLetter
from adapters.mapping.model import MappingContext

SAMPLES = Path(__file__).resolve().parents[2] / "mappings"
CTX = {
    "connector_id": "t",
    "theatres": {
        "C01": {"timezone": "Asia/Kolkata", "currency": "INR"},
        "C02": {"timezone": "Europe/London", "currency": "GBP"},
        "1001": {"timezone": "Asia/Kolkata", "currency": "INR"},
        "1002": {"timezone": "Europe/London", "currency": "GBP"},
        "PAR01": {"timezone": "Europe/Paris", "currency": "EUR"},
        "ZRH02": {"timezone": "Europe/Zurich", "currency": "CHF"},
    },
}


def _sessions() -> dict:
    return json.loads((SAMPLES / "restline/samples/sessions.json").read_text())


def _stream(mapping, payload: bytes) -> list:
    return list(mapping.stream("show", io.BytesIO(payload), CTX))


def _jsonl(items: list[dict]) -> bytes:
    return (json.dumps({"Result": 0, "Items": items}) + "\n").encode()


# ------------------------------------------------------------------ records the loops meet
def _json_variants() -> list:
    good = _sessions()["Items"][0]
    variants = [good]
    for key in ("SessionId", "CinemaId", "ScreenNumber", "Showtime", "Format", "Prices"):
        broken = copy.deepcopy(good)
        del broken[key]
        variants.append(broken)
    for key, value in (
        ("Showtime", "yesterday"),
        ("Format", "8K"),
        ("CinemaId", ""),
        ("SessionId", ""),
        ("ScreenNumber", 0),
        ("Prices", "none"),
    ):
        variants.append({**copy.deepcopy(good), key: value})
    # Inputs the inlined memo lookups must not key (or must key apart): other types, price
    # items with a key missing, an item that is not an object, a float or bool price.
    prices = good["Prices"]
    for key, value in (
        ("Format", 3),
        ("Format", 3.0),
        ("Showtime", 20261126),
        ("Language", 1),
        ("SalesChannels", ["WWW"]),
        ("Prices", [*prices, "text"]),
        ("Prices", [{k: v for k, v in prices[0].items() if k != "Description"}]),
        ("Prices", [{**prices[0], "PriceInCents": 25000.0}]),
        ("Prices", [{**prices[0], "PriceInCents": True}]),
        ("Prices", []),
    ):
        variants.append({**copy.deepcopy(good), key: value})
    return variants


def test_a_record_that_is_not_an_object_is_a_dead_letter(restline):
    items = [_sessions()["Items"][0], ["a", "list"]]
    out = _stream(restline, _jsonl(items))
    assert not isinstance(out[0], DeadLetter)
    assert isinstance(out[1], DeadLetter) and out[1].record_index == 1


# ------------------------------------------------------------------- memoised transforms
def test_bad_value_after_a_memoised_good_one_is_still_a_dead_letter(restline):
    good = _sessions()["Items"][0]
    bad = {**copy.deepcopy(good), "SessionId": "99", "Showtime": "2026-11-26T25:30:00+05:30"}
    out = _stream(restline, _jsonl([good, good, bad, good]))
    assert [isinstance(o, DeadLetter) for o in out] == [False, False, True, False]
    assert out[2].field_path == "start" and "is not a iso date-time" in out[2].reason


def test_memoised_local_time_is_read_in_each_theatre_zone(soapbox):
    xml = (SAMPLES / "soapbox/samples/sessions.xml").read_bytes()
    # The same local wall time in Kolkata and London: two different instants.
    xml = xml.replace(b"2026-10-25T01:30:00", b"2026-11-26T19:30:00")
    xml = xml.replace(b"2026-10-25T04:10:00", b"2026-11-26T22:10:00")
    shows = soapbox.read("show", xml, CTX).records
    assert [show.start.utcoffset().total_seconds() for show in shows] == [19800.0, 0.0]
    assert shows[0].start != shows[1].start


def test_end_keeps_the_zone_of_its_own_start(reelfeed):
    header = "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
    row = "F1|202603282030|{aud};{site};F1;{aud};202603282030;112;fr;2D;ADU:STD:12.50\r\n"
    text = header + row.format(aud=1, site="PAR01") + row.format(aud=2, site="ZRH02")
    shows = list(reelfeed.stream("show", io.BytesIO(text.encode("latin-1")), CTX))
    assert [str(s.end.tzinfo) for s in shows] == ["Europe/Paris", "Europe/Zurich"]
    assert [s.end.tzinfo for s in shows] == [s.start.tzinfo for s in shows]


# ----------------------------------------------------------------- memoised price cards
def test_price_card_memo_refuses_a_bool_that_equals_a_cached_int(restline):
    good = _sessions()["Items"][1]  # one price
    one = copy.deepcopy(good)
    one["Prices"][0]["PriceInCents"] = 1
    true = copy.deepcopy(good)
    true["SessionId"] = "777"
    true["Prices"][0]["PriceInCents"] = True
    out = _stream(restline, _jsonl([one, true]))
    assert out[0].ticket_types[0].price.amount == 1
    assert isinstance(out[1], DeadLetter)
    assert out[1].field_path == "ticket_types.0.price"


@pytest.mark.parametrize("price", ["lots", "-", "12.5.0"])
def test_bad_price_after_the_same_card_is_a_dead_letter(restline, price):
    good = _sessions()["Items"][0]
    bad = copy.deepcopy(good)
    bad["SessionId"] = "900"
    bad["Prices"][2]["PriceInCents"] = price
    out = _stream(restline, _jsonl([good, bad, good]))
    assert [isinstance(o, DeadLetter) for o in out] == [False, True, False]
    assert out[1].field_path == "ticket_types.2.price"


def test_price_card_in_another_theatre_gets_its_currency(restline):
    good = _sessions()["Items"][1]
    london = {**copy.deepcopy(good), "CinemaId": "C02"}
    out = _stream(restline, _jsonl([good, london]))
    assert [s.ticket_types[0].price.currency for s in out] == ["INR", "GBP"]


def test_xml_price_card_memo_sees_a_renamed_element(soapbox):
    xml = (SAMPLES / "soapbox/samples/sessions.xml").read_bytes()
    good = soapbox.read("show", xml, CTX, partial=True)
    assert good.records
    # Same texts, one element renamed: the price is then missing, not served from the memo.
    renamed = xml.replace(b"<Price>180.50</Price>", b"<Prize>180.50</Prize>", 1)
    result = soapbox.read("show", renamed, CTX, partial=True)
    [letter] = result.dead_letters
    assert letter.field_path == "ticket_types.1.price" and "required" in letter.reason.lower()
    bad = soapbox.read(
        "show", xml.replace(b"<Price>180.50</Price>", b"<Price>1.805</Price>", 1), CTX
    )
    assert bad.records == [] and bad.dead_letters[0].field_path == "ticket_types.1.price"


def test_csv_price_card_memo_per_cell_text(reelfeed):
    header = "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
    row = "F1|202603282030|{aud};PAR01;F1;{aud};202603282030;112;fr;2D;{prices}\r\n"
    text = header + "".join(
        row.format(aud=a, prices=p)
        for a, p in (
            (1, "ADU:STD:12.50"),
            (2, "ADU:STD:12.50"),
            (3, "ADU:STD:12.505"),
            (4, "ADU:STD:12.50"),
        )
    )
    out = list(reelfeed.stream("show", io.BytesIO(text.encode("latin-1")), CTX))
    assert [isinstance(o, DeadLetter) for o in out] == [False, False, True, False]
    assert out[2].field_path == "ticket_types.0.price"


# ------------------------------------------------------------------- memoised derived ids
def test_derived_ids_follow_the_raw_values_and_their_types(restline):
    from canonical.identity import derived_id

    good = _sessions()["Items"][1]
    items = []
    for n, (cinema, screen) in enumerate(
        [("C01", 1), ("C02", 1), ("C01", 1.0), ("C01", "1"), ("C01", 1), ("C01", True)]
    ):
        items.append(
            {**copy.deepcopy(good), "SessionId": str(n), "CinemaId": cinema, "ScreenNumber": screen}
        )
    shows = _stream(restline, _jsonl(items))
    expected = [
        derived_id("scr", "t", str(item["ScreenNumber"]), f"cinema:{item['CinemaId']}")
        for item in items
    ]
    assert [show.screen_id for show in shows] == expected
    assert len(set(expected)) == 4  # 1 == "1" as text; 1.0 and True are other texts


def test_ids_unique_per_record_stay_right_past_the_memo_limit(monkeypatch):
    from adapters.mapping import compiler, load_mapping
    from canonical.identity import derived_id

    monkeypatch.setattr(compiler, "DERIVED_ID_MEMO_LIMIT", 200)
    restline = load_mapping(SAMPLES / "restline" / "mapping.yaml")  # its own memo
    good = _sessions()["Items"][1]
    count = 3 * 200 + 50
    items = [{**good, "SessionId": str(n)} for n in range(count)]
    ids = [show.id for show in _stream(restline, _jsonl(items))]
    assert ids[-3:] == [
        derived_id("shw", "t", str(n), "cinema:C01") for n in range(count - 3, count)
    ]
    assert len(set(ids)) == count


# ----------------------------------------------------------------- memo generations
def test_chain_memo_gives_up_on_inputs_that_never_repeat_and_stays_right():
    from adapters.mapping.memo import memoised_chain

    calls = []

    def chain(value, node, scope):
        calls.append(value)
        return value.upper()

    upper = memoised_chain(chain, uses_theatre=False, limit=64)
    unique = [f"id{n}" for n in range(400)]
    assert [upper(v, None, None) for v in unique] == [v.upper() for v in unique]
    store = upper.__closure__[
        [c.cell_contents.__class__.__name__ for c in upper.__closure__].index("method")
    ].cell_contents.__self__
    assert store.off and not store.current and not store.previous  # nothing kept
    assert upper("id1", None, None) == "ID1"


def test_chain_memo_keeps_memoising_inputs_that_repeat():
    import random

    from adapters.mapping.memo import memoised_chain

    calls = []

    def chain(value, node, scope):
        calls.append(value)
        return value.lower()

    lower = memoised_chain(chain, uses_theatre=False, limit=64)
    cycle = [f"K{n % 12}" for n in range(4000)]  # 12 distinct values: they fit the memo
    assert [lower(v, None, None) for v in cycle] == [v.lower() for v in cycle]
    assert len(calls) == 12
    rng = random.Random(3)
    wide = [f"W{rng.randrange(100)}" for _ in range(4000)]  # more than the memo holds
    assert [lower(v, None, None) for v in wide] == [v.lower() for v in wide]
    assert len(calls) < 12 + 3000  # revisits found in the previous generation: still on


# ------------------------------------------------------------------ shared offsets, Show check
def test_fixed_offsets_are_shared_and_values_unchanged():
    from datetime import UTC, datetime, timedelta, timezone

    from adapters.mapping.transforms import make_time_reader

    iso, msdate = make_time_reader("iso"), make_time_reader("msdate")
    start, end = iso("2026-11-01T10:00:00+05:30"), iso("2026-11-01T12:23:00+05:30")
    assert start.tzinfo is end.tzinfo  # an `end > start` check compares fields, no utcoffset
    assert start == datetime(2026, 11, 1, 10, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert start.tzinfo == timezone(timedelta(hours=5, minutes=30))
    assert start.isoformat() == "2026-11-01T10:00:00+05:30"
    assert msdate("/Date(1551207600000+0530)/").tzinfo is start.tzinfo
    assert iso("2026-11-01T10:00:00Z").tzinfo is UTC
    assert iso("2026-11-01T10:00:00-03:00").utcoffset() == timedelta(hours=-3)
    assert iso("2026-11-01T10:00:00").tzinfo is None


def test_show_checks_report_in_their_order_and_pass_good_cards():
    from datetime import UTC, datetime, timedelta

    from pydantic import ValidationError

    from canonical.catalog import Show, TicketType
    from canonical.money import Money

    def ticket(code: str, category: str, currency: str) -> TicketType:
        return TicketType(
            code=code, name=code, category=category, price=Money(amount=100, currency=currency)
        )

    start = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    base = dict(
        id="shw_1",
        movie_id="m",
        theatre_id="t",
        screen_id="s",
        start=start,
        end=start + timedelta(hours=2),
        business_date=start.date(),
        language="ta",
    )
    good = Show(
        **base,
        ticket_types=[
            ticket("A", "gold", "INR"),
            ticket("A", "silver", "INR"),
            ticket("C", "gold", "INR"),
        ],
    )
    assert len(good.ticket_types) == 3
    # A duplicate before a currency mix: the currency mix is still the reported mistake.
    both = [ticket("A", "gold", "INR"), ticket("A", "gold", "INR"), ticket("B", "gold", "USD")]
    with pytest.raises(ValidationError, match="mix currencies: INR, USD"):
        Show(**base, ticket_types=both)
    with pytest.raises(ValidationError, match="duplicate ticket type"):
        Show(**base, ticket_types=[ticket("A", "gold", "INR"), ticket("A", "gold", "INR")])
    with pytest.raises(ValidationError, match="end after it starts"):
        Show(**{**base, "end": start}, ticket_types=both)
    with pytest.raises(ValidationError, match="BCP 47"):
        Show(**{**base, "language": "not a tag"})


# ------------------------------------------------------------------ the engine's record loop
def _dump(items: list) -> list:
    return [(type(i).__name__, i.model_dump(mode="json")) for i in items]


def _loops(mapping, nodes: list, ctx: dict, limit: int | None = None) -> tuple[list, list]:
    plan = mapping.entities["show"]
    context = MappingContext.coerce(ctx)
    fast = list(mapping._iterate_by_theatre(plan, context, iter(nodes), limit))
    general = list(mapping._iterate_general(plan, context, iter(nodes), limit))
    return _dump(fast), _dump(general)


def test_theatre_loop_matches_the_general_loop_json(restline):
    nodes = [*_json_variants(), ["not", "an", "object"], _sessions()["Items"][1]]
    nodes += [
        {**_sessions()["Items"][1], "CinemaId": "UNKNOWN"},
        {**_sessions()["Items"][1], "CinemaId": 7},
    ]
    for ctx in (CTX, {**CTX, "timezone": "Asia/Kolkata", "currency": "INR"}):
        fast, general = _loops(restline, nodes, ctx)
        assert fast == general
        assert any(kind == "DeadLetter" for kind, _ in fast)
        assert any(kind == "Show" for kind, _ in fast)
    fast, general = _loops(restline, nodes, CTX, limit=3)
    assert fast == general and len(fast) == 3


def test_theatre_loop_matches_the_general_loop_csv_and_xml(reelfeed, soapbox):
    text = (SAMPLES / "reelfeed/samples/schedule_202603281200.csv").read_text("latin-1")
    broken = text.replace("|3;PAR01", "|3;") + "only;three;cells\n"
    rows = list(reelfeed.entities["show"].fmt.rows(io.StringIO(broken, newline="")))
    fast, general = _loops(reelfeed, rows, CTX)
    assert fast == general and {kind for kind, _ in fast} == {"Show", "DeadLetter"}
    doc = etree.fromstring((SAMPLES / "soapbox/samples/sessions.xml").read_bytes())
    sessions = soapbox.entities["show"].records(doc)
    fast, general = _loops(soapbox, sessions, CTX)
    assert fast == general and fast


def test_the_usual_entity_takes_the_theatre_loop(restline):
    plan = restline.entities["show"]
    loop = restline._iterate(plan, MappingContext.coerce(CTX), iter([]), None)
    assert loop.gi_code is restline._iterate_by_theatre.__code__


def test_id_memo_stops_for_unique_ids_and_keeps_repeating_ones(monkeypatch):
    import inspect

    from adapters.mapping import compiler, load_mapping
    from canonical.identity import derived_id

    monkeypatch.setattr(compiler, "DERIVED_ID_MEMO_LIMIT", 400)
    mapping = load_mapping(SAMPLES / "restline" / "mapping.yaml")  # fresh memos
    good = _sessions()["Items"][1]
    count = 2 * 400 + 10
    items = [{**good, "SessionId": str(n), "FilmCode": f"F{n % 7}"} for n in range(count)]
    shows = _stream(mapping, _jsonl(items))
    fields = inspect.getclosurevars(mapping.entities["show"].build).nonlocals["fields"]
    compiled = dict(inspect.getclosurevars(fields).nonlocals["compiled"])
    memos = {
        name: inspect.getclosurevars(compiled[name]).nonlocals["keep"].__self__
        for name in ("id", "movie_id", "theatre_id", "screen_id")
    }
    # The show's own id (unique per record) stopped; movie, theatre and screen ids (7, 1 and 1
    # distinct) are still memoised.
    assert {name: not memo.off for name, memo in memos.items()} == {
        "id": False,
        "movie_id": True,
        "theatre_id": True,
        "screen_id": True,
    }
    assert not memos["id"].current and len(memos["movie_id"].current) == 7
    assert shows[-1].id == derived_id("shw", "t", str(count - 1), "cinema:C01")
    assert shows[-1].movie_id == derived_id("mov", "t", f"F{(count - 1) % 7}")
