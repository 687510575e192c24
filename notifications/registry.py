"""Notification channels by name, through the one plugin mechanism (`adapters.plugins`).

The `marquee.notification_channels` entry-point group names factories (a class or function)
that take keyword settings and return an object with the `notifications.channels.Channel`
shape. Code may also `register_channel`; that wins over an entry point of the same name, which
wins over the built-in fall-back table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.plugins import PluginRegistry
from notifications.channels import Channel

ENTRY_POINT_GROUP = "marquee.notification_channels"

ChannelFactory = Callable[..., Channel]

_BUILTIN: dict[str, str] = {
    "smtp": "notifications.channels:SmtpEmail",
    "file": "notifications.channels:FileChannel",
}

CHANNELS: PluginRegistry[ChannelFactory] = PluginRegistry(
    "notification channel", ENTRY_POINT_GROUP, builtin=_BUILTIN
)


def register_channel(name: str, factory: ChannelFactory) -> None:
    CHANNELS.register(name, factory)


def available_channels() -> list[str]:
    return CHANNELS.names()


def get_channel(name: str, /, **settings: Any) -> Channel:
    """A new channel instance by name, built with `settings` (host, directory...)."""
    return CHANNELS.get(name)(**settings)
