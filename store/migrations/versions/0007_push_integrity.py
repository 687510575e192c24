"""Push integrity and money checks: the last POS sequence applied per show, digests of pushes
applied (replays refused), and on PostgreSQL CHECKs that no show price or cancellation fee is
negative (JSON fields: SQLite has no CHECK that can read them; the API refuses them there)

Revision ID: 0007_push_integrity
Revises: 0006_venue_and_movies
Create Date: 2026-12-04 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0007_push_integrity"
down_revision = "0006_venue_and_movies"
branch_labels = None
depends_on = None

NO_NEGATIVE_PRICE = "NOT jsonb_path_exists(ticket_types, '$[*].price.amount ? (@ < 0)')"
NO_NEGATIVE_FEE = "NOT jsonb_path_exists(rules, '$.cancellation.fee_fixed.amount ? (@ < 0)')"


def upgrade() -> None:
    op.create_table(
        "pos_sequences",
        sa.Column("connector_id", sa.String(length=64), nullable=False),
        sa.Column("show_id", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connector_id", "show_id", name=op.f("pk_pos_sequences")),
    )
    op.create_table(
        "push_receipts",
        sa.Column("connector_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connector_id", "digest", name=op.f("pk_push_receipts")),
    )
    op.create_index("ix_push_receipts_received", "push_receipts", ["received_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f("ck_shows_prices_not_negative"), "shows", NO_NEGATIVE_PRICE)
        op.create_check_constraint(
            op.f("ck_theatres_fee_not_negative"), "theatres", NO_NEGATIVE_FEE
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_theatres_fee_not_negative"), "theatres", type_="check")
        op.drop_constraint(op.f("ck_shows_prices_not_negative"), "shows", type_="check")
    op.drop_index("ix_push_receipts_received", table_name="push_receipts")
    op.drop_table("push_receipts")
    op.drop_table("pos_sequences")
