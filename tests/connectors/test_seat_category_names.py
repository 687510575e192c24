"""A legacy POS's category codes (`0000000001`) reach customers as the names the POS gives its
areas, for each shipped simulator's layouts."""

from __future__ import annotations

import pytest

from booking.seat_categories import labels
from connectors.catalog import import_catalog
from store import catalog
from tests.connectors.conftest import connect_reelfeed, connect_restline, connect_soapbox
from tests.connectors.helpers import pick_show

CONNECT = {"restline": connect_restline, "soapbox": connect_soapbox}


@pytest.mark.parametrize("name", ["restline", "soapbox"])
def test_codes_read_as_area_names(sqlite_engine, name, request):
    sim = request.getfixturevalue(f"{name}_sim")
    import_catalog(CONNECT[name](sqlite_engine, sim))
    show_id, _, _ = pick_show(sqlite_engine, name)
    with sqlite_engine.connect() as conn:
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    out = labels(layout, {})
    assert {c.code for c in out} == layout.categories()
    assert all(c.code.isdigit() for c in out)  # the POS's codes ...
    assert all(not c.name[-1].isdigit() for c in out)  # ... read as names ("Gold")


def test_reelfeed_codes_are_readable(sqlite_engine, reelfeed_sim):
    import_catalog(connect_reelfeed(sqlite_engine, reelfeed_sim))
    show_id, _, _ = pick_show(sqlite_engine, "reelfeed")
    with sqlite_engine.connect() as conn:
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    out = labels(layout, {})
    assert {c.code for c in out} == layout.categories()
    assert all(c.name and c.name != c.code or not c.code.isdigit() for c in out)
