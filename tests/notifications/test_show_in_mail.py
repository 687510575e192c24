"""The e-ticket mail names the movie (in the customer's language), theatre, screen and the show's
start in the theatre's own time zone: over real SMTP with the catalog of a demo database, and
through the API's own outbox delivery."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from booking.ports import Notification
from canonical.orders import Customer
from marquee.demo_data import load_demo
from notifications import ChannelNotifier, FileChannel, SmtpEmail
from notifications.shows import CatalogShows, ShowFacts, show_time
from store import catalog
from store.engine import make_engine
from store.tables import shows
from tests.notifications.test_notifications import _booking, _confirmed

TODAY = date(2026, 12, 5)


@pytest.fixture
def demo_engine(sqlite_url: str):
    engine = make_engine(sqlite_url)
    load_demo(engine, today=TODAY, days=1)
    yield engine
    engine.dispose()


def _a_show_of(engine, movie_id: str):
    with engine.connect() as conn:
        show = next(s for s in catalog.list_shows(conn, movie_id=movie_id, limit=50))
        theatre = catalog.get_theatre(conn, show.theatre_id)
        screen = {s.id: s.name for s in catalog.list_screens(conn, show.theatre_id)}[show.screen_id]
        movie = catalog.get_movie(conn, movie_id)
    return show, theatre, screen, movie


def test_e_ticket_mail_names_movie_theatre_screen_and_local_time(smtp_server, demo_engine) -> None:
    show, theatre, screen, movie = _a_show_of(demo_engine, "mov_kaala_vettai")
    booking = _booking().model_copy(update={"show_id": show.id})
    notifier = ChannelNotifier(
        email=SmtpEmail(smtp_server.host, smtp_server.port), shows=CatalogShows(demo_engine)
    )
    notifier.send(_confirmed(Customer(id="c1", email="a@example.com", language="en"), booking))
    notifier.send(_confirmed(Customer(id="c2", email="k@example.com", language="ta-IN"), booking))
    en_mail, ta_mail = smtp_server.messages

    local = show.start.astimezone(ZoneInfo(theatre.timezone))
    en = en_mail.get_body(preferencelist=("plain",)).get_content()
    assert f"Movie: {movie.title.values['en']}" in en
    assert f"Theatre: {theatre.name}" in en
    assert f"Screen: {screen}" in en
    months = "January February March April May June July August September October November December"
    expected = (
        f"{local:%A}, {local.day} {months.split()[local.month - 1]} {local.year}, "
        f"{local:%H:%M} {local.tzname()}"
    )
    assert f"Show time: {expected}" in en
    assert local.tzname() == "IST" and local.utcoffset() == timedelta(hours=5, minutes=30)

    ta = ta_mail.get_body(preferencelist=("plain",)).get_content()
    assert f"திரைப்படம்: {movie.title.values['ta']}" in ta
    assert movie.title.values["ta"] != movie.title.values["en"]
    assert f"திரை: {screen}" in ta and f"{local:%H:%M} IST" in ta
    assert "டிசம்பர்" in ta  # the month in Tamil

    # The HTML alternative says the same, and shows the attached QR code inline.
    markup = en_mail.get_body(preferencelist=("html",)).get_content()
    assert f"<strong>{movie.title.values['en']}</strong>" in markup
    assert f"<td>{theatre.name}</td>" in markup and f"<td>{screen}</td>" in markup
    assert f"<td>{expected}</td>" in markup
    qr = next(p for p in en_mail.iter_attachments() if p.get_filename() == "ticket-MQ7K2P9X.png")
    assert f'src="cid:{qr["Content-ID"].strip("<>")}"' in markup
    ta_markup = ta_mail.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="ta"' in ta_markup and movie.title.values["ta"] in ta_markup


def test_show_time_is_the_theatres_clock_not_the_servers() -> None:
    start = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    london = ShowFacts("M", "T", "S", start, "Europe/London")
    chennai = ShowFacts("M", "T", "S", start, "Asia/Kolkata")
    assert show_time(london, "en") == "Saturday, 5 December 2026, 08:30 GMT"
    assert show_time(chennai, "en") == "Saturday, 5 December 2026, 14:00 IST"
    assert show_time(chennai, "hi") == "शनिवार, 5 दिसंबर 2026, 14:00 IST"
    assert show_time(chennai, "fr") == show_time(chennai, "en")  # no French words: English


def test_a_show_given_in_the_context_is_used_as_it_is(tmp_path: Path) -> None:
    notifier = ChannelNotifier(email=FileChannel(tmp_path, "email"))  # no catalog at all
    context = {
        "booking": _booking().model_dump(mode="json"),
        "show": {
            "movie": "Orbit Nine",
            "theatre": "Marquee Soho",
            "screen": "Screen 2",
            "start": "2026-12-05T19:00:00+00:00",
            "timezone": "Europe/London",
        },
    }
    notifier.send(
        Notification(
            kind="booking_confirmed",
            customer=Customer(id="c1", email="a@example.com"),
            context=context,
        )
    )
    (mail,) = FileChannel(tmp_path, "email").read()
    assert "Movie: Orbit Nine\nTheatre: Marquee Soho\nScreen: Screen 2\n" in mail["body"]
    assert "Show time: Saturday, 5 December 2026, 19:00 GMT" in mail["body"]


def test_names_are_escaped_in_the_html_not_in_the_text(smtp_server) -> None:
    notifier = ChannelNotifier(email=SmtpEmail(smtp_server.host, smtp_server.port))
    show = {
        "movie": "Fast & <Furious>",
        "theatre": "Rex",
        "screen": "1",
        "start": "2026-12-05T19:00:00+00:00",
        "timezone": "Europe/London",
    }
    context = {"booking": _booking().model_dump(mode="json"), "show": show}
    customer = Customer(id="c1", email="a@example.com")
    notifier.send(Notification(kind="booking_confirmed", customer=customer, context=context))
    (mail,) = smtp_server.messages
    assert "Movie: Fast & <Furious>" in mail.get_body(preferencelist=("plain",)).get_content()
    markup = mail.get_body(preferencelist=("html",)).get_content()
    assert "Fast &amp; &lt;Furious&gt;" in markup and "<Furious>" not in markup


def test_the_api_process_mails_the_show_with_the_ticket(sqlite_url: str, tmp_path: Path) -> None:
    from api.app import create_app
    from marquee.bootstrap import build_hub
    from marquee.settings import Settings
    from tests.api.conftest import Api, seed_accounts

    hub = build_hub(Settings(database_url=sqlite_url, notify_dir=tmp_path / "mail"))
    load_demo(hub.engine, days=2)
    seed_accounts(hub)
    with TestClient(create_app(hub, run_worker=True)) as client:
        api = Api(client, hub)
        auth = api.auth("cust-a@test.example")
        show = client.get("/v1/shows", params={"movie_id": "mov_orbit_nine", "limit": 1}).json()
        show_id = show["items"][0]["id"]
        hold = client.post("/v1/holds", headers=auth, json={"show_id": show_id, "seat_ids": ["C3"]})
        assert hold.status_code == 201, hold.text
        paid = client.post(
            "/v1/checkout",
            headers=auth,
            json={"hold_id": hold.json()["id"], "payment": {"card_number": "4242424242424242"}},
        )
        assert paid.status_code == 201, paid.text
        code = paid.json()["booking"]["code"]
        mail_box = FileChannel(tmp_path / "mail", "email")
        deadline = time.monotonic() + 20
        mails: list[dict] = []
        while time.monotonic() < deadline:
            mails = [m for m in mail_box.read() if m["kind"] == "booking_confirmed"]
            if mails:
                break
            time.sleep(0.2)
    hub.engine.dispose()
    assert mails, "the e-ticket was mailed"
    body = mails[0]["body"]
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        stored = catalog.get_show(conn, show_id)
        theatre = catalog.get_theatre(conn, stored.theatre_id)
        screen = {s.id: s.name for s in catalog.list_screens(conn, stored.theatre_id)}
    engine.dispose()
    local = stored.start.astimezone(ZoneInfo(theatre.timezone))
    assert f"Booking code: {code}" in body
    assert "Movie: Orbit Nine" in body
    assert f"Theatre: {theatre.name}" in body
    assert f"Screen: {screen[stored.screen_id]}" in body
    assert f"{local:%H:%M} {local.tzname()}" in body


def test_show_facts_are_read_once_per_show_for_a_few_seconds(demo_engine) -> None:
    show, _, _, _ = _a_show_of(demo_engine, "mov_kaala_vettai")
    now = [100.0]
    lookup = CatalogShows(demo_engine, keep_seconds=5, clock=lambda: now[0])
    first = lookup(show.id, ["en"])
    assert first is not None and first.start == show.start
    moved = show.start + timedelta(hours=2)
    with demo_engine.begin() as conn:
        conn.execute(update(shows).where(shows.c.id == show.id).values(start_at=moved))
    now[0] += 4.9
    assert lookup(show.id, ["en"]) is first  # a sale's e-tickets share one read
    now[0] += 0.2
    again = lookup(show.id, ["en"])
    assert again is not None and again.start == moved  # a change is read within seconds
