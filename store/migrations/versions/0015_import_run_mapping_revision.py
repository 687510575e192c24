"""Import runs name the mapping file and its revision: the file's path and the fingerprint of
its text and lookup tables. The language version alone (`mapping_version`) stays the same when
an admin edits the mapping, so a run could not tell which edit it ran with.

Revision ID: 0015_import_run_mapping_revision
Revises: 0014_analytics_long_ranges
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_import_run_mapping_revision"
down_revision = "0014_analytics_long_ranges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapping_path", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("mapping_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("mapping_fingerprint")
        batch_op.drop_column("mapping_path")
