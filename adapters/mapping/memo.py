"""Bounded memos for pure transform chains, kept for one compiled mapping.

Legacy feeds repeat the same raw values record after record (a film code, a format, a
sales-channel string, a local show time in a theatre's zone). A chain of transforms that reads
only its input value (and at most the record's theatre zone/currency) is a pure function, so
each distinct input is transformed once. Memory stays bounded: a memo that reaches its limit
is cleared, never grown. Failures are never memoised (each bad record raises its own error).
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


def memoised_chain(chain: Step, uses_theatre: bool, limit: int = MEMO_LIMIT) -> Step:
    """`chain` memoised on its input (and the theatre's zone/currency when it reads them)."""
    memo: dict[Any, Any] = {}
    get = memo.get

    if uses_theatre:
        def by_theatre(value: Any, node: Any, scope: Any) -> Any:
            theatre = scope.theatre
            if value.__class__ not in _KEYABLE or theatre is None:
                return chain(value, node, scope)  # unkeyable, or the error it should raise
            key = (value, theatre.memo_key)
            hit = get(key, _MISSING)
            if hit is _MISSING:
                if len(memo) >= limit:
                    memo.clear()
                hit = memo[key] = chain(value, node, scope)
            return hit

        return by_theatre

    def by_value(value: Any, node: Any, scope: Any) -> Any:
        if value.__class__ not in _KEYABLE:
            return chain(value, node, scope)
        hit = get(value, _MISSING)
        if hit is _MISSING:
            if len(memo) >= limit:
                memo.clear()
            hit = memo[value] = chain(value, node, scope)
        return hit

    return by_value
