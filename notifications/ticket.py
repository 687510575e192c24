"""The e-ticket: booking code, seats, total, and a QR code the door scanner reads.

The QR code is made with the `qrcode` package. Pillow is not a dependency, so the PNG is written
here from the QR module matrix with zlib (a PNG is a few chunks around deflated scanlines); an
SVG is available too.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.constants
import qrcode.image.svg

from canonical.money import Money

# The mask is fixed rather than chosen by scoring all eight: a signed ticket is a version-11
# symbol, where the scoring took three quarters of the e-ticket's CPU time (the mail is built in
# the worker that also relays a flash sale's events), and every reader decodes any mask.
MASK_PATTERN = 2


def _code(payload: str) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=MASK_PATTERN
    )
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (True = dark), quiet zone of 4 modules included."""
    return _code(payload).get_matrix()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def qr_png(payload: str, scale: int = 8) -> bytes:
    """A black-on-white 8-bit greyscale PNG of the QR code, `scale` pixels per module."""
    matrix = qr_matrix(payload)
    size = len(matrix) * scale
    dark, light = b"\x00" * scale, b"\xff" * scale
    raw = bytearray()
    for row in matrix:
        # Each scanline starts with its filter type, 0 (none).
        raw += (b"\x00" + b"".join(dark if module else light for module in row)) * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw), 6))
        + _chunk(b"IEND", b"")
    )


def qr_svg(payload: str) -> str:
    image = _code(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode("utf-8")


@dataclass(frozen=True)
class ETicket:
    code: str
    qr_payload: str
    seats: tuple[str, ...]
    total: str
    show_id: str

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> ETicket:
        """From the `booking_confirmed` notification context: the booking as JSON and the QR
        payload (booking.services.ticket_payload)."""
        booking = context["booking"]
        total = booking.get("total")
        return cls(
            code=booking["code"],
            qr_payload=context.get("qr") or f"MQ1:{booking['code']}",
            seats=tuple(t.get("label") or t["seat_id"] for t in booking.get("tickets", ())),
            total=str(Money.model_validate(total)) if total else "",
            show_id=booking.get("show_id", ""),
        )

    def png(self) -> bytes:
        return qr_png(self.qr_payload)

    def svg(self) -> str:
        return qr_svg(self.qr_payload)
