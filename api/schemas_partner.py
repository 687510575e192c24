"""Bodies of the partner API (native theatres managing their own catalog)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from api.schemas_auth import Strict
from canonical import Money, SeatArea, ShowFormat, TheatreRules

SLUG = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
# A seat category's colour as the layout editor picks it; stored lower-case, one spelling each.
Colour = Annotated[
    str,
    Field(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#cfe3ff"]),
    AfterValidator(str.lower),
]


class TheatreIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "thr_pune_central",
                    "name": "Central Pune",
                    "city": "Pune",
                    "country": "IN",
                    "timezone": "Asia/Kolkata",
                    "currency": "INR",
                    "default_language": "mr",
                    "address": "FC Road, Pune",
                }
            ]
        },
    )

    id: str = Field(min_length=3, max_length=64, pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    timezone: str = Field(min_length=1, max_length=64, examples=["Asia/Kolkata"])
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    default_language: str = Field(default="en", max_length=35)
    business_day_cutover_hour: int = Field(default=4, ge=0, le=23)
    address: str | None = Field(default=None, max_length=500)
    rules: TheatreRules = TheatreRules()

    @field_validator("rules")
    @classmethod
    def _no_negative_fee(cls, rules: TheatreRules) -> TheatreRules:
        fee = rules.cancellation.fee_fixed
        if fee is not None and fee.amount < 0:
            raise ValueError("a cancellation fee cannot be negative")
        return rules


class ScreenIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id": "scr_pune_1", "name": "Screen 1", "formats": ["2D", "3D"]}]
        },
    )

    id: str = Field(min_length=3, max_length=64, pattern=SLUG)
    name: str = Field(min_length=1, max_length=100)
    formats: list[ShowFormat] = Field(default_factory=lambda: [ShowFormat.TWO_D], min_length=1)


class ScreenOut(BaseModel):
    id: str
    theatre_id: str
    name: str
    formats: list[str]
    layout_id: str | None


class LayoutIn(Strict):
    """A seat layout as JSON. Every seat category must be declared in `categories` (prices are
    set per category); seat ids must be unique and no two seats may share a position."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "categories": ["standard", "premium"],
                    "areas": [
                        {
                            "number": 0,
                            "name": "Stalls",
                            "category": "standard",
                            "rows": [
                                {
                                    "name": "A",
                                    "index": 0,
                                    "seats": [
                                        {
                                            "id": "A1",
                                            "label": "A1",
                                            "position": {"area": 0, "row": 0, "column": 0},
                                            "category": "standard",
                                        },
                                        {
                                            "id": "A2",
                                            "label": "A2",
                                            "position": {"area": 0, "row": 0, "column": 1},
                                            "category": "standard",
                                        },
                                    ],
                                },
                                {
                                    "name": "B",
                                    "index": 1,
                                    "seats": [
                                        {
                                            "id": "B1",
                                            "label": "B1",
                                            "position": {"area": 0, "row": 1, "column": 0},
                                            "category": "premium",
                                        },
                                        {
                                            "id": "B2",
                                            "label": "B2",
                                            "position": {"area": 0, "row": 1, "column": 1},
                                            "category": "premium",
                                        },
                                    ],
                                },
                            ],
                        }
                    ],
                }
            ]
        },
    )

    categories: list[str] = Field(min_length=1, max_length=20)
    areas: list[SeatArea] = Field(min_length=1, max_length=50)
    category_colours: dict[str, Colour] | None = Field(
        default=None,
        max_length=20,
        description="Colour (#rrggbb) per declared category, saved for the theatre with the "
        "layout and shown on the customer's seat map; a category left out loses its colour. "
        "Leave the field out to keep the colours as they are.",
        examples=[{"standard": "#cfe3ff", "premium": "#ffe1a8"}],
    )


class LayoutOut(BaseModel):
    id: str
    screen_id: str
    version: int
    seat_count: int
    categories: list[str]
    areas: list[SeatArea]
    category_colours: dict[str, str] = Field(
        default_factory=dict, description="The colour of each category that has one"
    )


