"""Response bodies of the public API (the contract), built from canonical objects."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from canonical import Money, Movie, Show, Theatre


class TheatreOut(BaseModel):
    id: str
    name: str
    city: str
    country: str
    timezone: str
    currency: str
    address: str | None = None
    legacy: bool = Field(description="Sells through a legacy POS connector")

    @classmethod
    def of(cls, t: Theatre) -> TheatreOut:
        return cls(
            id=t.id,
            name=t.name,
            city=t.city,
            country=t.country,
            timezone=t.timezone,
            currency=t.currency,
            address=t.address,
            legacy=t.connector_id is not None,
        )


class MovieOut(BaseModel):
    id: str
    title: str | None
    title_language: str | None
    synopsis: str | None
    original_language: str
    runtime_minutes: int
    genres: list[str]
    rating: str | None

    @classmethod
    def of(cls, m: Movie, langs: list[str]) -> MovieOut:
        return cls(
            id=m.id,
            title=m.title.resolve(langs, m.original_language),
            title_language=m.title.resolve_tag(langs, m.original_language),
            synopsis=m.synopsis.resolve(langs, m.original_language),
            original_language=m.original_language,
            runtime_minutes=m.runtime_minutes,
            genres=list(m.genres),
            rating=m.rating,
        )


class PriceOut(BaseModel):
    ticket_type: str
    name: str
    category: str
    price: Money


class ShowOut(BaseModel):
    id: str
    movie_id: str
    theatre_id: str
    screen_id: str
    screen_name: str | None = Field(
        default=None, description="What the theatre calls the screen (customer catalog reads)"
    )
    start: datetime
    end: datetime
    local_start: str = Field(description="Start in the theatre's own time zone, ISO 8601")
    business_date: date
    language: str = Field(description="The audio language")
    subtitle_language: str | None = Field(default=None, description="Subtitles, if any")
    format: str
    experiences: list[str] = Field(
        default_factory=list, description="Experience tags beyond the format (VIP, DBOX...)"
    )
    status: str = Field(
        default="scheduled", description="As the theatre reports it: scheduled, cancelled, sold_out"
    )
    prices: list[PriceOut]
    booking_fee: Money | None = Field(
        default=None, description="Per ticket, on top of the price, when the theatre charges one"
    )
    sales_open_at: datetime | None = Field(
        default=None, description="Online sales open (None: open as soon as listed)"
    )
    sales_close_at: datetime | None = Field(
        default=None, description="Online sales close (may be after the start)"
    )

    @classmethod
    def of(cls, s: Show, tz: str, screen_name: str | None = None) -> ShowOut:
        from canonical.time import zone

        return cls(
            id=s.id,
            movie_id=s.movie_id,
            theatre_id=s.theatre_id,
            screen_id=s.screen_id,
            screen_name=screen_name,
            start=s.start,
            end=s.end,
            local_start=s.start.astimezone(zone(tz)).isoformat(),
            business_date=s.business_date,
            language=s.language,
            subtitle_language=s.subtitle_language,
            format=s.format.value,
            experiences=list(s.experiences),
            status=s.status.value,
            booking_fee=s.booking_fee,
            sales_open_at=s.sales_open(),
            sales_close_at=s.sales_close(),
            prices=[
                PriceOut(ticket_type=t.code, name=t.name, category=t.category, price=t.price)
                for t in s.ticket_types
            ],
        )


class SeatOut(BaseModel):
    id: str
    label: str
    row: str
    area: int
    row_index: int
    column: int
    category: str
    status: str = Field(description="available, held, sold or blocked")
    flags: list[str]
    group: str | None


class CategoryLabelOut(BaseModel):
    code: str = Field(description="The code seats carry in `category`")
    name: str = Field(description="What customers read")
    sort_order: int
    colour: str | None = Field(
        default=None, description="The theatre's colour for the category (#rrggbb), if it set one"
    )


class SeatMapOut(BaseModel):
    show_id: str
    layout_id: str
    available: int
    total: int
    categories: dict[str, PriceOut | None]
    category_labels: list[CategoryLabelOut] = Field(
        default_factory=list, description="Seat categories in display order, with their names"
    )
    seats: list[SeatOut]
