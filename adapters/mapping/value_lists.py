"""Memos for lists of small value objects (a show's price card), bounded per compiled spec.

A price card repeats: the same ticket types at the same prices appear on every show of a
screen. When an item spec reads nothing but the item (and the theatre's zone/currency), each
distinct raw item, and each distinct raw list, is mapped (and validated) once. The memo key must
hold everything the spec can read, so the keys are built per format:

- JSON: the values of exactly the keys the item's fields read (plain keys only), with their
  types checked (1, 1.0 and True are equal as dict keys but not as inputs);
- XML: the serialised elements under which the items are found (when every field reads a plain
  child element of the item);
- CSV (a computed list such as `{path: Prices, transforms: [split]}`): the raw cell text.

Anything else is not memoised. Failures are never memoised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from typing import Any

from lxml import etree

from adapters.mapping.memo import MEMO_LIMIT
from adapters.mapping.sources import parse_json_path
from adapters.mapping.transforms import transform_reads

Fn = Callable[[Any, Any], Any]
KeyFn = Callable[[Any, Any], Any]

_LIMIT = MEMO_LIMIT // 16
_XML_ELEMENT = etree._Element
_PLAIN_NAME = re.compile(r"^(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$")
_ITEM_SPEC_KEYS = {"path", "transforms", "default", "required"}
_SCALARS = frozenset({str, int, type(None)})


def _item_paths(fields: dict) -> list[str] | None:
    """The paths an item spec reads, if every field is a path with pure transforms."""
    paths = []
    for sub in fields.values():
        if isinstance(sub, str):
            paths.append(sub.strip())
            continue
        if (
            not isinstance(sub, dict)
            or not isinstance(sub.get("path"), str)
            or set(sub) - _ITEM_SPEC_KEYS
        ):
            return None
        for step in sub.get("transforms") or []:
            name, args = (step, None) if isinstance(step, str) else next(iter(step.items()))
            if transform_reads(name, args) == "node":
                return None
        paths.append(sub["path"].strip())
    return paths


def _plain_child_paths(spec: dict) -> bool:
    paths = _item_paths(spec.get("fields") or {})
    return paths is not None and all(_PLAIN_NAME.match(p) for p in paths)


def memoised_items(body: Fn, fmt: Any, spec: dict) -> Fn:
    """Map each distinct raw item (with the theatre's zone/currency) once."""
    memo: dict[Any, Any] = {}
    xml_children = fmt.name == "xml" and _plain_child_paths(spec)

    def keyed(item: Any, scope: Any) -> Any:
        cls = item.__class__
        if cls is dict:
            if not _SCALARS.issuperset(map(type, item.values())):
                return body(item, scope)  # True == 1 == 1.0 as keys, not as inputs
            key = tuple(item.items())
        elif cls is str:
            key = item
        elif xml_children and cls is _XML_ELEMENT and not item.attrib:
            key = tuple([(child.tag, child.text) for child in item])
        else:
            return body(item, scope)
        theatre = scope.theatre
        key = (key, None if theatre is None else theatre.memo_key)
        try:
            hit = memo.get(key)
        except TypeError:  # a JSON item holding lists or objects
            return body(item, scope)
        if hit is None:
            if len(memo) >= _LIMIT:
                memo.clear()
            hit = body(item, scope)
            if hit is not None:
                memo[key] = hit
        return hit

    return keyed


def list_key(compiler: Any, each: Any, spec: dict) -> KeyFn | None:
    """A function giving the raw list's memo key (None: do not memoise this record), or None
    when this `each` cannot be keyed safely."""
    fmt = compiler.fmt
    paths = _item_paths(spec.get("fields") or {}) if "fields" in spec else None
    if paths is None:
        return None
    if isinstance(each, dict):
        # A computed list of text items: keyed on the raw text it is computed from.
        if (
            set(each) - {"path", "transforms"}
            or not isinstance(each.get("path"), str)
            or any(p != "." for p in paths)
        ):
            return None
        for step in each.get("transforms") or []:
            name, args = (step, None) if isinstance(step, str) else next(iter(step.items()))
            if transform_reads(name, args) == "node":
                return None
        raw = compiler._path(each["path"])

        def text_key(node: Any, scope: Any) -> Any:
            value = raw(node, scope)
            return value if value.__class__ is str else None

        return text_key
    if not isinstance(each, str):
        return None
    if fmt.name == "json":
        return _json_list_key(each, paths)
    if fmt.name == "xml":
        return _xml_list_key(fmt, each, paths)
    return None


def _json_list_key(each: str, paths: list[str]) -> KeyFn | None:
    steps = parse_json_path(each)
    if not steps or steps[0][0] != "key" or steps[1:] not in ([], [("all", None)]):
        return None
    keys: list[str] = []
    for path in paths:
        path_steps = parse_json_path(path)
        if len(path_steps) != 1 or path_steps[0][0] != "key":
            return None
        keys.append(path_steps[0][1])
    container = steps[0][1]
    keys = list(dict.fromkeys(keys))
    getter = itemgetter(*keys)
    flatten: Callable[[Iterable], Iterable] = chain.from_iterable if len(keys) > 1 else iter

    def json_key(node: Any, scope: Any) -> Any:
        items = node.get(container) if node.__class__ is dict else None
        if items.__class__ is not list:
            return None
        try:
            key = tuple(map(getter, items))
        except (KeyError, TypeError):  # a missing key or a non-object item: map it plainly
            return None
        if not _SCALARS.issuperset(map(type, flatten(key))):
            return None
        return key

    return json_key


def _xml_list_key(fmt: Any, each: str, paths: list[str]) -> KeyFn | None:
    steps = each.strip().split("/")
    if not all(_PLAIN_NAME.match(step) for step in steps) or not all(
        _PLAIN_NAME.match(p) for p in paths
    ):
        return None
    outer = fmt._clark(steps[0])
    tostring = etree.tostring

    def xml_key(node: Any, scope: Any) -> Any:
        if node.__class__ is not _XML_ELEMENT:
            return None
        # Every item lies inside these elements, so their text holds all the items read
        # (serialising to str is faster in lxml than to UTF-8 bytes).
        return tuple(
            [
                tostring(child, encoding="unicode", with_tail=False)
                for child in node.iterchildren(outer)
            ]
        )

    return xml_key


def memoised_list(run: Fn, key_of: KeyFn) -> Fn:
    memo: dict[Any, Any] = {}

    def cached(node: Any, scope: Any) -> Any:
        key = key_of(node, scope)
        if key is None:
            return run(node, scope)
        theatre = scope.theatre
        key = (key, None if theatre is None else theatre.memo_key)
        hit = memo.get(key)
        if hit is None:
            hit = run(node, scope)
            if len(memo) >= _LIMIT:
                memo.clear()
            memo[key] = hit
        return hit

    return cached
