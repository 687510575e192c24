"""reelfeed (CSV over SFTP, host key pinned) end to end against its simulator."""

from __future__ import annotations

import pytest

from booking.ports import PosRefused
from canonical import Money
from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory
from connectors.link import PosLink
from store import catalog
from tests.connectors.conftest import connect_reelfeed
from tests.connectors.helpers import counts, free_seats, pick_show, snapshot, status


def _rc(seat_id: str) -> tuple[int, int, int]:
    _, r, c = seat_id.split("-")
    return 1, int(r), int(c)


def test_catalog_import_is_idempotent(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    first = import_catalog(connector)
    assert first.dead_letters == 0 and first.counts["show"]["created"] == 16
    before = snapshot(engine)
    assert import_catalog(connector).changed == 0
    assert snapshot(engine) == before


def test_sale_arrives_after_one_poll_and_a_file_twice_is_applied_once(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seat = free_seats(engine, show_id, 1)[0]
    reelfeed_sim.box_office.sell(site, show_ext, [_rc(seat)])
    written = reelfeed_sim.write_snapshot_now()
    assert written is not None
    first = poll_inventory(connector)
    assert first.deltas >= 1 and status(engine, show_id, seat) == "sold"
    # The same file dropped again (copied under its own name): nothing applied twice.
    (written.parent / written.name).write_bytes(written.read_bytes())
    again = poll_inventory(connector)
    assert again.deltas == 0


def test_hold_is_held_at_the_pos_by_request_file(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seats = free_seats(engine, show_id, 2)
    with engine.connect() as conn:
        show = catalog.get_show(conn, show_id)
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    chosen = [s for s in layout.seats() if s.id in seats]
    link = PosLink(connector)
    # Booking's keys read `hold:<id>`: the request file is named after a file-name-safe form
    # (the simulator, like a Windows-hosted SFTP server, drops names with ':').
    remote = link.hold(show, chosen, 600, "hold:rf-1")
    assert [reelfeed_sim.seat_status(site, show_ext, _rc(s)) for s in seats] == ["held", "held"]
    with pytest.raises(PosRefused):
        link.hold(show, chosen, 600, "hold:rf-2")
    link.confirm(
        show,
        remote.ref,
        "MQRF0001",
        Money(amount=2500, currency=show.ticket_types[0].price.currency),
        "sale:rf-1",
    )
    assert reelfeed_sim.seat_status(site, show_ext, _rc(seats[0])) == "sold"


def _drop(sim, name: str, data: bytes) -> None:
    (sim.root / "outbound" / name).write_bytes(data)


def test_bad_files_become_dead_letters_and_import_nothing(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    shows_before = counts(engine)["shows"]
    outbound = reelfeed_sim.root / "outbound"
    schedule = sorted(outbound.glob("schedule_*.csv"))[-1].read_bytes()
    lines = schedule.split(b"\r\n")
    # A schedule for new days, truncated in the middle of its last row.
    shifted = b"\r\n".join(
        [lines[0]] + [ln.replace(b"|20", b"|29").replace(b";20", b";29") for ln in lines[1:] if ln]
    )
    last = shifted.rsplit(b"\r\n", 1)[-1]
    _drop(reelfeed_sim, "schedule_209901010000.csv", shifted[: len(shifted) - len(last) + 12])
    # A UTF-16 file where Latin-1 is expected.
    _drop(reelfeed_sim, "schedule_209901010001.csv", schedule.decode("latin-1").encode("utf-16"))
    report = import_catalog(connector)
    assert report.dead_letters >= 2
    assert "schedule_209901010000.csv" in report.rejected_payloads
    assert counts(engine)["shows"] == shows_before  # no partial import


def test_unknown_seats_in_a_snapshot_reject_that_show_only(engine, reelfeed_sim):
    connector = connect_reelfeed(engine, reelfeed_sim)
    import_catalog(connector)
    show_id, site, show_ext = pick_show(engine, "reelfeed")
    seat = free_seats(engine, show_id, 1)[0]
    _, r, c = seat.split("-")
    body = (
        "SiteCode;ShowID;RowIdx;ColIdx;Status\r\n"
        f"{site};{show_ext};{r};{c};S\r\n{site};{show_ext};77;77;S\r\n"
    ).encode("latin-1")
    _drop(reelfeed_sim, "seats_20990101000000.csv", body)
    before = counts(engine)["dead_letters"]
    report = poll_inventory(connector)
    assert counts(engine)["dead_letters"] > before and report.dead_letters >= 1
    assert status(engine, show_id, seat) == "available"  # the delta was not half applied


def test_file_fingerprint_is_lazy_and_taken_while_streaming(engine, reelfeed_sim):
    import hashlib

    connector = connect_reelfeed(engine, reelfeed_sim)
    outbound = reelfeed_sim.root / "outbound"
    # Asked for before reading (the snapshot poll): the SHA-256 of the file's bytes.
    asked = {p.name: p for p in connector.adapter.fetch("seat_layout")}
    assert asked
    for name, payload in asked.items():
        assert payload.fingerprint == hashlib.sha256((outbound / name).read_bytes()).hexdigest()
    # Read first (the catalog import): the same digest comes from the stream itself.
    for payload in connector.adapter.fetch("seat_layout"):
        assert payload._fp is None  # nothing was read at listing time
        body = payload.read()
        assert payload._fp == hashlib.sha256(body).hexdigest()
        assert payload.fingerprint == asked[payload.name].fingerprint
