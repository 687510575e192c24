"""Catalog: movies, theatres, screens, seat layouts, shows and their prices."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from canonical.identity import CanonicalId, ExternalRef
from canonical.money import CurrencyCode, Money
from canonical.text import LocalizedText, normalize_tag
from canonical.time import DEFAULT_BUSINESS_DAY_CUTOVER, Instant, TimeZoneName, business_date


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Movie(_Model):
    id: CanonicalId
    title: LocalizedText
    synopsis: LocalizedText = LocalizedText()
    original_language: str = Field(examples=["ta"])
    runtime_minutes: int = Field(ge=1, le=1000)
    genres: tuple[str, ...] = ()
    rating: str | None = Field(default=None, examples=["UA"])
    release_date: date | None = None
    external_refs: tuple[ExternalRef, ...] = ()
    # Industry-wide ids, when the source carries them: how one film from two systems is known
    # to be one movie.
    imdb_id: str | None = Field(default=None, pattern=r"^tt\d{7,10}$", examples=["tt0111161"])
    eidr_id: str | None = Field(
        default=None,
        pattern=r"^10\.5240/[0-9A-F-]{21,}$",
        examples=["10.5240/7791-8534-2C23-9030-8610-5"],
    )
    tmdb_id: str | None = Field(default=None, pattern=r"^\d{1,10}$", examples=["278"])

    @model_validator(mode="after")
    def _lang(self) -> Movie:
        normalize_tag(self.original_language)
        return self


class Translation(_Model):
    """Localized text for one movie in one language, as imported from a localization feed."""

    movie_id: CanonicalId
    language: str
    title: str | None = None
    synopsis: str | None = None

    @model_validator(mode="after")
    def _lang(self) -> Translation:
        object.__setattr__(self, "language", normalize_tag(self.language))
        return self


class CancellationPolicy(_Model):
    cutoff_minutes: int = Field(
        default=120, ge=0, description="No cancellation this close to the show"
    )
    fee_percent: int = Field(default=0, ge=0, le=100)
    fee_fixed: Money | None = None


class TheatreRules(_Model):
    max_seats_per_hold: int = Field(default=10, ge=1, le=50)
    hold_ttl_seconds: int = Field(default=480, ge=60, le=3600)
    no_orphan_seats: bool = False
    companion_requires_wheelchair: bool = True
    cancellation: CancellationPolicy = CancellationPolicy()


class Theatre(_Model):
    id: CanonicalId
    name: str = Field(min_length=1)
    city: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", examples=["IN"])
    timezone: TimeZoneName
    currency: CurrencyCode
    default_language: str = "en"
    business_day_cutover_hour: int = Field(default=DEFAULT_BUSINESS_DAY_CUTOVER, ge=0, le=23)
    address: str | None = None
    partner_id: str | None = Field(default=None, description="Owning partner (native theatres)")
    connector_id: str | None = Field(default=None, description="Legacy link, if any")
    rules: TheatreRules = TheatreRules()
    external_refs: tuple[ExternalRef, ...] = ()


class SeatFlag(StrEnum):
    WHEELCHAIR = "wheelchair"
    COMPANION = "companion"
    BLOCKED = "blocked"
    HOUSE = "house"


class GridPosition(_Model):
    area: int = Field(ge=0)
    row: int = Field(ge=0)
    column: int = Field(ge=0)


class Seat(_Model):
    id: CanonicalId = Field(description="Stable id inside the layout", examples=["A-12"])
    label: str = Field(min_length=1, description="What the ticket prints", examples=["A12"])
    position: GridPosition
    category: str = Field(default="standard", examples=["standard", "premium", "recliner"])
    flags: frozenset[SeatFlag] = frozenset()
    group: str | None = Field(
        default=None, description="Seats sharing a group sell together (sofas)"
    )
    external_id: str | None = None


class SeatRow(_Model):
    name: str = Field(examples=["A"])
    index: int = Field(ge=0)
    seats: tuple[Seat, ...]


class SeatArea(_Model):
    number: int = Field(ge=0)
    name: str = ""
    category: str = "standard"
    rows: tuple[SeatRow, ...]


class SeatLayout(_Model):
    id: CanonicalId
    screen_id: CanonicalId
    areas: tuple[SeatArea, ...] = Field(min_length=1)
    version: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _unique(self) -> SeatLayout:
        ids: set[str] = set()
        positions: set[tuple[int, int, int]] = set()
        groups: dict[str, int] = {}
        for seat in self.seats():
            if seat.id in ids:
                raise ValueError(f"duplicate seat id {seat.id!r} in layout {self.id!r}")
            ids.add(seat.id)
            pos = (seat.position.area, seat.position.row, seat.position.column)
            if pos in positions:
                raise ValueError(
                    f"seat {seat.id!r} overlaps another seat at area {pos[0]}, row {pos[1]}, "
                    f"column {pos[2]}"
                )
            positions.add(pos)
            if seat.group:
                groups[seat.group] = groups.get(seat.group, 0) + 1
        lonely = sorted(g for g, n in groups.items() if n < 2)
        if lonely:
            raise ValueError(f"seat groups with a single seat: {', '.join(lonely)}")
        return self

    def seats(self) -> list[Seat]:
        return [seat for area in self.areas for row in area.rows for seat in row.seats]

    def seat_map(self) -> dict[str, Seat]:
        return {seat.id: seat for seat in self.seats()}

    def categories(self) -> set[str]:
        return {seat.category for seat in self.seats()}


class Screen(_Model):
    id: CanonicalId
    theatre_id: CanonicalId
    name: str
    formats: tuple[str, ...] = ("2D",)
    layout_id: CanonicalId | None = None
    licensed_capacity: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Seats the screen is licensed to admit (may be fewer than its layout has)",
    )
    external_refs: tuple[ExternalRef, ...] = ()


class ShowFormat(StrEnum):
    TWO_D = "2D"
    THREE_D = "3D"
    IMAX = "IMAX"
    IMAX_3D = "IMAX 3D"
    FOUR_DX = "4DX"
    SCREEN_X = "ScreenX"
    DOLBY = "Dolby Cinema"


class ShowStatus(StrEnum):
    """A show's state as its theatre reports it."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    SOLD_OUT = "sold_out"


