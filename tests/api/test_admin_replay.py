"""Dead-letter replay through the admin API: a restline show rejected by a broken mapping
(a temp copy) is replayed after the fix and lands; a failing replay is a 422 problem and the
dead letter stays open; replaying twice is harmless; both are in the audit log."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors import connector as connector_mod
from connectors.catalog import import_catalog
from connectors.resilience import reset_breakers
from simulators.restline import RestlineSimulator
from store.tables import shows, theatres
from tests.connectors.test_replay import broken_copy, connect_with_mapping


def test_replay_after_a_mapping_fix_lands_the_show(api, tmp_path):
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    with RestlineSimulator(seed=3, cinemas=1, screens=1, shows_per_day=1, days=1) as sim:
        try:
            mapping, original = broken_copy(
                tmp_path, "restline", "path: Showtime", "path: ShowTimeX"
            )
            report = import_catalog(connect_with_mapping(engine, sim, mapping))
            assert report.dead_letters == 1
            letters = c.get(
                "/v1/admin/dead-letters", headers=admin, params={"connector_id": "restline"}
            ).json()["items"]
            assert len(letters) == 1 and letters[0]["entity"] == "show"
            # The variables of the call that read it (the cinema asked for) come along.
            assert letters[0]["vars"]["cinema_id"] == sim.state.cinemas[0].id
            dead = letters[0]["id"]

            failed = c.post(f"/v1/admin/dead-letters/{dead}/replay", headers=admin)
            assert failed.status_code == 422, failed.text
            assert failed.headers["content-type"].startswith("application/problem+json")
            assert failed.json()["code"] == "replay_failed"
            still = c.get(f"/v1/admin/dead-letters/{dead}", headers=admin).json()
            assert still["status"] == "open" and "ShowTimeX" not in still["payload"]

            mapping.write_text(original)  # the engineer fixes the mapping
            ok = c.post(f"/v1/admin/dead-letters/{dead}/replay", headers=admin)
            assert ok.status_code == 200, ok.text
            assert ok.json()["status"] == "replayed" and ok.json()["replayed_at"]
            with engine.connect() as conn:
                landed = conn.execute(
                    select(func.count())
                    .select_from(shows)
                    .join(theatres, theatres.c.id == shows.c.theatre_id)
                    .where(theatres.c.connector_id == "restline")
                ).scalar()
            assert landed == 1
            twice = c.post(f"/v1/admin/dead-letters/{dead}/replay", headers=admin)
            assert twice.status_code == 200 and twice.json()["status"] == "replayed"
            # The show is the one a fixed import would write: re-importing creates nothing.
            again = import_catalog(connect_with_mapping(engine, sim, mapping))
            assert again.counts["show"] == {"created": 0, "updated": 0, "unchanged": 1}
            log = c.get(
                "/v1/admin/audit-log", headers=admin, params={"action": "dead_letter.replay"}
            ).json()["items"]
            assert len(log) >= 2 and {e["target"] for e in log} == {dead}
        finally:
            connector_mod.forget(engine)
            reset_breakers()
