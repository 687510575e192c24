"""Delivery channels: email over SMTP, and file-backed email/SMS/push for the demo.

A channel takes an `Outgoing` message that is already rendered and addressed. Failures raise
(`ChannelError`) so the outbox delivery is retried.
"""

from __future__ import annotations

import json
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol


class ChannelError(Exception):
    """The channel could not take the message (server down, refused): retry later."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "image/png"
    data: bytes
    content_id: str | None = None  # for inline use from HTML


@dataclass(frozen=True)
class Outgoing:
    channel: str  # email | sms | push
    to: str  # email address, E.164 phone number, or customer id for push
    body: str
    language: str
    kind: str
    key: str  # stable per notification: duplicates share it (Message-ID, JSON `key`)
    subject: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> None: ...


def email_message(message: Outgoing, mail_from: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    domain = mail_from.rpartition("@")[2] or "marquee.local"
    # The same notification delivered twice carries the same Message-ID: mail clients fold it.
    mail["Message-ID"] = f"<{message.key.replace(':', '.')}@{domain}>"
    mail["X-Marquee-Kind"] = message.kind
    mail.set_content(message.body, charset="utf-8")
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for item in message.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        mail.add_attachment(
            item.data,
            maintype=maintype,
            subtype=subtype,
            filename=item.filename,
            cid=f"<{item.content_id}>" if item.content_id else None,
        )
    # Set last: set_content/add_attachment move Content-* headers into the body parts.
    mail["Content-Language"] = message.language
    return mail


class SmtpEmail:
    """Email through an SMTP server with the standard library. STARTTLS and login when given."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int = 25,
        mail_from: str = "tickets@marquee.local",
        *,
        timeout: float = 10.0,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self.timeout = timeout
        self.starttls = starttls
        self.username = username
        self.password = password

    def send(self, message: Outgoing) -> None:
        mail = email_message(message, self.mail_from)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(f"SMTP {self.host}:{self.port}: {error}") from error


class FileChannel:
    """Appends each message as one JSON line to `<directory>/<name>.jsonl`. For email it also
    writes the full MIME message as `<directory>/mail/<key>.eml`, so the demo's e-ticket can be
    opened in a mail client."""

    def __init__(self, directory: Path, name: str, mail_from: str = "tickets@marquee.local"):
        self.directory = Path(directory)
        self.name = name
        self.mail_from = mail_from
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.directory / f"{self.name}.jsonl"

    def send(self, message: Outgoing) -> None:
        record = {
            "at": datetime.now(UTC).isoformat(),
            "channel": self.name,
            "to": message.to,
            "kind": message.kind,
            "language": message.language,
            "key": message.key,
            "subject": message.subject,
            "body": message.body,
            "attachments": [a.filename for a in message.attachments],
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if self.name == "email":
                mail_dir = self.directory / "mail"
                mail_dir.mkdir(exist_ok=True)
                eml = mail_dir / f"{message.key.replace(':', '_')}.eml"
                eml.write_bytes(bytes(email_message(message, self.mail_from)))
                record["eml"] = str(eml)
            line = json.dumps(record, ensure_ascii=False)
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as error:
            raise ChannelError(f"cannot write {self.path}: {error}") from error

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [
            json.loads(line)
            for line in self.path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