class SalesChannel(StrEnum):
    WEB = "web"
    APP = "app"
    BOX_OFFICE = "box_office"
    KIOSK = "kiosk"
    PARTNER = "partner"


class TicketType(_Model):
    code: str = Field(min_length=1, examples=["ADULT"])
    name: str
    category: str = Field(description="Seat category this price applies to", examples=["standard"])
    price: Money
    external_code: str | None = None


class Show(_Model):
    id: CanonicalId
    movie_id: CanonicalId
    theatre_id: CanonicalId
    screen_id: CanonicalId
    start: Instant
    end: Instant
    business_date: date
    language: str = Field(examples=["ta"], description="The audio language")
    subtitle_language: str | None = Field(
        default=None, examples=["en"], description="Subtitles, if any (None: none or unknown)"
    )
    format: ShowFormat = ShowFormat.TWO_D
    experiences: tuple[str, ...] = Field(
        default=(),
        examples=[["VIP"], ["DBOX", "ATMOS"]],
        description="Upper-case tags of the experience beyond the format (VIP, DBOX, ATMOS...)",
    )
    status: ShowStatus = ShowStatus.SCHEDULED
    ticket_types: tuple[TicketType, ...] = ()
    booking_fee: Money | None = Field(
        default=None, description="Per ticket, on top of the ticket price, as the theatre sets it"
    )
    sales_channels: frozenset[SalesChannel] = frozenset({SalesChannel.WEB, SalesChannel.APP})
    sales_cutoff_minutes: int = Field(default=0, ge=0, description="Online sales stop this early")
    sales_after_start_minutes: int = Field(
        default=0, ge=0, le=600, description="Online sales continue this long after the start"
    )
    sales_open_minutes_before: int | None = Field(
        default=None,
        ge=0,
        description="Online sales open this long before the start (None: as soon as listed)",
    )
    external_refs: tuple[ExternalRef, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Show:
        # Imports validate shows by the million: one pass over the ticket types, messages
        # built only on failure, the checks reported in the same order as before.
        if self.end <= self.start:
            raise ValueError("a show must end after it starts")
        tickets = self.ticket_types
        if tickets:
            currency = tickets[0].price.currency
            mixed = duplicate = False
            seen: set[tuple[str, str]] = set()
            for ticket in tickets:
                if ticket.price.currency != currency:
                    mixed = True
                key = (ticket.code, ticket.category)
                if key in seen:
                    duplicate = True
                seen.add(key)
            if mixed:
                currencies = sorted({t.price.currency for t in tickets})
                raise ValueError(f"a show's prices mix currencies: {', '.join(currencies)}")
            if duplicate:
                raise ValueError("duplicate ticket type for the same seat category")
        normalize_tag(self.language)
        if self.subtitle_language is not None:
            object.__setattr__(self, "subtitle_language", normalize_tag(self.subtitle_language))
        if self.sales_cutoff_minutes and self.sales_after_start_minutes:
            raise ValueError("online sales cannot both stop before the start and continue after it")
        if self.booking_fee is not None:
            if self.booking_fee.amount < 0:
                raise ValueError("a booking fee cannot be negative")
            if tickets and self.booking_fee.currency != tickets[0].price.currency:
                raise ValueError("the booking fee's currency is not the prices' currency")
        if self.experiences:
            object.__setattr__(
                self,
                "experiences",
                tuple(dict.fromkeys(e.strip().upper() for e in self.experiences if e.strip())),
            )
        return self

    @classmethod
    def scheduled(
        cls, *, tz: str, cutover_hour: int = DEFAULT_BUSINESS_DAY_CUTOVER, **fields: Any
    ) -> Show:
        """Build a show, deriving its business date from the theatre's zone and cut-over."""
        start = fields.get("start")
        if isinstance(start, datetime) and start.tzinfo is not None:
            fields.setdefault("business_date", business_date(start, tz, cutover_hour))
        # otherwise validation below reports the naive or missing start time
        return cls(**fields)

    def price_for(self, category: str, code: str | None = None) -> TicketType | None:
        for ticket in self.ticket_types:
            if ticket.category == category and (code is None or ticket.code == code):
                return ticket
        return None

    def sales_close(self) -> Instant:
        return self.start - timedelta(
            minutes=self.sales_cutoff_minutes - self.sales_after_start_minutes
        )

    def sales_open(self) -> Instant | None:
        if self.sales_open_minutes_before is None:
            return None
        return self.start - timedelta(minutes=self.sales_open_minutes_before)