class LocalizedIn(Strict):
    values: dict[str, str] = Field(default_factory=dict, examples=[{"en": "Orbit Nine"}])


class MovieIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "mov_monsoon_letters",
                    "title": {"en": "Monsoon Letters", "ta": "மழைக் கடிதங்கள்"},
                    "synopsis": {"en": "Letters found in an old house."},
                    "original_language": "en",
                    "runtime_minutes": 121,
                    "genres": ["Drama"],
                    "rating": "U",
                }
            ]
        },
    )

    id: str = Field(min_length=3, max_length=64, pattern=SLUG)
    title: dict[str, str] = Field(min_length=1)
    synopsis: dict[str, str] = Field(default_factory=dict)
    original_language: str = Field(max_length=35)
    runtime_minutes: int = Field(ge=1, le=1000)
    genres: list[str] = Field(default_factory=list, max_length=10)
    rating: str | None = Field(default=None, max_length=20)
    release_date: date | None = None
    imdb_id: str | None = Field(default=None, max_length=12, examples=["tt0111161"])
    eidr_id: str | None = Field(default=None, max_length=40)
    tmdb_id: str | None = Field(default=None, max_length=10)


class TicketTypeIn(Strict):
    code: str = Field(min_length=1, max_length=20, examples=["ADULT"])
    name: str = Field(min_length=1, max_length=100, examples=["Adult"])
    category: str = Field(min_length=1, max_length=40, examples=["standard"])
    price: Money

    @field_validator("price")
    @classmethod
    def _not_negative(cls, price: Money) -> Money:
        if price.amount < 0:
            raise ValueError("a price cannot be negative")
        return price


class ShowIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "shw_pune_1_evening",
                    "screen_id": "scr_pune_1",
                    "movie_id": "mov_orbit_nine",
                    "start": "2030-01-15T19:00:00+05:30",
                    "language": "en",
                    "format": "2D",
                    "ticket_types": [
                        {
                            "code": "ADULT",
                            "name": "Adult",
                            "category": "standard",
                            "price": {"amount": 20000, "currency": "INR"},
                        }
                    ],
                }
            ]
        },
    )

    id: str | None = Field(default=None, min_length=3, max_length=64, pattern=SLUG)
    screen_id: str = Field(max_length=64)
    movie_id: str = Field(max_length=64)
    start: AwareDatetime
    end: AwareDatetime | None = Field(
        default=None, description="Default: start + runtime + 15 minutes of trailers"
    )
    language: str = Field(max_length=35)
    format: ShowFormat = ShowFormat.TWO_D
    ticket_types: list[TicketTypeIn] = Field(default_factory=list, max_length=50)
    sales_cutoff_minutes: int = Field(default=0, ge=0, le=1440)


class PricesIn(Strict):
    ticket_types: list[TicketTypeIn] = Field(min_length=1, max_length=50)


class SeatIdsIn(Strict):
    seat_ids: list[str] = Field(min_length=1, max_length=500, examples=[["A1", "A2"]])


class HouseSeatsOut(BaseModel):
    show_id: str
    changed: list[str]
    blocked: list[str] = Field(description="Every seat of the show now blocked")


class ClientIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Box office integration"])


class ClientOut(BaseModel):
    client_id: str
    partner_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked: bool
    client_secret: str | None = Field(
        default=None, description="Shown once, at creation; store it safely"
    )


class SalesRow(BaseModel):
    key: str = Field(description="Show id, business date or theatre id, by `group_by`")
    theatre_id: str | None = None
    show_id: str | None = None
    business_date: date | None = None
    shows: int
    seats_total: int
    seats_sold: int
    seats_blocked: int
    occupancy: float = Field(description="Sold seats / sellable seats (total minus blocked)")
    bookings: int
    tickets: int
    admitted: int = Field(default=0, description="Seats let in at the door (check-in)")
    revenue: Money | None = Field(description="Null when rows mix currencies")


class SalesReport(BaseModel):
    group_by: str
    date_from: date | None
    date_to: date | None
    rows: list[SalesRow]
