"""Shows the POS stopped listing (cancelled at the theatre) are cancelled by the next catalog
import, unless they have bookings (then a conflict for admins); against the real simulators."""

from __future__ import annotations

from sqlalchemy import select

from booking.services import BookingService
from connectors.catalog import import_catalog
from connectors.link import link_resolver
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store import sync as sql
from store.tables import shows
from tests.connectors.conftest import connect_reelfeed, connect_restline
from tests.connectors.helpers import free_seats, pick_show


def _statuses(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.id: r.status for r in conn.execute(select(shows.c.id, shows.c.status))}


def test_restline_show_cancelled_at_the_pos_is_cancelled(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 1)
    restline_sim.box_office.cancel_session(cinema, session)
    report = import_catalog(connector)
    assert report.schedule_sweep.cancelled == [show_id]
    statuses = _statuses(engine)
    assert statuses[show_id] == "cancelled"
    assert [s for s, v in statuses.items() if v == "cancelled"] == [show_id]
    # Idempotent: the next import changes nothing and cancels nothing more.
    again = import_catalog(connector)
    assert again.changed == 0 and again.schedule_sweep.cancelled == []
    assert _statuses(engine) == statuses
    # A cancelled show no longer reconciles (only scheduled shows are compared).
    with engine.connect() as conn:
        assert show_id not in sql.shows_between(conn, "restline", *_window())


def _window():
    from datetime import timedelta

    from canonical.time import utcnow

    now = utcnow()
    return now - timedelta(hours=3), now + timedelta(days=3)


def test_show_with_a_booking_is_kept_and_raised_as_a_conflict_once(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 0)
    services = BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )
    hold = services.place_hold(show_id, free_seats(engine, show_id, 2), customer_id="cus_sw")
    booking = services.checkout(hold.id, "cus_sw", details={"card_number": CARD_SUCCESS}).booking
    assert booking.status.value == "confirmed"
    restline_sim.box_office.cancel_session(cinema, session)
    report = import_catalog(connector)
    assert report.schedule_sweep.cancelled == [] and len(report.schedule_sweep.conflicts) == 1
    assert _statuses(engine)[show_id] == "scheduled"
    with engine.connect() as conn:
        conflicts = [
            c
            for c in sql.list_conflicts(conn, "restline")
            if c["kind"] == "pos_cancelled_show_with_bookings"
        ]
    assert len(conflicts) == 1 and conflicts[0]["show_id"] == show_id
    assert conflicts[0]["detail"]["bookings"] == [booking.id]
    # Recorded once while open, not on every import.
    assert import_catalog(connector).schedule_sweep.conflicts == []


def test_reelfeed_show_dropped_from_the_schedule_file_is_cancelled(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed", 2)
    reelfeed_sim.box_office.cancel_session(site, show_ext)
    report = import_catalog(connector)
    assert report.dead_letters == 0 and report.schedule_sweep.cancelled == [show_id]
    assert _statuses(engine)[show_id] == "cancelled"


def test_a_rescheduled_show_is_not_cancelled(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 0)
    restline_sim.box_office.reschedule(cinema, session)
    report = import_catalog(connector)
    assert report.schedule_sweep.cancelled == [] and report.schedule_sweep.skipped is None
    assert set(_statuses(engine).values()) == {"scheduled"}


def test_sweep_without_the_imports_listing_reads_the_schedule_again(engine, restline_sim):
    from types import SimpleNamespace

    from connectors.schedule_sweep import sweep_vanished_shows

    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show_id, cinema, session = pick_show(engine, "restline", 1)
    restline_sim.box_office.cancel_session(cinema, session)
    out = sweep_vanished_shows(connector, SimpleNamespace(dead_letters=0), days=14)
    assert out.skipped is None and out.cancelled == [show_id]
    assert _statuses(engine)[show_id] == "cancelled"
