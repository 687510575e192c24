"""Demo data for the embedded hub: native theatres in two cities and two time zones, movies with
translations, and a week of shows from today. Loading is idempotent (fixed ids, upserts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select

from canonical import (
    LocalizedText,
    Money,
    Movie,
    Screen,
    Show,
    ShowFormat,
    Theatre,
    TheatreRules,
    TicketType,
)
from canonical.layout_builder import standard_layout
from canonical.time import localize
from store import catalog
from store.tables import partners, shows

if TYPE_CHECKING:
    from marquee.pii import PiiCipher

DEMO_PARTNER = "prt_demo"

THEATRES = [
    Theatre(
        id="thr_chennai_marina",
        name="Marquee Marina",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        default_language="ta",
        partner_id=DEMO_PARTNER,
        address="Kamarajar Salai, Chennai",
    ),
    Theatre(
        id="thr_chennai_adyar",
        name="Marquee Adyar",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        default_language="ta",
        partner_id=DEMO_PARTNER,
        rules=TheatreRules(no_orphan_seats=True),
    ),
    Theatre(
        id="thr_london_soho",
        name="Marquee Soho",
        city="London",
        country="GB",
        timezone="Europe/London",
        currency="GBP",
        default_language="en",
        partner_id=DEMO_PARTNER,
    ),
]

MOVIES = [
    Movie(
        id="mov_kaala_vettai",
        title=LocalizedText(values={"ta": "காலா வேட்டை", "en": "The Dark Hunt", "hi": "काली शिकार"}),
        synopsis=LocalizedText(
            values={
                "en": "A retired detective is pulled back for one last case in Chennai.",
                "ta": "ஓய்வுபெற்ற துப்பறிவாளர் ஒரு கடைசி வழக்கிற்காக மீண்டும் அழைக்கப்படுகிறார்.",
            }
        ),
        original_language="ta",
        runtime_minutes=148,
        genres=("Action", "Thriller"),
        rating="UA",
    ),
    Movie(
        id="mov_paper_moons",
        title=LocalizedText(values={"en": "Paper Moons", "ta": "காகித நிலவுகள்"}),
        synopsis=LocalizedText(values={"en": "Two strangers share a night train across Europe."}),
        original_language="en",
        runtime_minutes=112,
        genres=("Drama", "Romance"),
        rating="12A",
    ),
    Movie(
        id="mov_orbit_nine",
        title=LocalizedText(values={"en": "Orbit Nine", "hi": "ऑर्बिट नाइन"}),
        synopsis=LocalizedText(
            values={"en": "A salvage crew finds a station that should not exist."}
        ),
        original_language="en",
        runtime_minutes=131,
        genres=("Sci-Fi", "Adventure"),
        rating="UA",
    ),
]

# (local start, movie, language, format) per screen and day
SLOTS = [
    (time(10, 0), "mov_paper_moons", "en", ShowFormat.TWO_D),
    (time(14, 0), "mov_kaala_vettai", "ta", ShowFormat.TWO_D),
    (time(18, 30), "mov_orbit_nine", "en", ShowFormat.IMAX),
    (time(22, 15), "mov_kaala_vettai", "ta", ShowFormat.THREE_D),
]

PRICES = {  # category -> minor units, per currency
    "INR": {"standard": 18000, "premium": 25000, "recliner": 45000},
    "GBP": {"standard": 1250, "premium": 1600, "recliner": 2400},
}


def _ticket_types(currency: str) -> tuple[TicketType, ...]:
    return tuple(
        TicketType(
            code="ADULT", name="Adult", category=cat, price=Money(amount=amt, currency=currency)
        )
        for cat, amt in PRICES[currency].items()
    )


# Demo logins (README "Using the API"): one per role; the partner staff user runs prt_demo.
DEMO_USERS = [
    ("usr_demo_admin", "admin@marquee.demo", "admin-demo-pass", "admin", None),
    ("usr_demo_partner", "partner@marquee.demo", "partner-demo-pass", "partner", DEMO_PARTNER),
    ("usr_demo_customer", "customer@marquee.demo", "customer-demo-pass", "customer", None),
]


def load_demo_users(engine: Engine, cipher: PiiCipher | None = None) -> int:
    """Create the demo logins if missing (stored like any account: argon2, encrypted email).
    `cipher`: the Hub's; without one, a cipher on the process's settings."""
    from api.security import accounts
    from api.security.scopes import Role
    from store import users

    if cipher is None:
        from marquee.bootstrap import build_hub

        cipher = build_hub().cipher
    created = 0
    with engine.begin() as conn:
        for user_id, email, password, role, partner in DEMO_USERS:
            if users.get_by_email_hash(conn, cipher.email_hash(email)) is None:
                accounts.create_account(
                    conn,
                    cipher,
                    email=email,
                    password=password,
                    role=Role(role),
                    partner_id=partner,
                    user_id=user_id,
                    name=f"Demo {role}",
                )
                created += 1
    return created


def load_demo(
    engine: Engine,
    *,
    today: date | None = None,
    days: int = 7,
    cipher: PiiCipher | None = None,
) -> dict[str, int]:
    today = today or datetime.now(UTC).date()
    counts = {"theatres": 0, "screens": 0, "movies": 0, "shows": 0}
    with engine.begin() as conn:
        if not conn.execute(select(partners.c.id).where(partners.c.id == DEMO_PARTNER)).first():
            conn.execute(
                partners.insert().values(
                    id=DEMO_PARTNER, name="Marquee Demo Cinemas", created_at=datetime.now(UTC)
                )
            )
        for movie in MOVIES:
            catalog.save_movie(conn, movie)
            counts["movies"] += 1
        for theatre in THEATRES:
            catalog.save_theatre(conn, theatre)
            counts["theatres"] += 1
            for n in (1, 2):
                screen_id = f"scr_{theatre.id[4:]}_{n}"
                layout = standard_layout(f"lay_{theatre.id[4:]}_{n}", screen_id, rows=10 + 2 * n)
                catalog.save_screen(
                    conn,
                    Screen(
                        id=screen_id,
                        theatre_id=theatre.id,
                        name=f"Screen {n}",
                        formats=("2D", "3D", "IMAX"),
                        layout_id=layout.id,
                    ),
                )
                catalog.save_layout(conn, layout)
                counts["screens"] += 1
                for d in range(days):
                    day = today + timedelta(days=d)
                    for start_local, movie_id, lang, fmt in SLOTS:
                        show_id = f"shw_{theatre.id[4:]}_{n}_{day:%Y%m%d}_{start_local:%H%M}"
                        if conn.execute(select(shows.c.id).where(shows.c.id == show_id)).first():
                            continue
                        start = localize(datetime.combine(day, start_local), theatre.timezone)
                        runtime = next(m.runtime_minutes for m in MOVIES if m.id == movie_id)
                        show = Show.scheduled(
                            tz=theatre.timezone,
                            cutover_hour=theatre.business_day_cutover_hour,
                            id=show_id,
                            movie_id=movie_id,
                            theatre_id=theatre.id,
                            screen_id=screen_id,
                            start=start,
                            end=start + timedelta(minutes=runtime + 20),
                            language=lang,
                            format=fmt,
                            ticket_types=_ticket_types(theatre.currency),
                        )
                        catalog.save_show(conn, show, layout)
                        counts["shows"] += 1
    counts["users"] = load_demo_users(engine, cipher)
    return counts
