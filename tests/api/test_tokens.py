"""Access tokens: a verified token is remembered, but expiry is checked on every use and a
token differing in one byte is verified afresh."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from api.security.tokens import InvalidToken, decode_access_token, issue_access_token
from canonical.time import utcnow

SECRET = "tokens-test-secret-0123456789abcdef0123"


def _token(expires_in: timedelta) -> str:
    token, _ = issue_access_token(
        SECRET,
        subject="usr_1",
        role="customer",
        scopes=["bookings"],
        partner_id=None,
        kind="user",
        minutes=15,
        now=utcnow() - timedelta(minutes=15) + expires_in,
    )
    return token


def test_a_remembered_token_still_expires():
    token = _token(timedelta(seconds=1.5))
    assert decode_access_token(SECRET, token).subject == "usr_1"
    assert decode_access_token(SECRET, token).scopes == ("bookings",)  # from memory
    time.sleep(1.6)
    with pytest.raises(InvalidToken, match="expired"):
        decode_access_token(SECRET, token)


def test_an_expired_token_is_refused_on_first_sight():
    with pytest.raises(InvalidToken, match="expired"):
        decode_access_token(SECRET, _token(timedelta(seconds=-5)))


def test_a_tampered_or_foreign_token_is_not_taken_from_memory():
    token = _token(timedelta(minutes=10))
    decode_access_token(SECRET, token)
    with pytest.raises(InvalidToken):
        decode_access_token(SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(InvalidToken):
        decode_access_token("another-secret-0123456789abcdef01234", token)
