"""Import runs: one row per catalog, localization or inventory run of a connector, with the
mapping system and version it ran with, how it ended and what it counted

Revision ID: 0011_import_runs
Revises: 0010_show_sales_window
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.types

revision = "0011_import_runs"
down_revision = "0010_show_sales_window"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("connector_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mapping_system", sa.String(length=100), nullable=True),
        sa.Column("mapping_version", sa.String(length=20), nullable=True),
        sa.Column("started_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind in ('catalog', 'localization', 'inventory')", name=op.f("ck_import_runs_kind")
        ),
        sa.CheckConstraint("status in ('ok', 'failed')", name=op.f("ck_import_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index(
        "ix_import_runs_connector_started", "import_runs", ["connector_id", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_import_runs_connector_started", table_name="import_runs")
    op.drop_table("import_runs")
