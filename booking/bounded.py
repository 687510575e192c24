"""A dict that forgets its oldest entries: the per-process caches of the hot paths (parsed
catalog objects, seating plans, seat maps, availability snapshots, verified tokens)."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(dict[K, V]):
    """Insertion-ordered; `put` drops the oldest entries to stay within `size`. Shared by
    threads without a lock: a race costs a cache miss, never a wrong value."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: K, value: V) -> V:
        while len(self) >= self.size and key not in self:
            try:
                self.pop(next(iter(self)))
            except (StopIteration, KeyError, RuntimeError):  # another thread got there first
                break
        self[key] = value
        return value
