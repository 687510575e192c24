"""Admissions at the door, seat category names, one film one movie

Revision ID: 0006_venue_and_movies
Revises: 0005_analytics_hourly_theatre
Create Date: 2026-12-04 18:00:04.955284
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0006_venue_and_movies"
down_revision = "0005_analytics_hourly_theatre"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "movie_global_ids",
        sa.Column("scheme", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scheme", "value", name=op.f("pk_movie_global_ids")),
    )
    with op.batch_alter_table("movie_global_ids", schema=None) as batch_op:
        batch_op.create_index("ix_movie_global_ids_movie", ["movie_id"], unique=False)

    op.create_table(
        "movie_match_candidates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("created_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movie_match_candidates")),
        sa.UniqueConstraint("movie_id", "candidate_id", name="uq_movie_match_pair"),
    )
    with op.batch_alter_table("movie_match_candidates", schema=None) as batch_op:
        batch_op.create_index("ix_movie_match_candidates_status", ["status"], unique=False)

    op.create_table(
        "movie_merges",
        sa.Column("merged_id", sa.String(length=64), nullable=False),
        sa.Column("movie_id", sa.String(length=64), nullable=False),
        sa.Column("merged_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("merged_id", name=op.f("pk_movie_merges")),
    )
    op.create_table(
        "seat_category_names",
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["theatre_id"], ["theatres.id"], name=op.f("fk_seat_category_names_theatre_id_theatres")
        ),
        sa.PrimaryKeyConstraint("theatre_id", "code", name=op.f("pk_seat_category_names")),
    )
    op.create_table(
        "admissions",
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("seat_id", sa.String(length=64), nullable=False),
        sa.Column("show_id", sa.String(length=64), nullable=False),
        sa.Column("theatre_id", sa.String(length=64), nullable=False),
        sa.Column("admitted_at", store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("admitted_by", sa.String(length=64), nullable=True),
        sa.Column("forwarded", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_admissions_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["show_id"], ["shows.id"], name=op.f("fk_admissions_show_id_shows")
        ),
        sa.PrimaryKeyConstraint("booking_id", "seat_id", name=op.f("pk_admissions")),
    )
    with op.batch_alter_table("admissions", schema=None) as batch_op:
        batch_op.create_index("ix_admissions_show", ["show_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admissions", schema=None) as batch_op:
        batch_op.drop_index("ix_admissions_show")

    op.drop_table("admissions")
    op.drop_table("seat_category_names")
    op.drop_table("movie_merges")
    with op.batch_alter_table("movie_match_candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_movie_match_candidates_status")

    op.drop_table("movie_match_candidates")
    with op.batch_alter_table("movie_global_ids", schema=None) as batch_op:
        batch_op.drop_index("ix_movie_global_ids_movie")

    op.drop_table("movie_global_ids")
