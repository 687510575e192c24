"""One film, one movie (migration 0006 creates these tables).

- `movie_global_ids`: the industry-wide ids a movie is known by (IMDb, EIDR, TMDB); one movie per
  id, so two connectors' records of one film meet here.
- `movie_merges`: a movie merged into another. Imports derive the merged id again from the POS's
  film code; this says which movie it now is. The merged movie's external ids point at the kept
  one too, so every external id is kept.
- `movie_match_candidates`: pairs that look like one film but not surely (title and year agree,
  runtime differs a little, ...), queued for an admin to merge or split (keep apart).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Table, Text, UniqueConstraint

from store.tables import metadata
from store.types import UtcDateTime

movie_global_ids = Table(
    "movie_global_ids",
    metadata,
    Column("scheme", String(10), primary_key=True),
    Column("value", String(100), primary_key=True),
    Column("movie_id", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_movie_global_ids_movie", movie_global_ids.c.movie_id)

movie_merges = Table(
    "movie_merges",
    metadata,
    Column("merged_id", String(64), primary_key=True),
    Column("movie_id", String(64), nullable=False),
    Column("merged_at", UtcDateTime, nullable=False),
    Column("merged_by", String(64)),
)

movie_match_candidates = Table(
    "movie_match_candidates",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("movie_id", String(64), nullable=False),
    Column("candidate_id", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(12), nullable=False, server_default="open"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("resolved_by", String(64)),
    UniqueConstraint("movie_id", "candidate_id", name="uq_movie_match_pair"),
)
Index("ix_movie_match_candidates_status", movie_match_candidates.c.status)
