"""Notifications: e-ticket mail over real SMTP (aiosmtpd on loopback) in two languages, the QR
code, file-backed SMS and push, template fallback."""

from __future__ import annotations

import json
import socket
import struct
import zlib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import zxingcpp

from booking.ports import Notification
from booking.services import ticket_payload
from canonical.money import Money
from canonical.orders import Booking, BookingStatus, Customer, Ticket
from notifications import ChannelNotifier, FileChannel, SmtpEmail, TemplateBook
from notifications.channels import ChannelError
from notifications.templates import PARTS, candidates


def _booking(code: str = "MQ7K2P9X") -> Booking:
    price = Money(amount=25000, currency="INR")
    return Booking(
        id="bkg_1",
        code=code,
        show_id="shw_1",
        customer_id="cus_1",
        hold_id="hld_1",
        tickets=(
            Ticket(seat_id="C5", label="C5", category="standard", ticket_type="ADULT", price=price),
            Ticket(seat_id="C6", label="C6", category="standard", ticket_type="ADULT", price=price),
        ),
        total=Money(amount=50000, currency="INR"),
        status=BookingStatus.CONFIRMED,
        created_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )


def _confirmed(customer: Customer, booking: Booking) -> Notification:
    # The same context booking.handlers.notify_confirmed builds.
    return Notification(
        kind="booking_confirmed",
        customer=customer,
        context={"booking": booking.model_dump(mode="json"), "qr": ticket_payload(booking)},
    )


def _attachment(mail: EmailMessage, filename: str) -> bytes:
    for part in mail.iter_attachments():
        if part.get_filename() == filename:
            return part.get_content()
    raise AssertionError(
        f"no attachment {filename}; have {[p.get_filename() for p in mail.iter_attachments()]}"
    )


