"""A screen's layout that changes at the POS (a refit, a row removed) is a new version: shows
already sold keep the seats they were sold on, the others and every later show follow the new
layout. Before, the re-import overwrote the layout under sold seats."""

from __future__ import annotations

from sqlalchemy import select

from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory
from store import catalog
from store.tables import screens, seat_layouts, shows
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import free_seats, pick_show, pos, snapshot, status


def _layout_of(engine, show_id: str):
    with engine.connect() as conn:
        return catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))


def test_a_refitted_screen_is_a_new_layout_version_and_sold_shows_keep_theirs(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    sold_show, cinema, session = pick_show(engine, "restline")
    with engine.connect() as conn:
        screen_id = catalog.get_show(conn, sold_show).screen_id
        others = list(
            conn.execute(
                select(shows.c.id).where(shows.c.screen_id == screen_id, shows.c.id != sold_show)
            ).scalars()
        )
    assert others, "the simulator gives each screen several shows"
    before = _layout_of(engine, sold_show)
    seat = free_seats(engine, sold_show, 1)[0]
    restline_sim.box_office.sell(cinema, session, [pos(seat)])
    poll_inventory(connector)
    assert status(engine, sold_show, seat) == "sold"

    # The theatre refits its screens: every screen now has another auditorium template.
    state = restline_sim.state
    state.layouts = state.layouts[1:] + state.layouts[:1]
    import_catalog(connector)

    after = _layout_of(engine, others[0])
    assert after.id == before.id  # the screen's layout keeps its id ...
    assert after.version == before.version + 1  # ... at the next version
    assert after.areas != before.areas
    kept = _layout_of(engine, sold_show)
    assert kept.id != before.id  # a frozen copy of the version it was sold on
    assert (kept.areas, kept.version) == (before.areas, before.version)
    assert status(engine, sold_show, seat) == "sold"
    with engine.connect() as conn:
        screen_layout = select(screens.c.layout_id).where(screens.c.id == screen_id)
        assert conn.execute(screen_layout).scalar() == before.id
        assert all(catalog.show_layout_id(conn, s) == before.id for s in others)

    # Importing the same export again changes nothing: the sold show stays on its copy and
    # the version does not count up again.
    unchanged = snapshot(engine)
    import_catalog(connector)
    assert snapshot(engine) == unchanged
    with engine.connect() as conn:
        of_screen = conn.execute(
            select(seat_layouts.c.id).where(seat_layouts.c.screen_id == screen_id)
        ).scalars()
        assert sorted(of_screen) == sorted([before.id, kept.id])
