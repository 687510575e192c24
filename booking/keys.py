"""Identifiers a use case derives rather than draws: the idempotency keys sent to a gateway or a
POS (stable across retries, so the remote side acts once), and booking codes.
"""

from __future__ import annotations

import secrets

# Booking codes avoid look-alikes (0/O, 1/I/L) because people read them out at the counter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def attempt_key(booking_id: str, attempt: int) -> str:
    """The gateway idempotency key of a booking's n-th payment attempt."""
    return f"{booking_id}:attempt-{attempt}"


def remote_key(hold_id: str) -> str:
    """The idempotency key of a hold at the POS: a retry of the same hold never holds twice."""
    return f"hold:{hold_id}"


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
