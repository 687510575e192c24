"""The transform reference in docs/mapping-language.md is executable: every example block is
compiled and run as a mapping would run it, and every registered transform has an example."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

from adapters.mapping import FieldError, MappingContext, TheatreInfo
from adapters.mapping.compiler import Compiler
from adapters.mapping.loader import load_lookup
from adapters.mapping.scope import Scope
from adapters.mapping.sources import JsonFormat
from adapters.mapping.transforms import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "mapping-language.md").read_text(encoding="utf-8")
REFERENCE = DOC.split("## Transform reference", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```yaml\n(.*?)```", REFERENCE, re.S)


def plain(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def run(example: dict):
    lookups = {"formats": load_lookup(ROOT / "mappings" / "lookups" / "formats.yaml")}
    compiler = Compiler(JsonFormat(), lookups, {"seat": {0: "available", 1: "sold", 2: "held"}})
    fn = compiler.compile_spec({"path": "v", "transforms": example["transforms"]})
    scope = Scope(MappingContext(connector_id="docs"), {}, TheatreInfo("Europe/London", "GBP"), "T")
    return fn({"v": example["input"], **(example.get("node") or {})}, scope)


def test_the_reference_has_examples():
    assert len(BLOCKS) >= 40


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.splitlines()[0][13:60])
def test_reference_example(block):
    example = YAML(typ="safe").load(block)
    if "error" in example:
        with pytest.raises(FieldError, match=re.escape(example["error"])):
            run(example)
        return
    assert plain(run(example)) == example["output"]


def test_every_transform_has_an_example():
    used = set()
    for block in BLOCKS:
        for step in YAML(typ="safe").load(block)["transforms"]:
            used.add(step if isinstance(step, str) else next(iter(step)))
    missing = set(REGISTRY) - used - {"concat"}  # concat is join's alias
    assert not missing, f"no example in the transform reference for {sorted(missing)}"
