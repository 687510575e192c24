"""`ChannelNotifier`: booking's Notifier port over email, SMS and push channels.

It turns a `Notification` (kind, customer, context from the booking handlers) into template
values, renders them in the customer's language, and sends on each channel the customer can be
reached on: email when there is an address, SMS when there is a phone number, push always (the
push channel addresses the customer id; a real provider maps it to device tokens). The e-ticket
mail carries the QR code as a PNG attachment, and names the movie, theatre, screen and the start
in the theatre's time zone (`notifications.shows`).

Delivery is at least once: if one channel fails the whole notification is retried from the
outbox, and the channels that had succeeded may send again (same key, same Message-ID).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from booking.ports import Notification
from canonical.money import Money
from notifications.channels import (
    Attachment,
    Channel,
    ChannelError,
    Outgoing,
)
from notifications.registry import get_channel
from notifications.shows import CatalogShows, ShowFacts, ShowLookup, show_time
from notifications.templates import Rendered, TemplateBook
from notifications.ticket import ETicket

log = logging.getLogger(__name__)


def _money(value: Any) -> str:
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Mapping):
        return str(Money.model_validate(value))
    return "" if value is None else str(value)


UNKNOWN = "-"


def template_values(
    notification: Notification, show: ShowFacts | None = None, language: str = "en"
) -> dict[str, str]:
    """Everything a template of this kind may name, as text (`language`: the template's, for
    the show's date)."""
    ctx = notification.context
    customer = notification.customer
    values: dict[str, str] = {
        "name": customer.name or customer.email.split("@")[0],
        "code": str(ctx.get("code", "")),
        "seats": ", ".join(str(s) for s in ctx.get("seats", ())),
        "total": _money(ctx.get("total")),
        "refund": _money(ctx.get("refund")),
        "fee": _money(ctx.get("fee")),
        "amount": _money(ctx.get("amount")),
        "reason": str(ctx.get("reason", "")),
        "movie": show.movie if show else UNKNOWN,
        "theatre": show.theatre if show else UNKNOWN,
        "screen": show.screen if show else UNKNOWN,
        "show_time": show_time(show, language) if show else UNKNOWN,
    }
    if "booking" in ctx:
        ticket = ETicket.from_context(ctx)
        values.update(code=ticket.code, seats=", ".join(ticket.seats), total=ticket.total)
    return values


def notification_key(notification: Notification) -> str:
    """Stable for the same notification (a redelivery), different for different ones."""
    ctx = notification.context
    code = ctx.get("code") or (ctx.get("booking") or {}).get("code") or ""
    detail = f"{ctx.get('amount', '')}|{ctx.get('reason', '')}|{ctx.get('seats', '')}"
    digest = hashlib.sha256(
        f"{notification.kind}|{notification.customer.id}|{code}|{detail}".encode()
    ).hexdigest()[:16]
    return f"{notification.kind}.{code or notification.customer.id}.{digest}"


class ChannelNotifier:
    def __init__(
        self,
        *,
        email: Channel | None = None,
        sms: Channel | None = None,
        push: Channel | None = None,
        templates: TemplateBook | None = None,
        shows: ShowLookup | None = None,
    ) -> None:
        self.email = email
        self.sms = sms
        self.push = push
        self.templates = templates or TemplateBook()
        self.shows = shows

    def show_facts(self, notification: Notification) -> ShowFacts | None:
        """The show this notification is about, when it is about one and it can be found."""
        ctx = notification.context
        given = ctx.get("show")
        if isinstance(given, Mapping) and given.get("start"):
            return ShowFacts.from_context(given)
        booking = ctx.get("booking")
        show_id = ctx.get("show_id") or (
            booking.get("show_id") if isinstance(booking, Mapping) else None
        )
        if not show_id or self.shows is None:
            return None
        # A database error propagates: the outbox retries the notification, as for a channel.
        language = notification.customer.language
        return self.shows(str(show_id), [language] if language else [])

    def render(self, notification: Notification) -> Rendered:
        kind, language = notification.kind, notification.customer.language
        used = self.templates.load(kind, language)[0].split("-")[0]
        values = template_values(notification, self.show_facts(notification), used)
        return self.templates.render(kind, language, values)

    def messages(self, notification: Notification) -> list[tuple[Channel, Outgoing]]:
        rendered = self.render(notification)
        key = notification_key(notification)
        customer = notification.customer
        common: dict[str, Any] = {
            "language": rendered.language,
            "kind": notification.kind,
            "key": key,
        }
        out: list[tuple[Channel, Outgoing]] = []
        if self.email is not None and customer.email:
            attachments: tuple[Attachment, ...] = ()
            if "booking" in notification.context:
                ticket = ETicket.from_context(notification.context)
                attachments = (
                    Attachment(
                        filename=f"ticket-{ticket.code}.png",
                        content_type="image/png",
                        data=ticket.png(),
                        content_id=f"qr-{ticket.code}",
                    ),
                )
            out.append(
                (
                    self.email,
                    Outgoing(
                        channel="email",
                        to=str(customer.email),
                        subject=rendered.subject,
                        body=rendered.email,
                        html=rendered.html,
                        attachments=attachments,
                        **common,
                    ),
                )
            )
        if self.sms is not None and customer.phone:
            out.append(
                (self.sms, Outgoing(channel="sms", to=customer.phone, body=rendered.sms, **common))
            )
        if self.push is not None:
            out.append(
                (
                    self.push,
                    Outgoing(
                        channel="push",
                        to=customer.id,
                        subject=rendered.push_title,
                        body=rendered.push,
                        **common,
                    ),
                )
            )
        return out

    def send(self, notification: Notification) -> None:
        booking = notification.context.get("booking")
        if (
            notification.kind == "booking_confirmed"
            and isinstance(booking, Mapping)
            and booking.get("status", "confirmed") != "confirmed"
        ):
            # The sale failed at the theatre before the e-ticket went out (the customer hears
            # about the refund instead): never send a ticket for a booking that is not valid.
            log.info(
                "not sending an e-ticket for booking %s: it is %s",
                booking.get("code"),
                booking.get("status"),
            )
            return
        failures: list[str] = []
        for channel, message in self.messages(notification):
            try:
                channel.send(message)
            except ChannelError as error:
                log.warning(
                    "%s notification %s failed on %s: %s",
                    notification.kind,
                    message.key,
                    channel.name,
                    error,
                )
                failures.append(f"{channel.name}: {error}")
        if failures:
            raise ChannelError("; ".join(failures))


def build_notifier(
    settings: Any, engine: Any = None, database_url: str | None = None
) -> ChannelNotifier:
    """From marquee's notification settings (`smtp_host`, `smtp_port`, `smtp_starttls`,
    `smtp_username`, `smtp_password`, `mail_from`, `notify_dir`): SMTP email when `smtp_host` is
    set, else email written to files; SMS and push are file-backed under `notify_dir` (no
    provider is configured in this build). Channels are looked up by name in
    `notifications.registry` (code may register its own). Show facts for the e-ticket come from
    the catalog: `engine` when given, else an engine on `database_url`, made on first use."""
    directory = settings.notify_dir
    email: Channel
    if settings.smtp_host:
        password = settings.smtp_password
        email = get_channel(
            "smtp",
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else None,
        )
    else:
        email = get_channel("file", directory=directory, name="email", mail_from=settings.mail_from)
    return ChannelNotifier(
        email=email,
        sms=get_channel("file", directory=directory, name="sms"),
        push=get_channel("file", directory=directory, name="push"),
        shows=(
            CatalogShows(engine=engine, database_url=database_url)
            if engine or database_url
            else None
        ),
    )
