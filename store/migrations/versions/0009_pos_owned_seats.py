"""Seats the POS holds stay held until the POS says otherwise: a POS hold (hold id `pos:...`)
may carry no expiry; every seat remembers what its POS last said about it (`pos_status`), so
local drift from the POS's word can be found and repaired

Revision ID: 0009_pos_owned_seats
Revises: 0008_feature_flags
Create Date: 2026-12-05 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_pos_owned_seats"
down_revision = "0008_feature_flags"
branch_labels = None
depends_on = None

OLD = "(status = 'held') = (hold_id IS NOT NULL AND hold_expires_at IS NOT NULL)"
NEW = (
    "(status = 'held') = (hold_id IS NOT NULL AND "
    "(hold_expires_at IS NOT NULL OR hold_id LIKE 'pos:%'))"
)


def upgrade() -> None:
    with op.batch_alter_table("show_seats", recreate="auto") as batch_op:
        batch_op.add_column(sa.Column("pos_status", sa.String(length=10), nullable=True))
        batch_op.drop_constraint(op.f("ck_show_seats_held_has_hold"), type_="check")
        batch_op.create_check_constraint(op.f("ck_show_seats_held_has_hold"), NEW)
    # POS holds written before this revision carried a 20-minute expiry of Marquee's clock:
    # they are the POS's until it says otherwise, like every POS hold from now on.
    op.execute(
        "UPDATE show_seats SET hold_expires_at = NULL, pos_status = 'held' "
        "WHERE status = 'held' AND hold_id LIKE 'pos:%'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE show_seats SET hold_expires_at = CURRENT_TIMESTAMP "
        "WHERE status = 'held' AND hold_expires_at IS NULL"
    )
    with op.batch_alter_table("show_seats", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_show_seats_held_has_hold"), type_="check")
        batch_op.create_check_constraint(op.f("ck_show_seats_held_has_hold"), OLD)
        batch_op.drop_column("pos_status")
