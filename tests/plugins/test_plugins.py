"""One plugin mechanism for adapters, payment gateways and notification channels.

Plugins come from test distributions written to a temporary folder (a `.dist-info` with an
`entry_points.txt`, as pip would leave it) and read with importlib.metadata; nothing is installed.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint, distributions, entry_points
from pathlib import Path

import pytest

from adapters import registry as adapter_registry
from adapters.plugins import DuplicatePlugin, PluginRegistry, UnknownPlugin
from booking.errors import UnknownGateway
from marquee.settings import NotificationSettings
from notifications import registry as channel_registry
from notifications.channels import FileChannel, Outgoing, SmtpEmail
from notifications.notifier import build_notifier
from payments import registry as gateway_registry
from payments.offline import OfflineGateway

ROOT = Path(__file__).resolve().parents[2]

PLUGIN_MODULE = '''
class CarrierPigeon:
    """An adapter, a gateway or a channel: all three are factories taking settings."""

    name = "pigeon"

    def __init__(self, *args, **settings):
        self.args = args
        self.settings = settings


class Raven(CarrierPigeon):
    name = "raven"
'''


def write_distribution(folder: Path, name: str, groups: dict[str, dict[str, str]]) -> None:
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = []
    for group, entries in groups.items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in entries.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


def entry_points_in(folder: Path) -> list[EntryPoint]:
    return [ep for dist in distributions(path=[str(folder)]) for ep in dist.entry_points]


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    code = tmp_path / "code"
    code.mkdir()
    (code / "acme_birds.py").write_text(PLUGIN_MODULE)
    monkeypatch.syspath_prepend(str(code))
    return "acme_birds"


KINDS = [
    pytest.param(adapter_registry.ADAPTERS, id="adapters"),
    pytest.param(gateway_registry.GATEWAYS, id="payment_gateways"),
    pytest.param(channel_registry.CHANNELS, id="notification_channels"),
]


@pytest.mark.parametrize("shipped", KINDS)
def test_a_plugin_from_an_entry_point_resolves(
    shipped: PluginRegistry[object], tmp_path: Path, plugin_module: str
) -> None:
    write_distribution(
        tmp_path / "site",
        "acme-birds",
        {shipped.group: {"pigeon": f"{plugin_module}:CarrierPigeon"}, "other.group": {"x": "y:z"}},
    )
    plugins: PluginRegistry[object] = PluginRegistry(
        shipped.kind, shipped.group, entry_points=entry_points_in(tmp_path / "site")
    )
    factory = plugins.get("pigeon")
    assert getattr(factory, "__name__", None) == "CarrierPigeon"
    assert plugins.names() == ["pigeon"]


@pytest.mark.parametrize("shipped", KINDS)
def test_registered_in_code_beats_an_entry_point_which_beats_a_builtin(
    shipped: PluginRegistry[object], tmp_path: Path, plugin_module: str
) -> None:
    write_distribution(
        tmp_path / "site", "acme-birds", {shipped.group: {"bird": f"{plugin_module}:Raven"}}
    )
    plugins: PluginRegistry[object] = PluginRegistry(
        shipped.kind,
        shipped.group,
        builtin={
            "bird": f"{plugin_module}:CarrierPigeon",
            "pigeon": f"{plugin_module}:CarrierPigeon",
        },
        entry_points=entry_points_in(tmp_path / "site"),
    )
    assert getattr(plugins.get("bird"), "__name__", None) == "Raven"  # entry point > built-in
    assert getattr(plugins.get("pigeon"), "__name__", None) == "CarrierPigeon"  # built-in only

    def in_code() -> str:
        return "registered"

    plugins.register("bird", in_code)
    assert plugins.get("bird") is in_code  # code > entry point
    plugins.unregister("bird")
    assert getattr(plugins.get("bird"), "__name__", None) == "Raven"
    assert plugins.names() == ["bird", "pigeon"]


@pytest.mark.parametrize("shipped", KINDS)
def test_one_name_from_two_distributions_is_an_error_naming_both(
    shipped: PluginRegistry[object], tmp_path: Path, plugin_module: str
) -> None:
    site = tmp_path / "site"
    write_distribution(site, "acme-birds", {shipped.group: {"bird": f"{plugin_module}:Raven"}})
    write_distribution(
        site, "other-birds", {shipped.group: {"bird": f"{plugin_module}:CarrierPigeon"}}
    )
    plugins: PluginRegistry[object] = PluginRegistry(
        shipped.kind, shipped.group, entry_points=entry_points_in(site)
    )
    with pytest.raises(DuplicatePlugin) as raised:
        plugins.get("bird")
    message = str(raised.value)
    for expected in (
        "'bird'",
        shipped.group,
        "Raven",
        "acme-birds",
        "CarrierPigeon",
        "other-birds",
    ):
        assert expected in message
    # Code can settle the clash: a registration in code wins without reading entry points.
    plugins.register("bird", OfflineGateway)
    assert plugins.get("bird") is OfflineGateway


def test_the_same_entry_point_seen_twice_is_not_a_clash(tmp_path: Path, plugin_module: str) -> None:
    twice = [EntryPoint("bird", f"{plugin_module}:Raven", "marquee.adapters")] * 2
    plugins: PluginRegistry[object] = PluginRegistry(
        "adapter", "marquee.adapters", entry_points=twice
    )
    assert getattr(plugins.get("bird"), "__name__", None) == "Raven"


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(adapter_registry.UnknownAdapter) as adapter:
        adapter_registry.get_factory("carrier-pigeon")
    assert isinstance(adapter.value, UnknownPlugin)
    assert "no adapter named 'carrier-pigeon'" in str(adapter.value)
    for name in ("csv_sftp", "recorded", "rest", "soap"):
        assert name in adapter.value.known and name in str(adapter.value)

    with pytest.raises(UnknownGateway) as gateway:
        gateway_registry.get_gateway("paypal")
    assert "no payment gateway named 'paypal'" in str(gateway.value)
    assert {"offline", "stripe"} <= set(gateway.value.extra["available"])
    assert "offline" in str(gateway.value) and "stripe" in str(gateway.value)

    with pytest.raises(UnknownPlugin) as channel:
        channel_registry.get_channel("telegraph")
    assert "no notification channel named 'telegraph' (known: file, smtp)" in str(channel.value)

    empty: PluginRegistry[object] = PluginRegistry("widget", "marquee.widgets", entry_points=[])
    with pytest.raises(UnknownPlugin, match=r"no widget named 'x' \(known: none\)"):
        empty.get("x")


def test_the_shipped_plugins_resolve_by_name(tmp_path: Path) -> None:
    assert getattr(adapter_registry.get_factory("rest"), "__name__", None) == "RestAdapter"
    assert getattr(adapter_registry.get_factory("recorded"), "__name__", None) == "RecordedAdapter"
    assert isinstance(gateway_registry.get_gateway("offline"), OfflineGateway)
    smtp = channel_registry.get_channel("smtp", host="127.0.0.1", port=2525)
    assert isinstance(smtp, SmtpEmail) and smtp.port == 2525
    files = channel_registry.get_channel("file", directory=tmp_path, name="sms")
    assert isinstance(files, FileChannel) and files.path == tmp_path / "sms.jsonl"


def test_a_gateway_registered_in_code_is_used_by_name() -> None:
    class Replacement(OfflineGateway):
        pass

    gateway_registry.register_gateway("offline", Replacement)
    try:
        assert type(gateway_registry.get_gateway("offline")) is Replacement
    finally:
        gateway_registry.GATEWAYS.unregister("offline")
    assert type(gateway_registry.get_gateway("offline")) is OfflineGateway


def test_the_builtin_fallbacks_match_the_declared_entry_points() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    assert declared["marquee.adapters"] == adapter_registry._BUILTIN
    assert declared["marquee.payment_gateways"] == gateway_registry._BUILTIN
    assert declared["marquee.notification_channels"] == channel_registry._BUILTIN


def test_the_notifier_builds_its_channels_through_the_registry(tmp_path: Path) -> None:
    sent: list[Outgoing] = []

    class Recorded:
        name = "email"

        def __init__(self, **settings: object) -> None:
            self.settings = settings

        def send(self, message: Outgoing) -> None:
            sent.append(message)

    settings = NotificationSettings(
        notify_dir=tmp_path, smtp_host="mail.example", smtp_port=587, mail_from="box@example"
    )
    channel_registry.register_channel("smtp", Recorded)
    try:
        notifier = build_notifier(settings)
    finally:
        channel_registry.CHANNELS.unregister("smtp")
    assert isinstance(notifier.email, Recorded)
    assert notifier.email.settings == {
        "host": "mail.example",
        "port": 587,
        "mail_from": "box@example",
        "starttls": False,
        "username": None,
        "password": None,
    }
    assert isinstance(notifier.sms, FileChannel) and notifier.sms.path == tmp_path / "sms.jsonl"
    assert isinstance(build_notifier(settings).email, SmtpEmail)


@pytest.mark.parametrize("shipped", KINDS)
def test_the_installed_metadata_declares_every_shipped_plugin(
    shipped: PluginRegistry[object],
) -> None:
    # `pip install -e .` (make install) writes these; a stale install falls back to built-ins.
    installed = {ep.name: ep.value for ep in entry_points(group=shipped.group)}
    assert shipped._builtin.items() <= installed.items()
