"""Protocol adapters by name, through the one plugin mechanism (`adapters.plugins`).

A new protocol family is a plugin: a package that declares
`[project.entry-points."marquee.adapters"] myproto = "pkg.module:Factory"`, where the factory
takes an `AdapterSpec`; code may also `register` one. The shipped families are declared in this
project's pyproject.toml; the built-in table is only a fall-back for a source tree whose package
metadata has not been (re)installed yet.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.base import Adapter, AdapterSpec
from adapters.plugins import PluginRegistry, UnknownPlugin

GROUP = "marquee.adapters"
_BUILTIN = {
    "rest": "adapters.rest.adapter:RestAdapter",
    "soap": "adapters.soap.adapter:SoapAdapter",
    "csv_sftp": "adapters.csv_sftp.adapter:CsvSftpAdapter",
    # Offline replay of a recorded import (marquee mapping record / import).
    "recorded": "adapters.recorded.adapter:RecordedAdapter",
}

AdapterFactory = Callable[[AdapterSpec], Adapter]


class UnknownAdapter(UnknownPlugin):
    pass


ADAPTERS: PluginRegistry[AdapterFactory] = PluginRegistry(
    "adapter",
    GROUP,
    builtin=_BUILTIN,
    unknown=lambda name, known: UnknownAdapter("adapter", name, known),
)


def register(name: str, factory: AdapterFactory) -> None:
    ADAPTERS.register(name, factory)


def available() -> list[str]:
    return ADAPTERS.names()


def get_factory(name: str) -> AdapterFactory:
    return ADAPTERS.get(name)


def create(name: str, spec: AdapterSpec) -> Adapter:
    return get_factory(name)(spec)
