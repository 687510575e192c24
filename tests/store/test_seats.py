"""The seat store on SQLite and on PostgreSQL (every test runs on both)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from canonical import SeatStatus
from store import catalog, seats
from store.engine import make_engine
from store.tables import booking_seats, bookings, show_seats
from tests.store.helpers import make_show

NOW = datetime(2030, 1, 10, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=8)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _statuses(engine, show_id="shw_t", now=NOW):
    with engine.connect() as conn:
        return {r.seat_id: (r.status, r.hold_id) for r in seats.seat_rows(conn, show_id, now)}


def test_hold_takes_all_seats_or_none(engine):
    make_show(engine)
    with engine.begin() as conn:
        assert seats.take_seats(conn, "shw_t", ["A3", "A4"], "h1", LATER, NOW) == 2
    with pytest.raises(seats.SeatsNotTaken) as err, engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["A4", "A5", "A6"], "h2", LATER, NOW)
    assert err.value.unavailable == ["A4"]
    state = _statuses(engine)
    assert state["A4"] == (SeatStatus.HELD, "h1")
    assert state["A5"] == (SeatStatus.AVAILABLE, None)  # rolled back with the rest


def test_unknown_seats_are_named_and_nothing_is_taken(engine):
    make_show(engine)
    with pytest.raises(seats.SeatsNotTaken) as err, engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["A1", "Z99"], "h1", LATER, NOW)
    assert err.value.unknown == ["Z99"]
    assert _statuses(engine)["A1"] == (SeatStatus.AVAILABLE, None)


def test_an_expired_hold_counts_as_free(engine):
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["B1", "B2"], "old", NOW + timedelta(minutes=1), NOW)
    after = NOW + timedelta(minutes=2)
    assert _statuses(engine, now=after)["B1"] == (SeatStatus.AVAILABLE, None)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["B1"], "new", after + timedelta(minutes=8), after)
    state = _statuses(engine, now=after)
    assert state["B1"] == (SeatStatus.HELD, "new")
    # releasing the stale hold must not free the seat the new hold now owns
    with engine.begin() as conn:
        assert seats.release_hold(conn, "old") == 1  # only B2 was still the old hold's
    assert _statuses(engine, now=after)["B1"] == (SeatStatus.HELD, "new")


def test_sell_requires_the_hold_to_still_own_every_seat(engine):
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["C1", "C2"], "h1", LATER, NOW)
        seats.sell_hold(conn, "shw_t", "h1", "bk1", ["C1", "C2"])
    assert _statuses(engine)["C1"] == (SeatStatus.SOLD, None)
    with pytest.raises(seats.SeatsNotTaken), engine.begin() as conn:
        seats.sell_hold(conn, "shw_t", "h1", "bk2", ["C1"])
    with engine.begin() as conn:
        assert seats.release_booking(conn, "bk1") == 2
    assert _statuses(engine)["C1"] == (SeatStatus.AVAILABLE, None)


def test_external_status_never_overwrites_a_marquee_booking(engine):
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["D1"], "h1", LATER, NOW)
        seats.sell_hold(conn, "shw_t", "h1", "bk1", ["D1"])
        changed = seats.set_external_status(conn, "shw_t", ["D1", "D2"], SeatStatus.SOLD)
    assert changed == 1
    with engine.connect() as conn:
        booked = conn.execute(
            select(show_seats.c.booking_id).where(show_seats.c.seat_id == "D1")
        ).scalar()
    assert booked == "bk1"


def test_the_database_refuses_a_seat_in_two_live_bookings(engine):
    make_show(engine)
    with engine.begin() as conn:
        for bid in ("bk1", "bk2"):
            conn.execute(
                insert(bookings).values(
                    id=bid,
                    code=bid.upper(),
                    show_id="shw_t",
                    customer_id="c",
                    status="confirmed",
                    total_amount=100,
                    currency="INR",
                    tickets=[],
                    created_at=NOW,
                )
            )
        conn.execute(
            insert(booking_seats).values(
                booking_id="bk1", show_id="shw_t", seat_id="E1", active=True
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(booking_seats).values(
                booking_id="bk2", show_id="shw_t", seat_id="E1", active=True
            )
        )
    with engine.begin() as conn:  # a cancelled booking's seat can be booked again
        conn.execute(update(booking_seats).values(active=False))
        conn.execute(
            insert(booking_seats).values(
                booking_id="bk2", show_id="shw_t", seat_id="E1", active=True
            )
        )


def test_the_database_refuses_a_held_seat_without_its_hold(engine):
    make_show(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(show_seats).where(show_seats.c.seat_id == "A1").values(status="held"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            update(show_seats).where(show_seats.c.seat_id == "A1").values(booking_id="bk9")
        )


def test_catalog_round_trip_and_idempotent_reimport(engine):
    make_show(engine)
    make_show(engine)  # the same import twice changes nothing
    with engine.connect() as conn:
        show = catalog.get_show(conn, "shw_t")
        assert show is not None and show.start.tzinfo is not None
        assert len(seats.seat_rows(conn, "shw_t", NOW)) == 40
        assert [t.id for t in catalog.list_theatres(conn, "chennai")] == ["thr_t"]
        layout = catalog.get_layout(conn, "lay_t")
        assert layout is not None and len(layout.seats()) == 40


def _forget_inventory(engine, show_id="shw_t"):
    """An imported show: the catalog import writes no seat rows (see store/sync.py)."""
    from sqlalchemy import delete

    with engine.begin() as conn:
        conn.execute(delete(show_seats).where(show_seats.c.show_id == show_id))


def test_an_imported_show_gets_its_seat_rows_on_first_write(engine):
    make_show(engine)
    _forget_inventory(engine)
    state = _statuses(engine)
    assert len(state) == 40 and set(state.values()) == {(SeatStatus.AVAILABLE, None)}
    with engine.connect() as conn:  # reading creates nothing
        assert conn.execute(select(show_seats.c.seat_id)).first() is None
    with pytest.raises(seats.SeatsNotTaken) as err, engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["A1", "Z99"], "h0", LATER, NOW)
    assert err.value.unknown == ["Z99"]
    with engine.begin() as conn:
        assert seats.take_seats(conn, "shw_t", ["A1", "A2"], "h1", LATER, NOW) == 2
    with engine.connect() as conn:
        assert len(conn.execute(select(show_seats.c.seat_id)).all()) == 40
    assert _statuses(engine)["A1"] == (SeatStatus.HELD, "h1")


def test_a_read_racing_the_first_write_sees_every_seat(engine):
    """Outside a transaction each statement sees the latest commit: a first write (a POS
    delta) committing between the read of the rows and the check for any row must not make
    the show look empty."""
    from sqlalchemy import event

    make_show(engine)
    _forget_inventory(engine)
    with engine.connect() as reader:
        fired = []

        def first_write_lands(conn, cursor, statement, params, context, executemany):
            if not fired and "LIMIT" in statement.upper():  # the check for any row
                fired.append(statement)
                with engine.begin() as writer:
                    seats.set_external_status(writer, "shw_t", ["B3"], SeatStatus.SOLD)

        event.listen(reader, "before_cursor_execute", first_write_lands)
        rows = {r.seat_id: r.status for r in seats.seat_rows(reader, "shw_t", NOW)}
        event.remove(reader, "before_cursor_execute", first_write_lands)
    assert fired, "the race was not staged"
    assert len(rows) == 40 and rows["B3"] is SeatStatus.SOLD


def test_a_pos_delta_creates_the_rows_before_applying(engine):
    make_show(engine)
    _forget_inventory(engine)
    with engine.begin() as conn:
        assert seats.set_external_status(conn, "shw_t", ["B3"], SeatStatus.SOLD) == 1
    assert _statuses(engine)["B3"] == (SeatStatus.SOLD, None)
    assert _statuses(engine)["B4"] == (SeatStatus.AVAILABLE, None)


def test_concurrent_first_writers_all_win_their_own_seats(fresh_pg_url):
    import threading

    setup = make_engine(fresh_pg_url)
    all_seats = make_show(setup)
    _forget_inventory(setup)
    setup.dispose()
    engine = make_engine(fresh_pg_url, pool_size=20)
    barrier = threading.Barrier(20)
    results: dict[int, object] = {}

    def first_write(i: int) -> None:
        barrier.wait()
        try:
            with engine.begin() as conn:
                results[i] = seats.take_seats(conn, "shw_t", [all_seats[i]], f"h{i}", LATER, NOW)
        except Exception as exc:  # recorded and asserted below
            results[i] = exc

    threads = [threading.Thread(target=first_write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: 1 for i in range(20)}
    with engine.connect() as conn:
        assert len(conn.execute(select(show_seats.c.seat_id)).all()) == 40
    engine.dispose()


def test_a_take_succeeds_when_the_hold_owns_every_seat_afterwards(engine):
    """Seats this hold already has are not "updated" again: success is judged by ownership,
    never by row counts, and a refusal always names a seat."""
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["C7"], "h1", LATER, NOW)
    with engine.begin() as conn:
        assert seats.take_seats(conn, "shw_t", ["C7", "C8"], "h1", LATER, NOW) == 2
    state = _statuses(engine)
    assert state["C7"] == state["C8"] == (SeatStatus.HELD, "h1")
    with pytest.raises(seats.SeatsNotTaken) as err, engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["C8", "C9"], "h2", LATER, NOW)
    assert err.value.unavailable == ["C8"]


def test_unavailable_seats_lists_only_seats_that_are_not_free(engine):
    """What the booking rules read: held (unexpired), sold and blocked seats; free seats and
    expired holds are left out (a missing seat is available), on both databases."""
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["A1", "A2"], "h1", LATER, NOW)
        seats.take_seats(conn, "shw_t", ["B1"], "gone", NOW + timedelta(minutes=1), NOW)
        seats.set_external_status(conn, "shw_t", ["C1"], SeatStatus.SOLD)
        seats.set_external_status(conn, "shw_t", ["C2"], SeatStatus.BLOCKED)
    after = NOW + timedelta(minutes=2)
    with engine.connect() as conn:
        listed = dict(seats.unavailable_seats(conn, "shw_t", after))
        only = dict(seats.unavailable_seats(conn, "shw_t", after, ["A2", "B1", "D1"]))
    assert listed == {"A1": "held", "A2": "held", "C1": "sold", "C2": "blocked"}
    assert only == {"A2": "held"}


def test_a_refused_take_changes_nothing_even_inside_a_longer_transaction(engine):
    """One statement takes every seat or none: no savepoint is needed, and the transaction
    goes on (a late payment tries a sale, then a take, in one transaction)."""
    make_show(engine)
    with engine.begin() as conn:
        seats.take_seats(conn, "shw_t", ["D1", "D2"], "h1", LATER, NOW)
        with pytest.raises(seats.SeatsNotTaken) as refused:
            seats.take_seats(conn, "shw_t", ["D2", "D3", "D4"], "h2", LATER, NOW)
        assert refused.value.unavailable == ["D2"] and refused.value.unknown == []
        # the hold re-takes its own seats (new expiry) together with a free one
        assert seats.take_seats(conn, "shw_t", ["D1", "D2", "D3"], "h1", LATER, NOW) == 3
    state = _statuses(engine)
    assert [state[s] for s in ("D1", "D2", "D3")] == [(SeatStatus.HELD, "h1")] * 3
    assert state["D4"] == (SeatStatus.AVAILABLE, None)
