"""Authenticating pushed bodies: an HMAC signature header or a shared-key header.

Which one a system uses is in its mapping (`signature_header` or `auth_header` on the push
entity's transport); the secret is the connector's `push_secret`. Comparisons are constant time.

A signature header reads `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`: the
timestamp is signed with the body, and a push signed more than `TOLERANCE_SECONDS` away from
now is refused, so a captured push cannot be replayed later (the push receiver also refuses a
body it has already applied, inside the window). A bare signature without a timestamp is
refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def verify(
    headers: dict[str, str],
    body: bytes,
    secret: str,
    *,
    signature_header: str | None = None,
    key_header: str | None = None,
    now: float | None = None,
) -> bool:
    if not secret:
        return False
    if signature_header:
        return _signed_recently(_header(headers, signature_header), body, secret, now)
    if key_header:
        given = _header(headers, key_header)
        return bool(given) and hmac.compare_digest(given.encode(), secret.encode())
    return False


def _signed_recently(value: str, body: bytes, secret: str, now: float | None) -> bool:
    parts = dict(p.strip().partition("=")[::2] for p in value.split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "").strip().lower()
    if not stamp.isdigit() or not given:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_SECONDS:
        return False
    expected = _mac(secret, stamp, body)
    return hmac.compare_digest(given, expected)


def _mac(secret: str, stamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The signature header value for `body`, signed now (or at `timestamp`)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return f"t={stamp},v1={_mac(secret, stamp, body)}"
