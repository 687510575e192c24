"""Airflow 3 DAGs that schedule catalog, localization and inventory sync.

Scheduling only: each task calls a plain function in `connectors.jobs`, so the same work runs
from `marquee sync ...` without Airflow.
"""
