"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# Verified against when the account does not exist, so a login for an unknown email takes as
# long as one with a wrong password (no account enumeration by timing). Written out rather than
# hashed at import (a fifth of a second for every process that starts); its parameters must be
# the hasher's, which tests/security/test_login_throttle.py checks.
_DUMMY = (
    "$argon2id$v=19$m=65536,t=3,p=4$Cb6SBt3fCdnYB5yPOCuLPA"
    "$C86MBR9Uscx45uI816PVfL5mz6zJAdgxqqD3FvF0Qek"
)

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
