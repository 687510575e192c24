"""The outbox relay and idempotent consumers on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from marquee.worker.consumers import Dispatcher, local, remote
from marquee.worker.relay import OutboxRelay, RetryPolicy
from store import outbox as sql
from store.engine import make_engine
from store.outbox import OutboxMessage
from store.tables import audit_log, outbox

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def engine(db_url: str) -> Engine:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _append(engine: Engine, n: int, topic: str = "Thing", at: datetime = T0) -> list[str]:
    ids = [f"evt_{topic}_{i}" for i in range(n)]
    with engine.begin() as conn:
        for i, event_id in enumerate(ids):
            sql.append(conn, event_id=event_id, topic=topic, payload={"n": i}, now=at)
    return ids


def _row(engine: Engine, event_id: str) -> OutboxMessage:
    with engine.connect() as conn:
        message = sql.by_event_id(conn, event_id)
    assert message is not None
    return message


def test_delivers_each_due_row_once_and_in_order(engine: Engine) -> None:
    ids = _append(engine, 3)
    seen: list[str] = []
    clock = Clock()
    relay = OutboxRelay(engine, deliver=lambda m: seen.append(m.event_id), clock=clock)
    report = relay.run_once()
    assert (report.claimed, report.delivered) == (3, 3)
    assert seen == ids
    assert relay.run_once().claimed == 0
    assert all(_row(engine, i).delivered_at == T0 for i in ids)
    with engine.connect() as conn:
        assert sql.counts(conn) == {"pending": 0, "delivered": 3, "failed": 0}


def test_retries_with_backoff_then_fails_and_keeps_the_row(engine: Engine) -> None:
    [event_id] = _append(engine, 1)
    clock = Clock()
    gave_up: list[tuple[str, str]] = []
    calls: list[datetime] = []

    def broken(message: OutboxMessage) -> None:
        calls.append(clock())
        raise ConnectionError("POS said nothing")

    relay = OutboxRelay(
        engine,
        deliver=broken,
        clock=clock,
        policy=RetryPolicy(max_attempts=3, base_seconds=10),
        on_gave_up=lambda m, why: gave_up.append((m.event_id, why)),
    )
    assert relay.run_once().retried == 1
    row = _row(engine, event_id)
    assert row.attempts == 1 and row.delivered_at is None and row.failed_at is None
    assert "ConnectionError: POS said nothing" in (row.last_error or "")
    assert relay.run_once().claimed == 0  # backing off: not due for 10 s
    clock.advance(10)
    assert relay.run_once().retried == 1  # attempt 2; next wait doubles to 20 s
    clock.advance(19)
    assert relay.run_once().claimed == 0
    clock.advance(1)
    assert relay.run_once().failed == 1  # attempt 3 was the last
    assert calls == [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=30)]
    assert [e for e, _ in gave_up] == [event_id]

    row = _row(engine, event_id)
    assert row.failed_at is not None and row.delivered_at is None and row.attempts == 3
    with engine.connect() as conn:
        assert [m.event_id for m in sql.failed(conn)] == [event_id]
    clock.advance(3600)
    assert relay.run_once().claimed == 0  # failed rows stay put until an admin acts

    # Nothing is lost: an admin requeues it and a working consumer delivers it.
    with engine.begin() as conn:
        assert sql.requeue(conn, row.id, now=clock())
    relay.deliver = lambda m: None
    assert relay.run_once().delivered == 1
    assert _row(engine, event_id).delivered_at == clock()


def test_a_failing_final_failure_handler_keeps_the_row_live(engine: Engine) -> None:
    [event_id] = _append(engine, 1)
    clock = Clock()

    def refund_down(message: OutboxMessage, why: str) -> None:
        raise TimeoutError("gateway down too")

    def broken(message: OutboxMessage) -> None:
        raise ConnectionError("POS down")

    relay = OutboxRelay(
        engine,
        deliver=broken,
        clock=clock,
        on_gave_up=refund_down,
        policy=RetryPolicy(max_attempts=1, base_seconds=5),
    )
    assert relay.run_once().retried == 1
    row = _row(engine, event_id)
    assert row.failed_at is None and "final-failure handler failed" in (row.last_error or "")


def test_unknown_topic_fails_at_once(engine: Engine) -> None:
    [event_id] = _append(engine, 1, topic="NobodyKnowsMe")
    dispatcher = Dispatcher(engine, [remote("c", {"Thing"}, lambda m: None)])
    relay = OutboxRelay(engine, deliver=dispatcher, clock=Clock())
    assert relay.run_once().failed == 1
    assert "no consumer knows topic" in (_row(engine, event_id).last_error or "")


def test_a_dead_relay_lease_runs_out_and_the_row_comes_back(engine: Engine) -> None:
    [event_id] = _append(engine, 1)
    clock = Clock()
    dead = OutboxRelay(engine, deliver=lambda m: None, clock=clock, lease=timedelta(seconds=30))
    assert [m.event_id for m in dead.claim()] == [event_id]  # ...and then it dies
    alive = OutboxRelay(engine, deliver=lambda m: None, clock=clock, lease=timedelta(seconds=30))
    assert alive.run_once().claimed == 0
    clock.advance(30)
    report = alive.run_once()
    assert report.delivered == 1
    assert _row(engine, event_id).attempts == 2  # the dead relay's try counts


def test_concurrent_relays_never_claim_the_same_row(engine: Engine) -> None:
    _append(engine, 60)
    claimed: list[list[int]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)

    def work(i: int) -> None:
        relay = OutboxRelay(engine, deliver=lambda m: None)
        barrier.wait()
        while batch := relay.claim(limit=5):
            claimed[i].extend(m.id for m in batch)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [row for part in claimed for row in part]
    assert len(everything) == 60 and len(set(everything)) == 60


# --- idempotent consumers ------------------------------------------------------------------
def _audit(message: OutboxMessage, conn) -> None:
    conn.execute(
        insert(audit_log).values(
            actor="consumer",
            action="effect",
            target=message.event_id,
            detail=message.payload,
            at=T0,
        )
    )


def _effects(engine: Engine, event_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.target == event_id)
        ).scalar_one()


def test_duplicate_delivery_is_a_no_op_for_every_consumer(engine: Engine) -> None:
    [event_id] = _append(engine, 1)
    remote_calls: list[str] = []
    dispatcher = Dispatcher(
        engine,
        [
            local("audit", {"Thing"}, _audit),
            remote("mailer", {"Thing"}, lambda m: remote_calls.append(m.event_id)),
        ],
    )
    message = _row(engine, event_id)
    for _ in range(3):
        dispatcher(message)
    assert _effects(engine, event_id) == 1
    assert remote_calls == [event_id]
    with engine.connect() as conn:
        assert sql.processed_by(conn, event_id) == ["audit", "mailer"]


def test_redelivery_after_one_consumer_failed_skips_the_ones_that_succeeded(engine) -> None:
    [event_id] = _append(engine, 1)
    pos_calls: list[str] = []
    mail_attempts: list[str] = []

    def flaky_mail(message: OutboxMessage) -> None:
        mail_attempts.append(message.event_id)
        if len(mail_attempts) == 1:
            raise ConnectionError("SMTP down")

    dispatcher = Dispatcher(
        engine,
        [
            remote("pos", {"Thing"}, lambda m: pos_calls.append("x")),
            remote("mail", {"Thing"}, flaky_mail),
        ],
    )
    clock = Clock()
    relay = OutboxRelay(engine, deliver=dispatcher, clock=clock, policy=RetryPolicy(base_seconds=1))
    assert relay.run_once().retried == 1
    clock.advance(1)
    assert relay.run_once().delivered == 1
    assert pos_calls == ["x"] and len(mail_attempts) == 2


def test_a_local_effect_and_its_record_roll_back_together(engine: Engine) -> None:
    [event_id] = _append(engine, 1)
    attempts: list[int] = []

    def effect_then_crash(message: OutboxMessage, conn) -> None:
        _audit(message, conn)
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("crash after the write, before commit")

    dispatcher = Dispatcher(engine, [local("audit", {"Thing"}, effect_then_crash)])
    message = _row(engine, event_id)
    with pytest.raises(RuntimeError):
        dispatcher(message)
    assert _effects(engine, event_id) == 0
    dispatcher(message)
    dispatcher(message)
    assert _effects(engine, event_id) == 1 and len(attempts) == 2


@pytest.mark.postgres
def test_racing_duplicate_deliveries_apply_a_local_effect_once(fresh_pg_url: str) -> None:
    engine = make_engine(fresh_pg_url)
    [event_id] = _append(engine, 1)
    dispatcher = Dispatcher(engine, [local("audit", {"Thing"}, _audit)])
    message = _row(engine, event_id)
    barrier = threading.Barrier(8)

    def deliver() -> None:
        barrier.wait()
        dispatcher(message)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _effects(engine, event_id) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 1
    engine.dispose()


# --- consumers that take a whole batch -----------------------------------------------------
def _audit_batch(calls: list[list[str]]):
    def effect(messages, conn) -> None:
        calls.append([m.event_id for m in messages])
        for message in messages:
            _audit(message, conn)

    return effect


def test_a_batch_consumer_takes_the_claimed_batch_in_one_call(engine: Engine) -> None:
    ids = _append(engine, 4)
    batches: list[list[str]] = []
    one_by_one: list[str] = []
    dispatcher = Dispatcher(
        engine,
        [
            local(
                "audit",
                {"Thing"},
                lambda m, conn: one_by_one.append(m.event_id),
                batch=_audit_batch(batches),
            )
        ],
    )
    relay = OutboxRelay(engine, deliver=dispatcher, prepare=dispatcher.prepare, clock=Clock())
    assert relay.run_once().delivered == 4
    assert batches == [ids] and one_by_one == []
    assert all(_effects(engine, i) == 1 for i in ids)
    # A redelivery of the same rows (a lost lease) changes nothing, batched or one by one.
    messages = [_row(engine, i) for i in ids]
    dispatcher.prepare(messages)
    for message in messages:
        dispatcher(message)
    assert batches == [ids, []] and one_by_one == []
    assert all(_effects(engine, i) == 1 for i in ids)
    with engine.connect() as conn:
        assert all(sql.processed_by(conn, i) == ["audit"] for i in ids)


def test_a_failed_batch_keeps_nothing_and_each_message_goes_one_by_one(engine: Engine) -> None:
    ids = _append(engine, 3)

    def poisoned(messages, conn) -> None:
        for message in messages:
            _audit(message, conn)
        raise ValueError("one payload it cannot read")

    one_by_one: list[str] = []

    def single(message: OutboxMessage, conn) -> None:
        one_by_one.append(message.event_id)
        _audit(message, conn)

    dispatcher = Dispatcher(engine, [local("audit", {"Thing"}, single, batch=poisoned)])
    relay = OutboxRelay(engine, deliver=dispatcher, prepare=dispatcher.prepare, clock=Clock())
    assert relay.run_once().delivered == 3
    assert one_by_one == ids
    assert all(_effects(engine, i) == 1 for i in ids)


def test_only_a_local_consumer_takes_batches() -> None:
    from marquee.worker.consumers import Consumer

    with pytest.raises(ValueError, match="only a local consumer"):
        Consumer(
            "mail", frozenset({"Thing"}), handle=lambda m: None, handle_batch=lambda m, c: None
        )


def test_a_remote_consumer_skips_what_does_not_concern_it_without_a_record(
    engine: Engine,
) -> None:
    [mine, other] = _append(engine, 2)
    calls: list[str] = []
    asked: list[str] = []

    def applies(message: OutboxMessage, conn) -> bool:
        asked.append(message.event_id)
        return message.payload["n"] == 0

    dispatcher = Dispatcher(
        engine, [remote("report", {"Thing"}, lambda m: calls.append(m.event_id), applies)]
    )
    for event_id in (mine, other, mine, other):
        dispatcher(_row(engine, event_id))
    assert calls == [mine]
    assert asked == [mine, other, mine, other]
    with engine.connect() as conn:
        assert sql.processed_by(conn, mine) == ["report"]
        assert sql.processed_by(conn, other) == []


def test_only_a_remote_consumer_has_applies() -> None:
    from marquee.worker.consumers import Consumer

    with pytest.raises(ValueError, match="only a remote consumer"):
        Consumer("audit", frozenset({"Thing"}), handle_local=_audit, applies=lambda m, c: True)
