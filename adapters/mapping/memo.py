"""Bounded memos for pure transform chains, kept for one compiled mapping.

Legacy feeds repeat the same raw values record after record (a film code, a format, a
sales-channel string, a local show time in a theatre's zone). A chain of transforms that reads
only its input value (and at most the record's theatre zone/currency) is a pure function, so
each distinct input is transformed once. Memory stays bounded: a memo holds at most two
generations of its limit, and a site whose inputs never repeat stops memoising (see
`Generations`). Failures are never memoised (each bad record raises its own error).
Results are shared between records, so nothing downstream may mutate them (the engine copies
lists it extends; pydantic copies into tuples and frozensets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Step = Callable[[Any, Any, Any], Any]

MEMO_LIMIT = 65536
_MISSING = object()
# Inputs worth keying on: hashable, cheap, and never equal across types (1 == 1.0 == True
# would let `str` of 1.0 answer "1"), so floats and bools are transformed every time.
_KEYABLE = (str, int)


def run_chain(steps: list[Step]) -> Step:
    """The steps as one function: a missing value (None) stops the chain."""
    if len(steps) == 1:
        return steps[0]

    def chain(value: Any, node: Any, scope: Any) -> Any:
        for step in steps:
            value = step(value, node, scope)
            if value is None:
                return None
        return value

    return chain


class Generations:
    """Bounded storage that checks memoising pays.

    When the memo fills up it becomes the previous generation and a new one starts (memory:
    at most two generations). A miss whose key is in the previous generation is a revisit; if
    a generation fills with almost no revisits, the inputs are unique per record (a show id
    that embeds its date) and the site stops memoising, so it costs neither memory nor
    inserts. The first generations are a quarter of the limit, so such a site gives up early
    (peak memory is then reached within the first few tens of thousands of records); once
    memoising has paid, generations use the full limit. (A site with more distinct inputs than
    a quarter of the limit, met in strict rotation, also stops: that costs speed, never
    correctness.) All of this runs on the miss path; a hit is one dict lookup in `current`."""

    __slots__ = ("limit", "size", "current", "previous", "revisits", "off")

    def __init__(self, limit: int):
        self.limit = limit
        self.size = max(1, limit // 4)
        self.current: dict[Any, Any] = {}
        self.previous: dict[Any, Any] = {}
        self.revisits = 0
        self.off = False

    def store(self, key: Any, value: Any) -> None:
        if self.off:
            return
        if key in self.previous:
            self.revisits += 1
        current = self.current
        if len(current) >= self.size:
            if self.previous:
                if self.revisits < self.size // 16:
                    self.off = True
                    self.previous = {}
                    current.clear()  # in place: the site's bound `get` now always misses
                    return
                self.size = self.limit
            self.previous = dict(current)
            self.revisits = 0
            current.clear()  # in place, so the bound `get` keeps looking at it
        current[key] = value


def memoised_chain(chain: Step, uses_theatre: bool, limit: int = MEMO_LIMIT) -> Step:
    """`chain` memoised on its input (and the theatre's zone/currency when it reads them)."""
    store = Generations(limit)
    get = store.current.get
    put = store.store

    if uses_theatre:

        def by_theatre(value: Any, node: Any, scope: Any) -> Any:
            theatre = scope.theatre
            if value.__class__ not in _KEYABLE or theatre is None:
                return chain(value, node, scope)  # unkeyable, or the error it should raise
            key = (value, theatre.memo_key)
            hit = get(key, _MISSING)
            if hit is _MISSING:
                hit = chain(value, node, scope)
                put(key, hit)
            return hit

        return by_theatre

    def by_value(value: Any, node: Any, scope: Any) -> Any:
        if value.__class__ not in _KEYABLE:
            return chain(value, node, scope)
        hit = get(value, _MISSING)
        if hit is _MISSING:
            hit = chain(value, node, scope)
            put(value, hit)
        return hit

    return by_value
