"""Telling customers: e-tickets, email over SMTP, SMS and push, in the customer's language.

`ChannelNotifier` implements booking's `Notifier` port: it renders a template for the
notification's kind in the customer's language (falling back to English) and sends it on every
channel the customer can be reached on. Channels: `SmtpEmail` (stdlib smtplib), and file-backed
email/SMS/push channels that write JSON lines under a directory (the demo, and a stand-in until a
real SMS or push provider is configured). `build_notifier(settings)` picks them from the
notification settings.
"""

from notifications.channels import FileChannel, SmtpEmail
from notifications.notifier import ChannelNotifier, build_notifier
from notifications.templates import TemplateBook, render
from notifications.ticket import ETicket, qr_png, qr_svg

__all__ = [
    "ChannelNotifier",
    "ETicket",
    "FileChannel",
    "SmtpEmail",
    "TemplateBook",
    "build_notifier",
    "qr_png",
    "qr_svg",
    "render",
]
