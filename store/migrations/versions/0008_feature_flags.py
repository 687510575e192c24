"""Feature flags per city or country

Revision ID: 0008_feature_flags
Revises: 0007_push_integrity
Create Date: 2026-12-04 18:39:10.774732
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008_feature_flags"
down_revision = "0007_push_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "feature_flags",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_value", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "scope in ('global', 'country', 'city')", name=op.f("ck_feature_flags_scope")
        ),
        sa.PrimaryKeyConstraint("key", "scope", "scope_value", name=op.f("pk_feature_flags")),
    )


def downgrade() -> None:

    op.drop_table("feature_flags")
