"""Tables for API authentication, on the shared metadata (migration 0002 creates them).

Refresh tokens are stored as SHA-256 hashes, partner client secrets as argon2 hashes: a copy of
the database hands out no working credential.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from store.tables import metadata
from store.types import Json, UtcDateTime

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    # Every rotation keeps the family: reuse of a rotated token revokes the whole family.
    Column("family_id", String(64), nullable=False),
    Column("token_hash", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("replaced_by", String(64)),
    Index("ix_refresh_tokens_user", "user_id"),
    Index("ix_refresh_tokens_family", "family_id"),
)

partner_clients = Table(
    "partner_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("partner_id", String(64), ForeignKey("partners.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(200), nullable=False),
    Column("scopes", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("ix_partner_clients_partner", "partner_id"),
)
