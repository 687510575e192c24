"""Run Alembic migrations from code (the CLI, the demo and the tests all come through here)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from store.engine import normalize_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# PostgreSQL's own databases: tables created there land in every new database (template1) or
# in the one every admin tool connects to (postgres). A typo in DATABASE_URL must not do that.
MAINTENANCE_DATABASES = frozenset({"postgres", "template0", "template1"})


class MaintenanceDatabaseError(ValueError):
    """DATABASE_URL names one of PostgreSQL's maintenance databases."""


def refuse_maintenance_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.database in MAINTENANCE_DATABASES:
        raise MaintenanceDatabaseError(
            f"refusing to migrate PostgreSQL's maintenance database {parsed.database!r}: "
            "create a database for Marquee (createdb marquee) and point DATABASE_URL at it"
        )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    refuse_maintenance_database(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    refuse_maintenance_database(url)
    command.downgrade(alembic_config(url), revision)
