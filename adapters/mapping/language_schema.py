"""The JSON Schema of mapping files, generated from the language's pydantic models.

pydantic's own output is reshaped into the schema the loader's messages are written for:

- a key left out is `None` in the models but never `null` in a file, so `null` is dropped;
- defs are named by their model's title (`field`, `field_object`, `condition`, ...), the
  others are written in place; titles and `default: null` are dropped;
- a union of plain types is one `type: [...]` (one "expected ..." message, not one per type);
- an `enum` stands alone (pydantic adds `type: string`, which would report a second error).

`mappings/schema/mapping.schema.json` is this function's output, committed for editors and
people; a test keeps the two equal and `marquee mapping schema` rewrites the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from adapters.mapping.language import MappingDocument
from adapters.mapping.language_transforms import transforms_schema

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "mappings" / "schema" / "mapping.schema.json"
SCHEMA_ID = "https://marquee.dev/schemas/mapping/2/mapping.schema.json"

# The order keys are written in: what a reader looks for first.
_KEY_ORDER = (
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "enum",
    "anyOf",
    "$ref",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "required",
    "uniqueItems",
    "minItems",
    "items",
    "minimum",
    "minLength",
    "maxLength",
    "pattern",
    "default",
    "properties",
    "$defs",
)
_DEF_REF = re.compile(r"^#/\$defs/(.+)$")


def mapping_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) a mapping file is validated with."""
    raw = MappingDocument.model_json_schema(by_alias=True)
    pydantic_defs: dict[str, Any] = raw.pop("$defs", {})
    names = {
        key: value["title"]
        for key, value in pydantic_defs.items()
        if isinstance(value.get("title"), str) and value["title"].islower()
    }
    named: dict[str, Any] = {}

    def clean(node: Any, in_properties: bool = False) -> Any:
        if isinstance(node, list):
            return [clean(item) for item in node]
        if not isinstance(node, dict):
            return node
        if in_properties:  # keys are the mapping's own names, values are schemas
            return {key: clean(value) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and (match := _DEF_REF.match(ref)):
            key = match.group(1)
            if key in names:
                node = {**node, "$ref": f"#/$defs/{names[key]}"}
            else:  # written in place, with whatever the reference had beside it
                rest = {k: v for k, v in node.items() if k != "$ref"}
                node = {**pydantic_defs[key], **rest}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "title" or (key == "default" and value is None):
                continue
            if key == "additionalProperties" and value is True:
                continue
            out[key] = clean(value, in_properties=key == "properties")
        return _simplify(out)

    for key, name in names.items():
        named[name] = clean(pydantic_defs[key])
    body = clean(raw)
    transforms = transforms_schema()
    named["transform_object"]["description"] = transforms["description"]
    named["transform_object"]["properties"] = transforms["properties"]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **body,
        "title": "Marquee mapping file (language version 2)",
        "$defs": {name: named[name] for name in sorted(named, key=_def_order)},
    }
    ordered: dict[str, Any] = _ordered(schema)
    return ordered


def _def_order(name: str) -> tuple[int, str]:
    order = ("field", "field_object", "condition", "condition_object", "transform")
    return (order.index(name) if name in order else len(order), name)


def _simplify(node: dict[str, Any]) -> dict[str, Any]:
    any_of = node.get("anyOf")
    if isinstance(any_of, list):
        branches = [b for b in any_of if b != {"type": "null"}]
        merged: list[Any] = []
        for branch in branches:
            if set(branch) == {"type"} and merged and set(merged[-1]) == {"type"}:
                before = merged[-1]["type"]
                types = before if isinstance(before, list) else [before]
                merged[-1] = {"type": [*types, branch["type"]]}
            else:
                merged.append(branch)
        node = {k: v for k, v in node.items() if k != "anyOf"}
        if len(merged) == 1:
            node = {**merged[0], **node}
        else:
            node["anyOf"] = merged
    if "enum" in node and node.get("type") == "string":
        del node["type"]
    return node


def _ordered(node: Any) -> Any:
    if isinstance(node, list):
        return [_ordered(item) for item in node]
    if not isinstance(node, dict):
        return node
    keys = sorted(node, key=lambda k: _KEY_ORDER.index(k) if k in _KEY_ORDER else len(_KEY_ORDER))
    out: dict[str, Any] = {}
    for key in keys:
        if key in ("properties", "$defs"):
            out[key] = {name: _ordered(value) for name, value in node[key].items()}
        else:
            out[key] = _ordered(node[key])
    return out


def schema_text() -> str:
    """The schema as it is committed: two-space JSON and a final newline."""
    return json.dumps(mapping_json_schema(), indent=2, ensure_ascii=False) + "\n"
