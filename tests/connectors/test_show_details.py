"""Show details a real POS carries (restline): audio vs subtitle language, experiences, the
status the theatre reports, a per-ticket booking fee, the online sales window around the start;
a screen's licensed capacity and the theatre's address. Imported, stored, re-imported without
change, and answered by the catalog API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from connectors.catalog import import_catalog
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from store import catalog
from store import sync as sql
from store.tables import screens, shows, theatres
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import snapshot


def test_restline_show_details_are_imported_stored_and_served(db_url, restline_sim):
    hub = build_hub(Settings(database_url=db_url))
    engine = hub.engine
    connector = connect_restline(engine, restline_sim)
    report = import_catalog(connector)
    assert report.dead_letters == 0
    before = snapshot(engine)
    assert import_catalog(connector).changed == 0
    assert snapshot(engine) == before

    state = restline_sim.state
    cinema = state.cinemas[0]
    with engine.connect() as conn:
        theatre_id = sql.canonical_for(conn, "restline", "theatre", cinema.id)
        theatre = conn.execute(
            select(theatres.c.id, theatres.c.address).where(theatres.c.id == theatre_id)
        ).first()
        assert theatre.address and theatre.address.endswith(cinema.city.city)
        capacities = dict(
            conn.execute(
                select(screens.c.name, screens.c.licensed_capacity).where(
                    screens.c.theatre_id == theatre.id
                )
            ).all()
        )
        show_ids = conn.execute(
            select(shows.c.id).where(shows.c.theatre_id == theatre.id).order_by(shows.c.start_at)
        ).scalars()
        stored = [catalog.get_show(conn, s) for s in show_ids]
    sim_screens = {s.name: len(s.layout.seats) - 4 for s in state.screens(cinema)}
    assert capacities == sim_screens

    # The simulator's last screen of a cinema is its VIP lounge.
    vip = [s for s in stored if s.experiences]
    assert vip and all(s.experiences == ("VIP", "RECLINER") for s in vip)
    assert len(vip) < len(stored)  # the other screens carry no experience
    show = vip[0]
    assert show.booking_fee is not None and show.booking_fee.amount == 3000
    assert show.booking_fee.currency == cinema.city.currency
    assert (show.sales_open_minutes_before, show.sales_after_start_minutes) == (20160, 15)
    assert show.status.value == "scheduled"
    expected_subtitles = None if show.language == cinema.city.language else cinema.city.language
    assert show.subtitle_language == expected_subtitles

    with TestClient(create_app(hub, run_worker=False)) as client:
        body = client.get(f"/v1/shows/{show.id}").json()
    assert body["language"] == show.language
    assert body["subtitle_language"] == expected_subtitles
    assert body["experiences"] == ["VIP", "RECLINER"]
    assert body["status"] == "scheduled"
    assert body["booking_fee"] == {"amount": 3000, "currency": cinema.city.currency}
    assert body["sales_close_at"] is not None
    assert body["sales_open_at"] is not None
    hub.engine.dispose()
