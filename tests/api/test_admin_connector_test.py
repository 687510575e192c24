"""The admin API's connector test counts records, not pages: a restline theatre list read in
pages of two (three cinemas: two pages) reports three theatre records, and the records the
mapping rejects; nothing is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors import connector as connector_mod
from connectors.resilience import reset_breakers
from simulators.restline import RestlineSimulator
from store.tables import dead_letters, theatres
from tests.connectors.test_replay import broken_copy, connect_with_mapping


def _stored(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(theatres)).scalar(),
            conn.execute(select(func.count()).select_from(dead_letters)).scalar(),
        )


def test_the_connector_test_counts_records_not_pages(api, tmp_path):
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    before = _stored(engine)
    with RestlineSimulator(seed=3, cinemas=3, screens=1, shows_per_day=1, days=1) as sim:
        try:
            mapping, _ = broken_copy(tmp_path, "restline", "page_size: 100", "page_size: 2")
            connect_with_mapping(engine, sim, mapping)
            test = c.post("/v1/admin/connectors/restline/test", headers=admin)
            assert test.status_code == 200, test.text
            body = test.json()
            assert body["ok"] is True and body["records"] == 3
            assert body["entities"] == {"theatre": {"payloads": 2, "records": 3, "dead_letters": 0}}
            assert body["detail"] == "read 3 theatre records from 2 payloads"

            # A mapping that rejects every cinema: counted, not stored.
            mapping.write_text(
                mapping.read_text().replace("timezone: TimeZone", "timezone: TimeZoneX")
            )
            connector_mod.forget(engine)
            rejected = c.post("/v1/admin/connectors/restline/test", headers=admin).json()
            assert rejected["ok"] is True and rejected["records"] == 0
            assert rejected["entities"]["theatre"] == {
                "payloads": 2,
                "records": 0,
                "dead_letters": 3,
            }
            assert rejected["detail"].endswith("; the mapping rejects 3 records")
            assert _stored(engine) == before
        finally:
            connector_mod.forget(engine)
            reset_breakers()
