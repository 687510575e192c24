"""Golden samples beside a mapping: run each case and diff against the expected JSON.

`samples/samples.yaml` lists the cases and the shared context::

    context: {connector_id: x, now: "...", theatres: {C01: {timezone: ..., currency: ...}}}
    cases:
      - {entity: show, input: sessions.json, vars: {cinema_id: C01}}
      - {render: hold, input: hold.request.json}
      - {outcome: hold, input: hold.unavailable.json}

Each case's expected output is `samples/expected/<input stem>.<entity|render-op|outcome-op>.json`
(or the case's `expected:`).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from adapters.mapping.engine import Mapping
from adapters.mapping.model import MappingContext, canonical_json


@dataclass
class CaseResult:
    name: str
    expected_path: Path
    actual: str
    expected: str | None

    @property
    def passed(self) -> bool:
        return self.expected == self.actual

    def diff(self) -> str:
        lines = difflib.unified_diff(
            (self.expected or "").splitlines(keepends=True),
            self.actual.splitlines(keepends=True),
            fromfile=f"expected {self.expected_path.name}",
            tofile="actual",
            n=3,
        )
        return "".join(lines)


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _context(base: dict, case: dict) -> MappingContext:
    data = json.loads(json.dumps(base))
    data.setdefault("vars", {}).update(case.get("vars") or {})
    return MappingContext.coerce(data)


def run_case(mapping: Mapping, samples_dir: Path, base_ctx: dict, case: dict) -> dict:
    payload = (samples_dir / case["input"]).read_bytes()
    ctx = _context(base_ctx, case)
    if "entity" in case:
        # As the import applies it: with record isolation the good records of a payload
        # that also has dead letters are kept.
        partial = case.get("partial", mapping.isolation(case["entity"]) == "record")
        result = mapping.read(case["entity"], payload, ctx, partial=bool(partial))
        return {
            "records": [canonical_json(r) for r in result.records],
            "dead_letters": [d.model_dump(mode="json") for d in result.dead_letters],
        }
    if "render" in case:
        request = json.loads(payload)
        rendered = mapping.render(case["render"], request, ctx)
        out = {k: v for k, v in vars(rendered).items() if v not in (None, {}, b"")}
        out.pop("body", None)
        return out
    if "outcome" in case:
        response: Any = payload
        return mapping.outcome(case["outcome"], response, ctx).model_dump(
            mode="json", exclude_none=True
        )
    raise ValueError(f"a sample case needs entity, render or outcome: {case}")


def case_name(case: dict) -> str:
    kind = case.get("entity") or (
        f"render-{case['render']}" if "render" in case else f"outcome-{case.get('outcome')}"
    )
    return f"{Path(case['input']).name.rsplit('.', 1)[0]}.{kind}"


def run_samples(mapping: Mapping, samples_dir: Path, update: bool = False) -> list[CaseResult]:
    spec = YAML(typ="safe").load((samples_dir / "samples.yaml").read_text(encoding="utf-8"))
    base_ctx = spec.get("context") or {}
    results = []
    taken: dict[str, int] = {}
    for case in spec.get("cases") or []:
        name = case.get("name") or case_name(case)
        # Two cases of one input and entity (other vars) must not share a name or a file.
        taken[name] = taken.get(name, 0) + 1
        if taken[name] > 1:
            name = f"{name}.{taken[name]}"
        expected_path = samples_dir / (case.get("expected") or f"expected/{name}.json")
        actual = _dump(run_case(mapping, samples_dir, base_ctx, case))
        if update:
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
        expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else None
        results.append(CaseResult(name, expected_path, actual, expected))
    return results
