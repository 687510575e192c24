"""One plugin mechanism for adapters, payment gateways and notification channels.

A plugin is a factory known by name. A `PluginRegistry` finds it in three sources, and one rule
says which wins: a factory registered in code (`register`) over an entry point of the registry's
group (`[project.entry-points."marquee.<kind>"]` in a distribution's pyproject.toml) over the
built-in table (a fall-back for a source tree whose package metadata is not installed). Two
entry points of one group with the same name and different targets are an error naming both:
neither distribution silently wins.

This module imports nothing of ours (import-linter keeps it so), which is why adapters, payments
and notifications can all use it without depending on one another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar, cast

F = TypeVar("F")


class PluginError(LookupError):
    """A plugin could not be found or its sources disagree."""


class UnknownPlugin(PluginError):
    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = known
        listed = ", ".join(known) or "none"
        super().__init__(f"no {kind} named {name!r} (known: {listed})")


class DuplicatePlugin(PluginError):
    def __init__(self, group: str, name: str, targets: list[str]) -> None:
        self.group = group
        self.name = name
        self.targets = targets
        super().__init__(
            f"entry point {name!r} is declared more than once in group {group!r}: "
            + " and ".join(targets)
        )


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"{ep.value} (from {dist.name})" if dist is not None else ep.value


def _import(target: str) -> object:
    module, _, attr = target.partition(":")
    found: object = import_module(module)
    for part in attr.split("."):
        found = getattr(found, part)
    return found


class PluginRegistry(Generic[F]):
    """Factories of one kind by name.

    `entry_points` is read from the installed distributions the first time a name is looked up,
    unless given (tests pass their own). `unknown` builds the error for a name no source has, so
    each layer can raise its own error type; it gets the name and the sorted known names.
    """

    def __init__(
        self,
        kind: str,
        group: str,
        *,
        builtin: Mapping[str, str] | None = None,
        entry_points: Iterable[EntryPoint] | None = None,
        unknown: Callable[[str, list[str]], Exception] | None = None,
    ) -> None:
        self.kind = kind
        self.group = group
        self._builtin = dict(builtin or {})
        self._given = None if entry_points is None else list(entry_points)
        self._entry_points: dict[str, EntryPoint] | None = None
        self._registered: dict[str, F] = {}
        self._unknown = unknown

    def register(self, name: str, factory: F) -> None:
        """Explicit registration in code: wins over entry points and built-ins of that name."""
        self._registered[name] = factory

    def unregister(self, name: str) -> None:
        self._registered.pop(name, None)

    def _by_name(self) -> dict[str, EntryPoint]:
        if self._entry_points is None:
            found: dict[str, EntryPoint] = {}
            listed = self._given if self._given is not None else entry_points(group=self.group)
            for ep in listed:
                if ep.group != self.group:
                    continue
                other = found.get(ep.name)
                if other is not None and other.value != ep.value:
                    raise DuplicatePlugin(self.group, ep.name, [_describe(other), _describe(ep)])
                found[ep.name] = ep
            self._entry_points = found
        return self._entry_points

    def names(self) -> list[str]:
        return sorted(set(self._registered) | set(self._by_name()) | set(self._builtin))

    def get(self, name: str) -> F:
        """The factory for `name`, imported on first use."""
        if name in self._registered:
            return self._registered[name]
        by_name = self._by_name()
        if name in by_name:
            factory: F = by_name[name].load()
            return factory
        if name in self._builtin:
            return cast(F, _import(self._builtin[name]))
        known = self.names()
        if self._unknown is not None:
            raise self._unknown(name, known)
        raise UnknownPlugin(self.kind, name, known)
