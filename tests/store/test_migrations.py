"""Migrations go up and down cleanly and match the table definitions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from store.engine import make_engine
from store.migrate import downgrade, upgrade
from store.tables import metadata


def test_migrated_schema_matches_the_tables(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_down_to_base_and_up_again(fresh_pg_url):
    downgrade(fresh_pg_url, "base")
    engine = make_engine(fresh_pg_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(fresh_pg_url)
    engine = make_engine(fresh_pg_url)
    assert "show_seats" in inspect(engine).get_table_names()
    engine.dispose()
