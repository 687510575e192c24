"""Access tokens (short-lived JWTs, HS256) and refresh tokens (opaque, stored as a hash).

A refresh token is `<id>.<secret>`: the id finds the row, the SHA-256 of the whole token must
match the stored hash. Tokens rotate on every use; presenting a token that was already rotated
revokes its whole family, since only a thief would still hold it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from booking.bounded import BoundedDict
from canonical.time import utcnow

ALGORITHM = "HS256"
ISSUER = "marquee"


@dataclass(frozen=True)
class Claims:
    subject: str  # user id or partner client id
    role: str
    scopes: tuple[str, ...]
    partner_id: str | None
    kind: str  # "user" or "client"
    expires_at: datetime


class InvalidToken(Exception):
    pass


def issue_access_token(
    secret: str,
    *,
    subject: str,
    role: str,
    scopes: list[str],
    partner_id: str | None,
    kind: str,
    minutes: int,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    now = now or utcnow()
    expires = now + timedelta(minutes=minutes)
    payload = {
        "iss": ISSUER,
        "sub": subject,
        "role": role,
        "scope": " ".join(scopes),
        "kind": kind,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_hex(8),
    }
    if partner_id:
        payload["pid"] = partner_id
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires


# Tokens whose signature was verified, with their claims. HMAC verification of the same bytes
# under the same key always gives the same answer, so a token seen before skips it (a customer
# in a sale presents the same token dozens of times); expiry is still checked on every use.
# Access tokens are not revocable (they live 15 minutes; refresh tokens are), so nothing else
# can change the answer.
VERIFIED_KEPT = 8192
_verified: BoundedDict[tuple[str, str], Claims] = BoundedDict(VERIFIED_KEPT)


def decode_access_token(secret: str, token: str) -> Claims:
    key = (secret, token)
    claims = _verified.get(key)
    if claims is not None:
        if claims.expires_at > utcnow():
            return claims
        _verified.pop(key, None)
        raise InvalidToken("Signature has expired")
    try:
        data = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.PyJWTError as err:
        raise InvalidToken(str(err)) from err
    claims = Claims(
        subject=data["sub"],
        role=data.get("role", ""),
        scopes=tuple(data.get("scope", "").split()),
        partner_id=data.get("pid"),
        kind=data.get("kind", "user"),
        expires_at=datetime.fromtimestamp(data["exp"], UTC),
    )
    return _verified.put(key, claims)


def new_refresh_token() -> tuple[str, str, str]:
    """(token id, the token to hand out, its hash to store)."""
    token_id = "rt_" + secrets.token_hex(10)
    token = f"{token_id}.{secrets.token_urlsafe(32)}"
    return token_id, token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_refresh_token(token: str) -> str | None:
    token_id, dot, rest = token.partition(".")
    return token_id if dot and rest and token_id.startswith("rt_") else None


def new_client_secret() -> str:
    return "cs_" + secrets.token_urlsafe(32)
