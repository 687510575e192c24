import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from pydantic import ValidationError

from canonical import (
    Booking,
    GridPosition,
    Hold,
    InventoryDelta,
    Money,
    Seat,
    SeatArea,
    SeatLayout,
    SeatRow,
    Show,
    Ticket,
    TicketType,
)
from canonical.layout_builder import row_letter, standard_layout
from canonical.schema import CANONICAL_MODELS, SCHEMA_VERSION, export, json_schema

NOW = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def _show(**over) -> Show:
    fields = dict(
        id="shw_1",
        movie_id="mov_1",
        theatre_id="thr_1",
        screen_id="scr_1",
        start=NOW,
        end=NOW + timedelta(hours=2),
        language="ta",
        ticket_types=(
            TicketType(
                code="ADULT",
                name="Adult",
                category="standard",
                price=Money(amount=18000, currency="INR"),
            ),
        ),
    )
    fields.update(over)
    return Show.scheduled(tz="Asia/Kolkata", **fields)


def _seat(sid: str, col: int, **kw) -> Seat:
    return Seat(id=sid, label=sid, position=GridPosition(area=0, row=0, column=col), **kw)


def test_layout_refuses_duplicate_ids_overlaps_and_lonely_groups():
    with pytest.raises(ValidationError, match="duplicate seat id 'A1'"):
        SeatLayout(
            id="l",
            screen_id="s",
            areas=(
                SeatArea(
                    number=0,
                    rows=(SeatRow(name="A", index=0, seats=(_seat("A1", 0), _seat("A1", 1))),),
                ),
            ),
        )
    with pytest.raises(ValidationError, match="overlaps another seat"):
        SeatLayout(
            id="l",
            screen_id="s",
            areas=(
                SeatArea(
                    number=0,
                    rows=(SeatRow(name="A", index=0, seats=(_seat("A1", 0), _seat("A2", 0))),),
                ),
            ),
        )
    with pytest.raises(ValidationError, match="single seat: sofa"):
        SeatLayout(
            id="l",
            screen_id="s",
            areas=(
                SeatArea(
                    number=0,
                    rows=(SeatRow(name="A", index=0, seats=(_seat("A1", 0, group="sofa"),)),),
                ),
            ),
        )


def test_show_refuses_mixed_currencies_and_backwards_times():
    mixed = (
        TicketType(code="A", name="A", category="standard", price=Money(amount=1, currency="INR")),
        TicketType(code="B", name="B", category="premium", price=Money(amount=1, currency="USD")),
    )
    with pytest.raises(ValidationError, match="mix currencies: INR, USD"):
        _show(ticket_types=mixed)
    with pytest.raises(ValidationError, match="end after it starts"):
        _show(end=NOW - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="timezone"):
        _show(start=datetime(2026, 11, 26, 19, 0), end=datetime(2026, 11, 26, 21, 0))


def test_booking_total_must_add_up_in_one_currency():
    ticket = Ticket(
        seat_id="A1",
        label="A1",
        category="standard",
        ticket_type="ADULT",
        price=Money(amount=100, currency="INR"),
    )
    with pytest.raises(ValidationError, match="not the sum"):
        Booking(
            id="b",
            code="C",
            show_id="s",
            customer_id="c",
            tickets=(ticket,),
            total=Money(amount=99, currency="INR"),
            created_at=NOW,
        )
    with pytest.raises(ValidationError, match="INR with USD"):
        Booking(
            id="b",
            code="C",
            show_id="s",
            customer_id="c",
            tickets=(ticket,),
            total=Money(amount=100, currency="USD"),
            created_at=NOW,
        )


def test_row_letters_skip_i_and_o():
    assert [row_letter(i) for i in range(10)] == list("ABCDEFGHJK")
    assert "I" not in {row_letter(i) for i in range(24)}


EXAMPLES = {
    "show": lambda: _show(),
    "seat_layout": lambda: standard_layout("lay_1", "scr_1", rows=4, seats_per_row=6),
    "hold": lambda: Hold(
        id="hld_1",
        show_id="shw_1",
        seat_ids=("A1", "A2"),
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=8),
    ),
    "inventory_delta": lambda: InventoryDelta.model_validate(
        {
            "show_id": "shw_1",
            "source": "pos_push",
            "observed_at": NOW.isoformat(),
            "changes": [{"seat_id": "A1", "status": "sold"}],
        }
    ),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_objects_round_trip_through_their_exported_schema(name, tmp_path):
    export(tmp_path)
    schema = json.loads((tmp_path / SCHEMA_VERSION / f"{name}.json").read_text())
    obj = EXAMPLES[name]()
    data = json.loads(obj.model_dump_json())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert type(obj).model_validate(data) == obj


def test_schema_rejects_what_the_model_rejects():
    schema = json_schema("money")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"amount": 1.5, "currency": "INR"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"amount": 1, "currency": "inr"}, schema)


def test_every_canonical_object_has_a_versioned_schema(tmp_path):
    written = export(tmp_path)
    assert {p.stem for p in written} == set(CANONICAL_MODELS)
    for path in written:
        assert json.loads(path.read_text())["x-marquee-version"] == SCHEMA_VERSION
