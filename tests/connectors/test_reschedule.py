"""A show the POS re-issued under a new id (same screen, film and start) is matched on the
next catalog import: the same canonical show, no duplicate, its seat states kept, and the POS's
later changes under the new id land on it. Per protocol, against the real simulators."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory, reconcile
from store import sync as sql
from store.tables import shows
from tests.connectors.conftest import connect_reelfeed, connect_restline, connect_soapbox
from tests.connectors.helpers import free_seats, pick_show, pos, status


def _show_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(shows)).scalar()


def _current_ref(engine, connector_id: str, show_id: str) -> str:
    with engine.connect() as conn:
        ref = sql.external_for(conn, connector_id, "show", show_id)
    assert ref is not None
    return ref[1]


def _rc(seat_id: str) -> tuple[int, int, int]:
    _, r, c = seat_id.split("-")
    return 1, int(r), int(c)


def _check_rescheduled(engine, connector, sim, *, seat_pos, sync) -> None:
    cid = connector.id
    import_catalog(connector)
    show_id, cinema, old_ref = pick_show(engine, cid)
    sold, later = free_seats(engine, show_id, 2)
    sim.box_office.sell(cinema, old_ref, [seat_pos(sold)])
    sync()
    assert status(engine, show_id, sold) == "sold"
    before = _show_count(engine)

    new_ref = sim.box_office.reschedule(cinema, old_ref)
    report = import_catalog(connector)
    assert report.dead_letters == 0
    assert _show_count(engine) == before  # matched, not duplicated
    assert _current_ref(engine, cid, show_id) == new_ref  # outbound calls use the new id
    assert status(engine, show_id, sold) == "sold"  # seat states kept
    with engine.connect() as conn:
        assert (
            conn.execute(select(shows.c.status).where(shows.c.id == show_id)).scalar()
            == "scheduled"
        )
    # The POS's next change, under the new id, lands on the same canonical show.
    sim.box_office.sell(cinema, new_ref, [seat_pos(later)])
    sync()
    assert status(engine, show_id, later) == "sold"
    # A re-import after that changes nothing.
    assert import_catalog(connector).changed == 0 and _show_count(engine) == before


def test_restline_rescheduled_show_is_matched(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    _check_rescheduled(
        engine, connector, restline_sim, seat_pos=pos, sync=lambda: poll_inventory(connector)
    )


def test_reelfeed_rescheduled_show_is_matched(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)

    def sync() -> None:
        assert reelfeed_sim.write_snapshot_now() is not None
        poll_inventory(connector)

    _check_rescheduled(engine, connector, reelfeed_sim, seat_pos=_rc, sync=sync)


def test_soapbox_rescheduled_show_is_matched(sqlite_engine, soapbox_sim):
    connector = connect_soapbox(sqlite_engine, soapbox_sim)
    _check_rescheduled(
        sqlite_engine, connector, soapbox_sim, seat_pos=pos, sync=lambda: reconcile(connector)
    )
