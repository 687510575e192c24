"""SQL for feature flags (see store/tables_flags.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from store.tables_flags import feature_flags

SCOPES = ("global", "country", "city")


def all_rows(conn: Connection) -> list[dict[str, Any]]:
    f = feature_flags.c
    rows = conn.execute(select(feature_flags).order_by(f.key, f.scope, f.scope_value))
    return [dict(r._mapping) for r in rows]


def put(
    conn: Connection,
    key: str,
    scope: str,
    value: str,
    enabled: bool,
    note: str,
    *,
    actor: str,
    now: datetime,
) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    row = {
        "key": key,
        "scope": scope,
        "scope_value": value,
        "enabled": enabled,
        "note": note,
        "updated_at": now,
        "updated_by": actor,
    }
    stmt = dialect.insert(feature_flags).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key", "scope", "scope_value"],
        set_={k: stmt.excluded[k] for k in ("enabled", "note", "updated_at", "updated_by")},
    )
    conn.execute(stmt)


def remove(conn: Connection, key: str, scope: str, value: str) -> bool:
    f = feature_flags.c
    result = conn.execute(
        delete(feature_flags).where(f.key == key, f.scope == scope, f.scope_value == value)
    )
    return result.rowcount > 0


def evaluate(conn: Connection, *, city: str | None, country: str | None) -> dict[str, bool]:
    """Every flag's value for a place: city row, else country row, else global row."""
    rank = {"city": 0, "country": 1, "global": 2}
    best: dict[str, tuple[int, bool]] = {}
    for r in all_rows(conn):
        applies = (
            r["scope"] == "global"
            or (r["scope"] == "country" and country and r["scope_value"] == country.upper())
            or (r["scope"] == "city" and city and r["scope_value"].lower() == city.lower())
        )
        if applies and (r["key"] not in best or rank[r["scope"]] < best[r["key"]][0]):
            best[r["key"]] = (rank[r["scope"]], r["enabled"])
    return {k: v for k, (_, v) in sorted(best.items())}
