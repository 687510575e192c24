"""The e-ticket's QR payload: a compact, signed statement of which seats of which show a booking
admits. Signed with Ed25519, so a door scanner that has only the public key (GET
/v1/checkin/key) can tell a genuine ticket from a forged one without a network; the server checks
the same signature and then what only it knows (cancelled, refunded, already admitted).

Format: `MQ2.<base64url JSON>.<base64url signature of "MQ2.<base64url JSON>">`, the JSON
`{"c": code, "b": booking id, "s": show id, "t": [seat ids]}`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from canonical.orders import Booking

PREFIX = "MQ2"
# Used only until the composition root configures the deployment's secret (tests, tools).
_DEVELOPMENT_SECRET = "marquee-development-ticket-key"


class TicketRejected(ValueError):
    """A QR payload that is not a genuine Marquee ticket."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class TicketClaim:
    """What a genuine ticket says."""

    code: str
    booking_id: str
    show_id: str
    seat_ids: tuple[str, ...]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TicketSigner:
    """Signs tickets with a key derived from a deployment secret (the same secret gives the
    same key in every process: the API, the worker that mails the ticket, the scanners)."""

    def __init__(self, secret: str) -> None:
        seed = hashlib.sha256(b"marquee ticket signing key v1\x00" + secret.encode()).digest()
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key: Ed25519PublicKey = self._key.public_key()

    @property
    def public_key_b64(self) -> str:
        return _b64(self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def encode(self, booking: Booking) -> str:
        body = {
            "c": booking.code,
            "b": booking.id,
            "s": booking.show_id,
            "t": [t.seat_id for t in booking.tickets],
        }
        signed = f"{PREFIX}.{_b64(json.dumps(body, separators=(',', ':')).encode())}"
        return f"{signed}.{_b64(self._key.sign(signed.encode('ascii')))}"


def verify(payload: str, public_key: Ed25519PublicKey) -> TicketClaim:
    """The claim of a genuine ticket; TicketRejected (`malformed` or `bad_signature`)."""
    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TicketRejected("malformed", "not a Marquee ticket code")
    try:
        signature = _unb64(parts[2])
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, ValueError) as exc:
        raise TicketRejected("bad_signature", "the ticket's signature is not valid") from exc
    try:
        body = json.loads(_unb64(parts[1]))
        claim = TicketClaim(
            code=str(body["c"]),
            booking_id=str(body["b"]),
            show_id=str(body["s"]),
            seat_ids=tuple(str(s) for s in body["t"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise TicketRejected("malformed", "the ticket's content cannot be read") from exc
    if not claim.seat_ids:
        raise TicketRejected("malformed", "the ticket names no seat")
    return claim


_lock = threading.Lock()
_signer: TicketSigner | None = None


def configure(secret: str) -> TicketSigner:
    """Set the process's signer (the composition root calls this with the deployment secret)."""
    global _signer
    with _lock:
        if _signer is None or _signer_secret.get("secret") != secret:
            _signer = TicketSigner(secret)
            _signer_secret["secret"] = secret
        return _signer


_signer_secret: dict[str, str] = {}


def signer() -> TicketSigner:
    with _lock:
        current = _signer
    return current if current is not None else configure(_DEVELOPMENT_SECRET)
