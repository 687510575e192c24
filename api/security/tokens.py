"""Access tokens (short-lived JWTs, HS256) and refresh tokens (opaque, stored as a hash).

An access token names its login session (`sid`, the refresh token family): logging out or an
admin's change ends the session, and api/security/standing.py refuses its access tokens from the
next request on. Verification accepts the current signing key and the previous keys listed for a
rotation (JWT_PREVIOUS_SECRETS); new tokens are always signed with the current key.

A refresh token is `<id>.<secret>`: the id finds the row, the SHA-256 of the whole token must
match the stored hash. Tokens rotate on every use; presenting a token that was already rotated
revokes its whole family, since only a thief would still hold it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
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
    session: str | None = None  # the refresh token family of a user's login


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
    session: str | None = None,
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
    if session:
        payload["sid"] = session
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires


# Tokens whose signature was verified, with their claims. HMAC verification of the same bytes
# under the same key always gives the same answer, so a token seen before skips it (a customer
# in a sale presents the same token dozens of times); expiry is still checked on every use.
# Whether the token's user or session is still in good standing is not a property of the
# token: the caller checks it on every request (api/security/standing.py).
VERIFIED_KEPT = 8192
_verified: BoundedDict[tuple[tuple[str, ...], str], Claims] = BoundedDict(VERIFIED_KEPT)


def decode_access_token(secret: str | Sequence[str], token: str) -> Claims:
    """`secret`: the signing key, or the keys accepted during a rotation (current first)."""
    keys = (secret,) if isinstance(secret, str) else tuple(secret)
    key = (keys, token)
    claims = _verified.get(key)
    if claims is not None:
        if claims.expires_at > utcnow():
            return claims
        _verified.pop(key, None)
        raise InvalidToken("Signature has expired")
    data: dict | None = None
    failure = "no verification key"
    for candidate in keys:
        try:
            data = jwt.decode(
                token,
                candidate,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss"]},
            )
            break
        except jwt.InvalidSignatureError as err:
            failure = str(err)  # maybe signed with another listed key
        except jwt.PyJWTError as err:
            raise InvalidToken(str(err)) from err
    if data is None:
        raise InvalidToken(failure)
    claims = Claims(
        subject=data["sub"],
        role=data.get("role", ""),
        scopes=tuple(data.get("scope", "").split()),
        partner_id=data.get("pid"),
        kind=data.get("kind", "user"),
        expires_at=datetime.fromtimestamp(data["exp"], UTC),
        session=data.get("sid"),
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
