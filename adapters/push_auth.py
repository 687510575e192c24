"""Authenticating pushed bodies: an HMAC signature header or a shared-key header.

Which one a system uses is in its mapping (`signature_header` or `auth_header` on the push
entity's transport); the secret is the connector's `push_secret`. Comparisons are constant time.
"""

from __future__ import annotations

import hashlib
import hmac


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
) -> bool:
    if not secret:
        return False
    if signature_header:
        given = _header(headers, signature_header).strip().lower()
        given = given.removeprefix("sha256=")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return bool(given) and hmac.compare_digest(given, expected)
    if key_header:
        given = _header(headers, key_header)
        return bool(given) and hmac.compare_digest(given.encode(), secret.encode())
    return False


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
