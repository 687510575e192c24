"""Show details real POS carry: the online sales window around the start (sales continuing
after it, sales opening a while before), subtitle language, experiences (VIP, DBOX...), the
status the theatre reports (scheduled, cancelled, sold out), a per-ticket booking fee; a
screen's licensed capacity

Revision ID: 0010_show_sales_window
Revises: 0009_pos_owned_seats
Create Date: 2026-12-05 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_show_sales_window"
down_revision = "0009_pos_owned_seats"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subtitle_language", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("experiences", JSON, nullable=True))
        batch_op.add_column(sa.Column("reported_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("booking_fee", JSON, nullable=True))
        batch_op.add_column(
            sa.Column("sales_after_start_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("sales_open_minutes_before", sa.Integer(), nullable=True))
    with op.batch_alter_table("screens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licensed_capacity", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screens", schema=None) as batch_op:
        batch_op.drop_column("licensed_capacity")
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.drop_column("sales_open_minutes_before")
        batch_op.drop_column("sales_after_start_minutes")
        batch_op.drop_column("booking_fee")
        batch_op.drop_column("reported_status")
        batch_op.drop_column("experiences")
        batch_op.drop_column("subtitle_language")
