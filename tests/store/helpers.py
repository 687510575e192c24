"""A small show to exercise the seat store with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from canonical import Money, Movie, Screen, Show, Theatre, TicketType
from canonical.layout_builder import standard_layout
from canonical.text import LocalizedText
from store import catalog

START = datetime(2030, 1, 10, 14, 0, tzinfo=UTC)


def make_show(
    engine: Engine, show_id: str = "shw_t", rows: int = 4, per_row: int = 10
) -> list[str]:
    layout = standard_layout("lay_t", "scr_t", rows=rows, seats_per_row=per_row)
    with engine.begin() as conn:
        catalog.save_theatre(
            conn,
            Theatre(
                id="thr_t",
                name="T",
                city="Chennai",
                country="IN",
                timezone="Asia/Kolkata",
                currency="INR",
            ),
        )
        catalog.save_screen(
            conn, Screen(id="scr_t", theatre_id="thr_t", name="1", layout_id=layout.id)
        )
        catalog.save_layout(conn, layout)
        catalog.save_movie(
            conn,
            Movie(
                id="mov_t",
                title=LocalizedText(values={"en": "T"}),
                original_language="en",
                runtime_minutes=100,
            ),
        )
        catalog.save_show(
            conn,
            Show.scheduled(
                tz="Asia/Kolkata",
                id=show_id,
                movie_id="mov_t",
                theatre_id="thr_t",
                screen_id="scr_t",
                start=START,
                end=START + timedelta(hours=2),
                language="en",
                ticket_types=(
                    TicketType(
                        code="ADULT",
                        name="Adult",
                        category="standard",
                        price=Money(amount=100, currency="INR"),
                    ),
                ),
            ),
            layout,
        )
    return [s.id for s in layout.seats()]