def _png_pixels(png: bytes) -> tuple[int, bytes]:
    """The width and the grey pixels of the (unfiltered, 8-bit grey, square) PNG we write."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, {}
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF, f"bad CRC on {kind!r}"
        chunks[kind] = chunks.get(kind, b"") + data
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 0) and width == height
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width + 1
    assert len(raw) == height * stride
    assert all(raw[y * stride] == 0 for y in range(height)), "filter type other than none"
    return width, b"".join(raw[y * stride + 1 : (y + 1) * stride] for y in range(height))


def _read_qr(png: bytes) -> list[str]:
    """What a barcode reader (ZXing) finds in the PNG."""
    width, pixels = _png_pixels(png)

    class Grey:  # the array interface is all the reader needs of an image
        __array_interface__ = {  # noqa: RUF012
            "shape": (width, width),
            "typestr": "|u1",
            "data": pixels,
            "version": 3,
        }

    return [found.text for found in zxingcpp.read_barcodes(Grey())]


def test_e_ticket_mail_in_english_and_tamil_over_smtp(smtp_server) -> None:
    booking = _booking()
    notifier = ChannelNotifier(
        email=SmtpEmail(smtp_server.host, smtp_server.port, "tickets@marquee.test")
    )
    english = Customer(id="cus_1", email="asha@example.com", name="Asha", language="en")
    tamil = Customer(id="cus_2", email="kavin@example.com", name="Kavin", language="ta-IN")

    notifier.send(_confirmed(english, booking))
    notifier.send(_confirmed(tamil, booking))

    assert [rcpt for _, rcpt in smtp_server.envelopes] == [
        ["asha@example.com"],
        ["kavin@example.com"],
    ]
    en_mail, ta_mail = smtp_server.messages
    assert en_mail["Subject"] == "Your tickets are confirmed: booking MQ7K2P9X"
    assert en_mail["Content-Language"] == "en"
    assert en_mail["From"] == "tickets@marquee.test"
    en_body = en_mail.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Asha" in en_body and "Booking code: MQ7K2P9X" in en_body
    assert "C5, C6" in en_body and "500.00 INR" in en_body

    assert ta_mail["Subject"] == "உங்கள் டிக்கெட்டுகள் உறுதி செய்யப்பட்டன: முன்பதிவு MQ7K2P9X"
    assert ta_mail["Content-Language"] == "ta"
    ta_body = ta_mail.get_body(preferencelist=("plain",)).get_content()
    assert "வணக்கம் Kavin" in ta_body and "முன்பதிவுக் குறியீடு: MQ7K2P9X" in ta_body

    # The QR code a reader finds in the attached PNG is the signed ticket payload
    # (booking/tickets.py).
    payload = ticket_payload(booking)
    assert payload.startswith("MQ2.")
    for mail in (en_mail, ta_mail):
        assert _read_qr(_attachment(mail, "ticket-MQ7K2P9X.png")) == [payload]


def test_cancellation_in_hindi_and_unknown_language_falls_back_to_english(smtp_server) -> None:
    notifier = ChannelNotifier(email=SmtpEmail(smtp_server.host, smtp_server.port))
    context = {"code": "MQ7K2P9X", "refund": "450.00 INR", "fee": "50.00 INR"}
    hindi = Customer(id="cus_3", email="ravi@example.com", name="Ravi", language="hi")
    french = Customer(id="cus_4", email="anne@example.com", name="Anne", language="fr-FR")
    notifier.send(Notification(kind="booking_cancelled", customer=hindi, context=context))
    notifier.send(Notification(kind="booking_cancelled", customer=french, context=context))

    hi_mail, fr_mail = smtp_server.messages
    assert hi_mail["Subject"] == "बुकिंग MQ7K2P9X रद्द कर दी गई"
    assert hi_mail["Content-Language"] == "hi"
    assert "धनवापसी: 450.00 INR" in hi_mail.get_content()
    assert fr_mail["Subject"] == "Booking MQ7K2P9X cancelled"
    assert fr_mail["Content-Language"] == "en"
    assert not list(hi_mail.iter_attachments())  # only the confirmation carries a ticket


def test_redelivered_notification_keeps_its_message_id(smtp_server) -> None:
    notifier = ChannelNotifier(email=SmtpEmail(smtp_server.host, smtp_server.port))
    customer = Customer(id="cus_1", email="asha@example.com", language="en")
    notifier.send(_confirmed(customer, _booking()))
    notifier.send(_confirmed(customer, _booking()))
    notifier.send(_confirmed(customer, _booking("MQ22222X")))
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert ids[0] == ids[1] != ids[2]


def test_smtp_down_raises_so_the_outbox_retries() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notifier = ChannelNotifier(email=SmtpEmail("127.0.0.1", port, timeout=2))
    customer = Customer(id="cus_1", email="asha@example.com")
    with pytest.raises(ChannelError, match="SMTP 127.0.0.1"):
        notifier.send(_confirmed(customer, _booking()))


def test_file_channels_write_sms_push_and_email_for_the_demo(tmp_path: Path) -> None:
    notifier = ChannelNotifier(
        email=FileChannel(tmp_path, "email"),
        sms=FileChannel(tmp_path, "sms"),
        push=FileChannel(tmp_path, "push"),
    )
    with_phone = Customer(
        id="cus_1", email="kavin@example.com", phone="+919876543210", language="ta"
    )
    notifier.send(_confirmed(with_phone, _booking()))
    notifier.send(
        Notification(
            kind="refund_issued",
            customer=Customer(id="cus_2", email="anne@example.com"),
            context={"amount": "450.00 INR", "reason": "cancelled"},
        )
    )

    sms = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    push = [json.loads(line) for line in (tmp_path / "push.jsonl").read_text().splitlines()]
    email = FileChannel(tmp_path, "email").read()
    assert [(m["to"], m["language"]) for m in sms] == [("+919876543210", "ta")]  # cus_2: no phone
    assert "MQ7K2P9X" in sms[0]["body"] and "C5, C6" in sms[0]["body"]
    assert [(m["to"], m["kind"]) for m in push] == [
        ("cus_1", "booking_confirmed"),
        ("cus_2", "refund_issued"),
    ]
    assert push[1]["body"] == "450.00 INR refunded."
    assert [m["attachments"] for m in email] == [["ticket-MQ7K2P9X.png"], []]
    assert Path(email[0]["eml"]).read_bytes().count(b"ticket-MQ7K2P9X.png") >= 1


def test_every_template_exists_in_three_languages_and_renders_completely() -> None:
    book = TemplateBook()
    values = {
        k: f"<{k}>"
        for k in (
            *("name", "code", "seats", "total", "refund", "fee", "amount", "reason"),
            *("movie", "theatre", "screen", "show_time"),
        )
    }
    assert set(book.kinds()) >= {
        "booking_confirmed",
        "booking_cancelled",
        "refund_issued",
        "payment_after_expiry",
    }
    for kind in book.kinds():
        assert book.languages(kind) == ["en", "hi", "ta"], kind
        for language in ("en", "hi", "ta"):
            rendered = book.render(kind, language, values)
            assert rendered.language == language
            for part in PARTS:
                text = getattr(rendered, part)
                assert text.strip() and "$" not in text, (kind, language, part)
            assert rendered.html is None or "$" not in rendered.html, (kind, language, "html")


def test_a_missing_value_is_an_error_not_a_placeholder_in_the_inbox() -> None:
    with pytest.raises(ValueError, match="needs a value for 'code'"):
        TemplateBook().render("booking_cancelled", "en", {"name": "A", "refund": "1", "fee": "0"})
    assert candidates("ta_IN") == ["ta-in", "ta", "en"]


def test_smtp_login_and_starttls_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from marquee.settings import NotificationSettings
    from notifications import build_notifier

    for name, value in {
        "SMTP_HOST": "smtp.example.net",
        "SMTP_PORT": "587",
        "SMTP_STARTTLS": "true",
        "SMTP_USERNAME": "tickets",
        "SMTP_PASSWORD": "app-password",
    }.items():
        monkeypatch.setenv(name, value)
    email = build_notifier(NotificationSettings()).email
    assert isinstance(email, SmtpEmail)
    assert (email.host, email.port, email.starttls) == ("smtp.example.net", 587, True)
    assert (email.username, email.password) == ("tickets", "app-password")
