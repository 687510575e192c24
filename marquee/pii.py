"""Customer contact data at rest: Fernet-encrypted, with a keyed hash of the email for lookup.

The hash is an HMAC (not a plain digest) so a leaked table cannot be matched against a list of
known addresses without the key. Both keys derive from settings: `encryption_key` if set, else
the JWT secret (development mode only: production refuses to start without an encryption key),
each through its own HKDF label so one never equals the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class PiiCipher:
    """`secret` may list several keys, comma-separated, newest first (a key rotation): the first
    encrypts, every one decrypts (MultiFernet). The lookup hash is keyed by the last (oldest)
    key, so e-mail lookups keep working while the newest key changes."""

    def __init__(self, secret: str) -> None:
        keys = [k.strip().encode() for k in secret.split(",") if k.strip()] or [secret.encode()]
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(_derive(k, b"marquee pii fernet"))) for k in keys]
        )
        self._hash_key = _derive(keys[-1], b"marquee pii lookup hash")

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored value under the newest key (a rotation's re-keying pass)."""
        return self._fernet.rotate(token.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as err:  # wrong key or tampered row: never hand back garbage
            raise ValueError("stored personal data cannot be decrypted with this key") from err

    def email_hash(self, email: str) -> str:
        digest = hmac.new(self._hash_key, normalize_email(email).encode(), hashlib.sha256)
        return digest.hexdigest()


def cipher_from_settings(encryption_key: str | None, jwt_secret: str) -> PiiCipher:
    return PiiCipher(encryption_key or jwt_secret)
