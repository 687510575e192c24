"""A seat snapshot file that produced dead letters is not dead-lettered again at every poll,
but once the mapping is fixed the same file (same content, same name) is read again."""

from __future__ import annotations

from adapters.mapping import load_mapping
from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory
from tests.connectors.conftest import connect_reelfeed
from tests.connectors.helpers import free_seats, pick_show, status
from tests.connectors.test_replay import broken_copy


def test_a_fixed_mapping_rereads_a_file_that_dead_lettered(engine, reelfeed_sim, tmp_path):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seat = free_seats(engine, show_id, 1)[0]
    _, row, col = seat.split("-")
    reelfeed_sim.box_office.sell(site, show_ext, [(1, int(row), int(col))])
    assert reelfeed_sim.write_snapshot_now() is not None

    broken, _ = broken_copy(tmp_path, "reelfeed", "path: Status,", "path: StatusX,")
    fixed = connector.mapping
    connector.mapping = connector.adapter.mapping = load_mapping(broken)
    first = poll_inventory(connector)
    assert first.dead_letters >= 1 and status(engine, show_id, seat) == "available"
    again = poll_inventory(connector)
    assert again.dead_letters == 0 and again.deltas == 0  # not dead-lettered twice

    connector.mapping = connector.adapter.mapping = fixed  # the engineer's fix
    after = poll_inventory(connector)
    assert after.dead_letters == 0 and after.deltas >= 1
    assert status(engine, show_id, seat) == "sold"
