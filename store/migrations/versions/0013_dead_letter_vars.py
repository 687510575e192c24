"""Dead letters keep the call variables their record was read with (values taken from a file
name such as `layout_<site>_<aud>.csv`, the theatre a call was made for), so a replay maps the
record with the same variables as the import did.

Revision ID: 0013_dead_letter_vars
Revises: 0012_seat_category_colours
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_dead_letter_vars"
down_revision = "0012_seat_category_colours"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Nullable: dead letters stored before this revision have none (replayed without, as before).
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vars", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("vars")
