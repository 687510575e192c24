"""Connectors: one configured live link per theatre's system (adapter, mapping, endpoint,
secrets, timeouts, circuit breaker), the import pipeline and the sync jobs the CLI and Airflow
run.

A connector implements booking's theatre-link port. This package must not know the API or the
application's settings: callers pass the engine, database URL and secrets file.
"""
