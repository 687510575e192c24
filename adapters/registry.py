"""Protocol adapters by name, loaded from the `marquee.adapters` entry point group.

A new protocol family is a plugin: a package that declares
`[project.entry-points."marquee.adapters"] myproto = "pkg.module:Factory"`, where the factory
takes an `AdapterSpec`. The three shipped families are declared in this project's
pyproject.toml. The built-in table below is only a fall-back for a source tree whose package
metadata has not been (re)installed yet; entry points win when present.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from importlib.metadata import entry_points

from adapters.base import Adapter, AdapterSpec

GROUP = "marquee.adapters"
_BUILTIN = {
    "rest": "adapters.rest.adapter:RestAdapter",
    "soap": "adapters.soap.adapter:SoapAdapter",
    "csv_sftp": "adapters.csv_sftp.adapter:CsvSftpAdapter",
    # Offline replay of a recorded import (marquee mapping record / import).
    "recorded": "adapters.recorded.adapter:RecordedAdapter",
}

AdapterFactory = Callable[[AdapterSpec], Adapter]


class UnknownAdapter(LookupError):
    pass


@lru_cache
def _entry_points() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    return sorted(set(_entry_points()) | set(_BUILTIN))


def _load(target: str) -> AdapterFactory:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)


def get_factory(name: str) -> AdapterFactory:
    found = _entry_points()
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            return ep.load()
    if name in _BUILTIN and name not in found:
        return _load(_BUILTIN[name])
    raise UnknownAdapter(f"no adapter named {name!r} (available: {', '.join(available())})")


def create(name: str, spec: AdapterSpec) -> Adapter:
    return get_factory(name)(spec)
