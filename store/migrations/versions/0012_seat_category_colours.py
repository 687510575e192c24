"""Seat category colours: a theatre's partner saves a colour (#rrggbb) per category with the seat
layout, and the customer's seat map shows it. A row may now carry a colour without a name (the
category then reads as its area's name), so `name` becomes optional.

Revision ID: 0012_seat_category_colours
Revises: 0011_import_runs
Create Date: 2026-12-05 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_seat_category_colours"
down_revision = "0011_import_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite rebuilds the table to change a column's nullability.
    with op.batch_alter_table("seat_category_names", schema=None) as batch_op:
        batch_op.add_column(sa.Column("colour", sa.String(length=7), nullable=True))
        batch_op.alter_column("name", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # Colour-only rows have no name to keep: they go with the column.
    op.execute("DELETE FROM seat_category_names WHERE name IS NULL")
    with op.batch_alter_table("seat_category_names", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("colour")
