"""Persistence: SQLAlchemy tables, Alembic migrations and the SQL behind booking's unit of work,
for SQLite (embedded default) and PostgreSQL.

The database enforces the invariants (constraints, conditional updates); this package holds SQL
and row mapping, not business rules. It must not know the API or read settings: callers pass a
database URL or an engine.
"""
