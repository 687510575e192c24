"""Faults: the POS down, slow, or failing half its calls. Clear errors, the breaker opens and
closes again, nothing is lost, and the next sync repairs everything."""

from __future__ import annotations

import contextlib
import time

import pytest

from adapters.base import TransientError
from booking.ports import PosUnavailable
from connectors.catalog import import_catalog
from connectors.inventory import poll_inventory
from connectors.link import PosLink
from connectors.resilience import CircuitOpen, breaker_for
from store import catalog
from tests.connectors.conftest import connect_restline
from tests.connectors.helpers import counts, free_seats, pick_show, pos, status


def _show_and_seats(engine, n=1):
    show_id, cinema, session = pick_show(engine, "restline")
    with engine.connect() as conn:
        show = catalog.get_show(conn, show_id)
        layout = catalog.get_layout(conn, catalog.show_layout_id(conn, show_id))
    ids = free_seats(engine, show_id, n)
    return show, [s for s in layout.seats() if s.id in ids], cinema, session


def test_down_opens_the_circuit_and_it_closes_when_the_pos_is_back(engine, restline_sim):
    connector = connect_restline(engine, restline_sim)
    import_catalog(connector)
    show, seats, cinema, session = _show_and_seats(engine)
    link = PosLink(connector)
    restline_sim.set_knobs(down=True)
    # A sale at the box office while we cannot reach the POS: must not be lost.
    restline_sim.box_office.sell(cinema, session, [pos(seats[0].id)])
    errors = []
    for i in range(4):
        with pytest.raises(PosUnavailable) as down:
            link.hold(show, seats, 480, f"k{i}")
        errors.append(down.value)
    assert all(e.retry_after >= 1 for e in errors)
    assert "circuit open" in str(errors[-1])
    assert breaker_for("restline", connector.policy).current_state == "open"
    started = time.monotonic()
    with pytest.raises(CircuitOpen):
        import_catalog(connector)  # refused at once, the POS is not even called
    assert time.monotonic() - started < 0.5
    restline_sim.set_knobs(down=False)
    time.sleep(connector.policy.reset_seconds + 0.1)
    report = poll_inventory(connector)  # half-open probe succeeds: closed again
    assert breaker_for("restline", connector.policy).current_state == "closed"
    assert report.seats_changed >= 1
    assert status(engine, show.id, seats[0].id) == "sold"


def test_slow_pos_times_out_with_a_clear_error(engine, restline_sim):
    connector = connect_restline(engine, restline_sim, read_timeout=0.3, attempts=1)
    import_catalog(connector)
    show, seats, cinema, session = _show_and_seats(engine)
    restline_sim.set_knobs(latency_ms=800)
    with pytest.raises(PosUnavailable) as slow:
        PosLink(connector).hold(show, seats, 480, "slow-1")
    assert "timed out" in str(slow.value)
    restline_sim.set_knobs(latency_ms=0)
    # The POS made the hold after we gave up: the same idempotency key finds the same order.
    time.sleep(1.0)
    remote = PosLink(connector).hold(show, seats, 480, "slow-1")
    assert remote.ref
    assert restline_sim.seat_status(cinema, session, pos(seats[0].id)) == "held"


def test_half_the_calls_failing_loses_nothing(engine, restline_sim):
    connector = connect_restline(
        engine, restline_sim, attempts=8, fail_max=100, backoff_min=0.001, backoff_max=0.01
    )
    restline_sim.set_knobs(error_rate=0.5)
    with contextlib.suppress(TransientError):
        import_catalog(connector)  # may give up on one page; the next run repairs
    restline_sim.set_knobs(error_rate=0.0)
    import_catalog(connector)
    assert counts(engine)["shows"] == 16
    assert import_catalog(connector).changed == 0
    show_id, cinema, session = pick_show(engine, "restline")
    seats = free_seats(engine, show_id, 3)
    restline_sim.box_office.sell(cinema, session, [pos(s) for s in seats])
    restline_sim.set_knobs(error_rate=0.5)
    for _ in range(5):
        try:
            poll_inventory(connector)
            break
        except TransientError:
            continue
    restline_sim.set_knobs(error_rate=0.0)
    poll_inventory(connector)
    assert [status(engine, show_id, s) for s in seats] == ["sold"] * 3
