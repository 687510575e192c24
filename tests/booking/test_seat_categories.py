"""Seat category names customers read (booking.seat_categories)."""

from __future__ import annotations

from booking.samples import sample_layout
from booking.seat_categories import CategoryLabel, CategoryName, labels, readable
from canonical import GridPosition, Seat, SeatArea, SeatLayout, SeatRow


def _legacy_layout() -> SeatLayout:
    def area(number: int, name: str, code: str) -> SeatArea:
        seats = tuple(
            Seat(
                id=f"{number}-0-{c}",
                label=f"A{c + 1}",
                position=GridPosition(area=number, row=number, column=c),
                category=code,
            )
            for c in range(3)
        )
        return SeatArea(
            number=number,
            name=name,
            category=code,
            rows=(SeatRow(name="A", index=number, seats=seats),),
        )

    return SeatLayout(
        id="lay_1",
        screen_id="scr_1",
        areas=(area(1, "Gold", "0000000001"), area(2, "", "0000000007")),
    )


def test_codes_read_as_the_pos_area_name_else_a_readable_form():
    assert labels(_legacy_layout(), {}) == [
        CategoryLabel("0000000001", "Gold", 1),
        CategoryLabel("0000000007", "Category 7", 2),
    ]
    assert readable("premium_plus") == "Premium plus" and readable("0042") == "Category 42"


def test_names_set_by_the_theatre_win_and_sort_first():
    named = {"0000000007": CategoryName("Recliner", 1), "0000000001": CategoryName("Gold", 5)}
    assert labels(_legacy_layout(), named) == [
        CategoryLabel("0000000007", "Recliner", 1),
        CategoryLabel("0000000001", "Gold", 5),
    ]
    partly = labels(_legacy_layout(), {"0000000007": CategoryName("Recliner", 0)})
    assert [(c.name, c.sort_order) for c in partly] == [("Recliner", 0), ("Gold", 1)]


def test_every_category_of_a_layout_is_listed_once():
    # One area ("Main", category standard) whose sofa row is premium: the area's name goes to
    # its own category; the other reads as its code.
    assert labels(sample_layout(), {}) == [
        CategoryLabel("premium", "Premium", 1),
        CategoryLabel("standard", "Main", 2),
    ]


def test_a_colour_goes_with_its_category_and_alone_names_nothing():
    named = {
        "0000000001": CategoryName(None, 0, "#ffd700"),  # a colour only: still the area's name
        "0000000007": CategoryName("Recliner", 1, "#7b1fa2"),
    }
    assert labels(_legacy_layout(), named) == [
        CategoryLabel("0000000007", "Recliner", 1, "#7b1fa2"),
        CategoryLabel("0000000001", "Gold", 2, "#ffd700"),
    ]
