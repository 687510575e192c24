"""Load a mapping file: YAML with positions -> migrate -> JSON Schema -> meaning -> compile.

Every mistake becomes one `MappingIssue` with file:line:column, the field path and, where a
name was mistyped, the nearest valid one. Schema errors are rewritten (one plain sentence per
mistake); anyOf branches that do not match the value's type are dropped, so there is no noise.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from adapters.mapping.canonical_types import CANONICAL, nested_model, required_fields
from adapters.mapping.compiler import SOURCE_KEYS, Compiler
from adapters.mapping.engine import CAPABILITY_OPERATIONS, OPERATIONS, PROTOCOL_FORMAT, Mapping
from adapters.mapping.errors import MappingError, MappingIssue
from adapters.mapping.language_schema import mapping_json_schema
from adapters.mapping.migrations import CURRENT_VERSION, migrate
from adapters.mapping.model import OutcomeStatus
from adapters.mapping.sources import make_format
from adapters.mapping.transforms import REGISTRY, normalize_args
from adapters.mapping.transport import build_transport
from canonical.inventory import SeatStatus

ID_PREFIXES = ("mov", "thr", "scr", "lay", "shw")
Path_ = tuple


@lru_cache(maxsize=1)
def mapping_schema() -> dict:
    """The language models' schema (mappings/schema/mapping.schema.json is a copy of it)."""
    return mapping_json_schema()


def suggest(word: Any, choices: Any) -> str | None:
    """The nearest valid name: a close spelling, else a name the word contains or starts."""
    options = [str(c) for c in choices]
    text = str(word)
    matches = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    matches = difflib.get_close_matches(text, options, n=1, cutoff=0.45)
    if matches:
        return matches[0]
    for option in sorted(options, key=len, reverse=True):
        if len(option) >= 3 and (option in text or text in option):
            return option
    return None


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


class _Doc:
    """The YAML tree plus position lookups."""

    def __init__(self, file: str, root: Any):
        self.file = file
        self.root = root
        self.issues: list[MappingIssue] = []

    def position(self, path: Path_, key: bool = True) -> tuple[int, int]:
        node = self.root
        line, col = 1, 1
        for step in path:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(node, dict) and step in node:
                    if lc is not None:
                        pos = (
                            lc.key(step)
                            if key or not isinstance(node[step], dict | list)
                            else lc.key(step)
                        )
                        line, col = pos[0] + 1, pos[1] + 1
                    node = node[step]
                elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                    if lc is not None:
                        pos = lc.item(step)
                        line, col = pos[0] + 1, pos[1] + 1
                    node = node[step]
                else:
                    break
            except (KeyError, TypeError, AttributeError):
                break
        return line, col

    def add(self, path: Path_, message: str, suggestion: str | None = None) -> None:
        line, col = self.position(path)
        issue = MappingIssue(self.file, line, col, _dotted(path), message, suggestion)
        if issue not in self.issues:
            self.issues.append(issue)


# ------------------------------------------------------------------------------- schema errors
def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


def _schema_issues(doc: _Doc, error: jsonschema.ValidationError) -> None:
    path = tuple(error.absolute_path)
    validator = error.validator
    if validator in ("anyOf", "oneOf"):
        # Keep only the branches whose own type accepts the value; report their errors.
        branches: dict[int, list] = {}
        for sub in error.context or []:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [
            errs
            for errs in branches.values()
            if not any(e.validator == "type" and not e.relative_path for e in errs)
        ]
        if fitting:
            for sub in min(fitting, key=len):
                _schema_issues(doc, sub)
            return
        allowed = sorted(
            {
                str(e.validator_value)
                for errs in branches.values()
                for e in errs
                if e.validator == "type"
            }
        )
        doc.add(path, f"expected {' or '.join(allowed)}, got {_type_name(error.instance)}")
        return
    if validator == "additionalProperties":
        allowed = set((error.schema.get("properties") or {}).keys())
        for key in error.instance:
            if key not in allowed:
                doc.add(path + (key,), f"unknown key `{key}`", suggest(key, allowed))
        return
    if validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        for key in missing:
            doc.add(path, f"missing required key `{key}`")
        return
    if validator == "enum":
        choices = error.validator_value
        doc.add(
            path,
            f"`{error.instance}` is not one of: {', '.join(map(str, choices))}",
            suggest(error.instance, choices),
        )
        return
    if validator == "type":
        doc.add(path, f"expected {error.validator_value}, got {_type_name(error.instance)}")
        return
    if validator in ("maxProperties", "minProperties") and error.schema.get("maxProperties") == 1:
        keys = ", ".join(map(str, error.instance)) or "none"
        doc.add(
            path,
            "a transform is a name or one `name: arguments` pair; this one has "
            f"keys {keys} (put the arguments in a mapping: `name: {{arg: value}}`)",
        )
        return
    if validator == "pattern":
        doc.add(path, f"`{error.instance}` does not match the pattern {error.validator_value}")
        return
    doc.add(path, error.message)


# ------------------------------------------------------------------------------ meaning checks
class _Checker:
    def __init__(self, doc: _Doc, base_dir: Path, confine: Path | None = None):
        self.doc = doc
        self.base_dir = base_dir
        self.confine = confine
        self.root = doc.root
        self.lookups: dict[str, dict] = {}
        self.protocol = self.root.get("protocol")

    def run(self) -> dict[str, dict]:
        self.check_lookups()
        self.check_status_maps()
        for code, outcome in (self.root.get("result_codes") or {}).items():
            _ = code, outcome  # enum-checked by the schema
        defaults = self.root.get("source") or {}
        for name, entity in (self.root.get("entities") or {}).items():
            self.check_entity(name, entity, defaults)
        for name, op in (self.root.get("operations") or {}).items():
            self.check_operation(name, op, defaults)
        self.check_capabilities()
        return self.lookups

    def check_capabilities(self) -> None:
        """Declared capabilities and operations must agree: Marquee sells through a POS only
        by what it declares, and each declared step needs the operation that performs it."""
        declared = self.root.get("capabilities")
        if declared is None:
            return
        operations = self.root.get("operations") or {}
        for capability, operation in CAPABILITY_OPERATIONS.items():
            if capability in declared and operation not in operations:
                self.doc.add(
                    ("capabilities",),
                    f"capability `{capability}` needs `operations.{operation}`",
                )
            if operation in operations and capability not in declared:
                self.doc.add(
                    ("operations", operation),
                    f"`operations.{operation}` is defined but `{capability}` is not in "
                    "`capabilities`: declare it, or remove the operation",
                )
        if "hold" in declared and "release" not in declared:
            # Marquee's expired holds are released at the POS; without it they would linger.
            self.doc.add(("capabilities",), "capability `hold` needs `release` too")
        if "sell" in declared and "hold" not in declared:
            self.doc.add(
                ("capabilities",), "capability `sell` commits a POS hold: it needs `hold` too"
            )

    def check_lookups(self) -> None:
        for name, file in (self.root.get("lookups") or {}).items():
            path = (self.base_dir / file).resolve()
            if self.confine is not None and not path.is_relative_to(self.confine):
                # Checked before the file is looked at: whether it exists is not for telling.
                self.doc.add(
                    ("lookups", name),
                    f"lookup table `{file}` lies outside the {self.confine.name}/ folder",
                )
                continue
            if not path.is_file():
                nearby = [p.name for p in path.parent.glob("*")] if path.parent.is_dir() else []
                self.doc.add(
                    ("lookups", name),
                    f"lookup table file `{file}` does not exist",
                    suggest(path.name, nearby),
                )
                continue
            try:
                self.lookups[name] = load_lookup(path)
            except (ValueError, OSError) as exc:
                self.doc.add(("lookups", name), f"lookup table `{file}` cannot be read: {exc}")
            except YAMLError as exc:  # not a ValueError: a file that is not YAML at all
                problem = getattr(exc, "problem", None) or type(exc).__name__
                self.doc.add(("lookups", name), f"lookup table `{file}` is not YAML: {problem}")

    def check_status_maps(self) -> None:
        statuses = [s.value for s in SeatStatus]
        for name, table in (self.root.get("status_maps") or {}).items():
            for legacy, canonical in table.items():
                if canonical not in statuses:
                    self.doc.add(
                        ("status_maps", name, legacy),
                        f"`{canonical}` is not a canonical seat status ({', '.join(statuses)})",
                        suggest(canonical, statuses),
                    )

    def _format(self, source: dict) -> Any:
        merged = {"format": PROTOCOL_FORMAT.get(self.protocol, "json"), **source}
        options = {k: v for k, v in merged.items() if k != "format"}
        if "namespaces" in self.root and "namespaces" not in options:
            options["namespaces"] = self.root["namespaces"]
        return make_format(merged["format"], options)

    def check_entity(self, name: str, entity: dict, defaults: dict) -> None:
        at = ("entities", name)
        canonical = entity.get("canonical", name)
        model = CANONICAL.get(canonical)
        if model is None:
            self.doc.add(
                at,
                f"`{name}` is not a canonical entity: add `canonical:` ({', '.join(CANONICAL)})",
                suggest(name, CANONICAL),
            )
            return
        source = {**defaults, **(entity.get("source") or {})}
        try:
            fmt = self._format(source)
        except ValueError as exc:
            self.doc.add(at + ("source",), str(exc))
            return
        if "records" in source and fmt.name != "csv":
            self.check_path(fmt, source["records"], at + ("source", "records"), lister=True)
        compiler = Compiler(fmt, self.lookups, dict(self.root.get("status_maps") or {}))
        for key in ("theatre", "unique_by", "group_by"):
            if key in entity:
                self.check_spec(compiler, entity[key], at + (key,), None)
        for key, spec in (entity.get("let") or {}).items():
            self.check_spec(compiler, spec, at + ("let", key), None)
        if "where" in entity:
            self.check_condition(compiler, entity["where"], at + ("where",))
        self.check_fields(compiler, entity.get("fields") or {}, at + ("fields",), model)
        self.check_transport(entity.get("transport") or {}, at + ("transport",), source)

    def check_fields(
        self, compiler: Compiler, fields: dict, at: Path_, model: type[BaseModel] | None
    ) -> None:
        if model is not None:
            names = list(model.model_fields)
            for key in fields:
                if key not in model.model_fields:
                    self.doc.add(
                        at + (key,),
                        f"`{key}` is not a field of canonical {model.__name__}",
                        suggest(key, names),
                    )
            for key in required_fields(model):
                if key not in fields:
                    self.doc.add(
                        at, f"missing required field `{key}` of canonical {model.__name__}"
                    )
        for key, spec in fields.items():
            sub = nested_model(model, key) if model is not None else None
            self.check_spec(compiler, spec, at + (key,), sub)

    def check_spec(
        self, compiler: Compiler, spec: Any, at: Path_, model: type[BaseModel] | None
    ) -> None:
        if isinstance(spec, str):
            self.check_path(compiler.fmt, spec, at)
            return
        if not isinstance(spec, dict):
            return
        sources = [k for k in SOURCE_KEYS if k in spec]
        if "each" in sources:
            sources = [k for k in sources if k not in ("value", "fields")]
        if len(sources) != 1:
            what = "no source" if not sources else f"{len(sources)} sources ({', '.join(sources)})"
            self.doc.add(
                at,
                f"a field needs exactly one source (path, value, var, template, "
                f"each, fields, derive, ref, ...), this one has {what}",
            )
        if "path" in spec:
            self.check_path(compiler.fmt, spec["path"], at + ("path",))
        if "template" in spec:
            self.check_template(compiler, spec["template"], at + ("template",))
        if "derive" in spec:
            if spec["derive"] not in ID_PREFIXES:
                self.doc.add(
                    at + ("derive",),
                    f"`{spec['derive']}` is not an id prefix ({', '.join(ID_PREFIXES)})",
                    suggest(spec["derive"], ID_PREFIXES),
                )
            if "from" not in spec:
                self.doc.add(at, "`derive` needs `from`: the external id")
            else:
                self.check_spec(compiler, spec["from"], at + ("from",), None)
        if "scope" in spec:
            if isinstance(spec["scope"], str):
                self.check_template(compiler, spec["scope"], at + ("scope",))
            else:
                self.check_spec(compiler, spec["scope"], at + ("scope",), None)
        for key in ("ref", "item", "else", "group_by"):
            if key in spec:
                self.check_spec(compiler, spec[key], at + (key,), model if key == "item" else None)
        for key in ("paths", "first_of"):
            for i, sub in enumerate(spec.get(key) or []):
                self.check_spec(compiler, sub, at + (key, i), None)
        for i, case in enumerate(spec.get("cases") or []):
            self.check_condition(compiler, case.get("when"), at + ("cases", i, "when"))
            self.check_spec(compiler, case.get("then"), at + ("cases", i, "then"), None)
        if "localized" in spec:
            loc = spec["localized"]
            parts = list(enumerate(loc)) if isinstance(loc, list) else [(None, loc)]
            for i, part in parts:
                where = at + (("localized",) if i is None else ("localized", i))
                if not isinstance(part, dict):
                    continue
                if "each" in part:
                    self.check_path(compiler.fmt, part["each"], where + ("each",), True)
                for key in ("language", "text"):
                    if key in part:
                        self.check_spec(compiler, part[key], where + (key,), None)
        if isinstance(spec.get("each"), dict):
            self.check_spec(compiler, spec["each"], at + ("each",), None)
        elif "each" in spec and spec["each"] not in ("@group", "."):
            self.check_path(compiler.fmt, spec["each"], at + ("each",), lister=True)
        for key, sub in (spec.get("let") or {}).items():
            self.check_spec(compiler, sub, at + ("let", key), None)
        for key in ("where", "when"):
            if key in spec:
                self.check_condition(compiler, spec[key], at + (key,))
        if "fields" in spec:
            self.check_fields(compiler, spec["fields"], at + ("fields",), model)
        for i, step in enumerate(spec.get("transforms") or []):
            self.check_transform(compiler, step, at + ("transforms", i))

    def check_condition(self, compiler: Compiler, cond: Any, at: Path_) -> None:
        if not isinstance(cond, dict):
            return
        for key in ("all", "any"):
            for i, sub in enumerate(cond.get(key) or []):
                self.check_condition(compiler, sub, at + (key, i))
        if "not" in cond:
            self.check_condition(compiler, cond["not"], at + ("not",))
        if "path" in cond:
            self.check_path(compiler.fmt, cond["path"], at + ("path",))
        if "template" in cond:
            self.check_template(compiler, cond["template"], at + ("template",))
        for i, step in enumerate(cond.get("transforms") or []):
            self.check_transform(compiler, step, at + ("transforms", i))
        if "matches" in cond:
            try:
                re.compile(str(cond["matches"]))
            except re.error as exc:
                self.doc.add(at + ("matches",), f"bad regular expression: {exc}")

    def check_transform(self, compiler: Compiler, step: Any, at: Path_) -> None:
        if isinstance(step, str):
            name, args = step, None
        elif isinstance(step, dict) and len(step) == 1:
            ((name, args),) = step.items()
            at_name = at + (name,)
        else:
            return
        if isinstance(step, str):
            at_name = at
        if name not in REGISTRY:
            self.doc.add(at_name, f"unknown transform `{name}`", suggest(name, REGISTRY))
            return
        definition = REGISTRY[name]
        if isinstance(args, dict) and (not definition.main or set(args) & set(definition.params)):
            for key in args:
                if key not in definition.params:
                    self.doc.add(
                        at_name + (key,),
                        f"`{name}` has no argument `{key}`",
                        suggest(key, definition.params),
                    )
        normalized = normalize_args(name, args)
        for key in definition.required:
            if key not in normalized:
                self.doc.add(at_name, f"transform `{name}` needs `{key}`")
                return
        if name == "lookup" and normalized.get("table") not in self.lookups:
            declared = list((self.root.get("lookups") or {}).keys())
            if normalized.get("table") not in declared:
                table = normalized.get("table")
                self.doc.add(
                    at_name,
                    f"lookup table `{table}` is not declared under `lookups:`",
                    suggest(table, declared),
                )
            return
        if name == "status_map" and normalized.get("name") not in (
            self.root.get("status_maps") or {}
        ):
            declared = list((self.root.get("status_maps") or {}).keys())
            self.doc.add(
                at_name,
                f"status map `{normalized.get('name')}` is not declared under `status_maps:`",
                suggest(normalized.get("name"), declared),
            )
            return
        for key, kind in definition.params.items():
            if kind == "spec" and key in normalized:
                self.check_spec(compiler, normalized[key], at_name + (key,), None)
        try:
            from adapters.mapping.transforms import compile_transform

            compile_transform(name, args, compiler)
        except Exception as exc:  # noqa: BLE001 - any bad argument is a mapping mistake
            self.doc.add(at_name, f"bad arguments for `{name}`: {exc}")

    def check_path(self, fmt: Any, expr: Any, at: Path_, lister: bool = False) -> None:
        if not isinstance(expr, str):
            return
        try:
            if lister:
                fmt.lister(expr)
            else:
                fmt.getter(expr)
        except Exception as exc:  # noqa: BLE001 - lxml raises several kinds
            self.doc.add(at, f"bad {fmt.name.upper()} path `{expr}`: {exc}")

    def check_template(self, compiler: Compiler, template: Any, at: Path_) -> None:
        if not isinstance(template, str):
            return
        try:
            compiler.compile_template(template)
        except Exception as exc:  # noqa: BLE001
            self.doc.add(at, f"bad template `{template}`: {exc}")

    def check_transport(self, own: dict, at: Path_, source: dict) -> None:
        if self.protocol not in ("rest", "soap", "csv_sftp"):
            return
        defaults = self.root.get("transport") or {}
        if not own and not defaults:
            return
        try:
            built = build_transport(self.protocol, dict(defaults), dict(own), dict(source))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(str(p) for p in err["loc"])
                key = loc[0] if loc else ""
                where = (
                    at + (key,) if key in own else (("transport", key) if key in defaults else at)
                )
                if err["type"] == "extra_forbidden":
                    from adapters.mapping.transport import _KINDS

                    fields = list(_KINDS[self.protocol].model_fields)
                    self.doc.add(
                        where,
                        f"`{key}` is not a {self.protocol} transport setting",
                        suggest(key, fields),
                    )
                elif err["type"] == "missing":
                    self.doc.add(at, f"the {self.protocol} transport needs `{key}`")
                else:
                    self.doc.add(where, f"transport `{key}`: {err['msg']}")
            return
        if self.confine is not None:
            self.check_targets(built, own, at, defaults)

    def check_targets(self, built: Any, own: dict, at: Path_, defaults: dict) -> None:
        """A confined mapping calls only its connector's endpoint: the endpoint is checked
        where the connector is defined, and a call path that does not start with `/` (an
        absolute URL, `@host`, `.other-domain`) would reach another host past that check."""
        keys = {"rest": ("base_path", "path"), "soap": ("wsdl", "service_path")}.get(
            self.protocol or "", ()
        )
        for key in keys:
            value = getattr(built, key, None) or ""
            if key == "path" and getattr(built, "base_path", ""):
                continue  # appended to a base path that starts with `/`, checked on its own
            if value and not value.startswith("/"):
                where = (
                    at + (key,) if key in own else (("transport", key) if key in defaults else at)
                )
                self.doc.add(
                    where,
                    f"`{key}` must start with `/`: calls go to the connector's endpoint (to "
                    "call another host, change the connector's endpoint)",
                )

    def check_operation(self, name: str, op: dict, defaults: dict) -> None:
        at = ("operations", name)
        if name not in OPERATIONS:
            self.doc.add(
                at,
                f"`{name}` is not an outbound operation ({', '.join(OPERATIONS)})",
                suggest(name, OPERATIONS),
            )
        from adapters.mapping.sources import JsonFormat

        compiler = Compiler(JsonFormat(), self.lookups, dict(self.root.get("status_maps") or {}))
        for key, spec in ((op.get("request") or {}).get("fields") or {}).items():
            self.check_spec(compiler, spec, at + ("request", "fields", key), None)
        response = op.get("response") or {}
        source = {**defaults, **(response.get("source") or {})}
        try:
            fmt = self._format(source)
        except ValueError as exc:
            self.doc.add(at + ("response", "source"), str(exc))
            return
        rc = Compiler(fmt, self.lookups, dict(self.root.get("status_maps") or {}))
        if "code" in response:
            self.check_spec(rc, response["code"], at + ("response", "code"), None)
        for key, spec in (response.get("fields") or {}).items():
            self.check_spec(rc, spec, at + ("response", "fields", key), None)
        self.check_transport(op.get("transport") or {}, at + ("transport",), source)
        _ = OutcomeStatus


# ------------------------------------------------------------------------------------ loading
def load_lookup(path: Path) -> dict:
    """A lookup table file: YAML/JSON mapping, or a two-column CSV (key,value with a header)."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        return {row[0]: row[1] for row in rows[1:] if len(row) >= 2}
    # The round-trip loader keeps how a key was written (`031` stays `031`, not 31).
    data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "values" in data and isinstance(data["values"], dict):
        data = data["values"]
    if not isinstance(data, dict):
        raise ValueError("a lookup table must be a mapping of legacy value -> canonical value")
    from adapters.mapping.transforms import key_text

    return {key_text(k): _plain(v) for k, v in data.items()}


# A mapping is a few hundred nodes; YAML aliases may repeat a node, but not without end
# (`&a [*a, *a]` nested ten deep is a thousand-fold): a text that expands past these is refused.
MAX_NODES = 200_000
MAX_DEPTH = 64


def _parse(file: str, text: str) -> tuple[_Doc | None, list[MappingIssue]]:
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        return None, [MappingIssue(file, line, col, "", f"not valid YAML: {exc.problem}")]
    except (ValueError, RecursionError) as exc:  # an unreadable scalar, or nesting too deep
        return None, [MappingIssue(file, 0, 0, "", f"not valid YAML: {exc}")]
    if not isinstance(root, dict):
        return None, [MappingIssue(file, 1, 1, "", "a mapping file is a YAML mapping")]
    too_big = _too_big(root)
    if too_big:
        return None, [MappingIssue(file, 1, 1, "", too_big)]
    return _Doc(file, root), []


def _too_big(root: Any) -> str | None:
    """Counts the nodes as the checks will walk them, aliases expanded."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return f"the mapping expands to more than {MAX_NODES} values (YAML aliases?)"
        if depth > MAX_DEPTH:
            return f"the mapping nests deeper than {MAX_DEPTH} levels"
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return None


def _read(path: Path) -> tuple[_Doc | None, list[MappingIssue]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [MappingIssue(file, 0, 0, "", f"cannot read the mapping file: {exc}")]
    return _parse(file, text)


def check_mapping(
    path: str | Path, *, confine: Path | None = None
) -> tuple[dict | None, dict, list[MappingIssue]]:
    """Validate a mapping file; returns (migrated document, lookups, issues). With `confine`
    (a folder), lookup tables must lie inside it and calls must stay on the connector's
    endpoint: the rules for a mapping written by someone other than the server's operator."""
    path = Path(path)
    doc, issues = _read(path)
    if doc is None:
        return None, {}, issues
    return _check(doc, path.parent, confine)


def check_mapping_text(
    text: str, *, base_dir: Path, file: str = "<text>", confine: Path | None = None
) -> tuple[dict | None, dict, list[MappingIssue]]:
    """`check_mapping` for a mapping not (yet) saved: `base_dir` is the folder it would be
    saved in (its lookup tables are found from there), `file` names it in the issues."""
    doc, issues = _parse(file, text)
    if doc is None:
        return None, {}, issues
    return _check(doc, Path(base_dir), confine)


def _check(
    doc: _Doc, base_dir: Path, confine: Path | None
) -> tuple[dict | None, dict, list[MappingIssue]]:
    version = doc.root.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        doc.add(
            ("version",) if "version" in doc.root else (),
            "missing or non-integer `version` (the mapping language version, "
            f"currently {CURRENT_VERSION})",
        )
        return None, {}, doc.issues
    if version > CURRENT_VERSION:
        doc.add(
            ("version",),
            f"version {version} is newer than this engine (supports up to {CURRENT_VERSION})",
        )
        return None, {}, doc.issues
    try:
        migrate(doc.root)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        doc.add(("version",), f"cannot migrate from version {version}: {exc}")
        return None, {}, doc.issues
    validator = jsonschema.Draft202012Validator(mapping_schema())
    for error in sorted(validator.iter_errors(doc.root), key=lambda e: list(map(str, e.path))):
        _schema_issues(doc, error)
    if doc.issues:
        return None, {}, _sorted(doc.issues)
    lookups = _Checker(doc, base_dir, confine.resolve() if confine else None).run()
    if doc.issues:
        return None, {}, _sorted(doc.issues)
    return _plain(doc.root), lookups, []


def _sorted(issues: list[MappingIssue]) -> list[MappingIssue]:
    return sorted(issues, key=lambda i: (i.line, i.column, i.path))


def _plain(node: Any) -> Any:
    """The round-trip loader's nodes as plain Python values: dicts, lists, str, int, float, bool
    (its scalar types would otherwise leak into records and JSON: an anchored `true` is an
    int subclass, so it is asked for first)."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, int) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, ScalarBoolean):
        return bool(node)
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def load_mapping(path: str | Path) -> Mapping:
    """Validate, migrate and compile a mapping file. Raises `MappingError` listing every issue."""
    document, lookups, issues = check_mapping(path)
    if issues or document is None:
        raise MappingError(issues)
    return _compile(document, lookups, str(path), Path(path).read_bytes())


def load_mapping_text(
    text: str, *, base_dir: Path, file: str = "<text>", confine: Path | None = None
) -> Mapping:
    """`load_mapping` for a mapping not (yet) saved (see `check_mapping_text`). Its
    fingerprint is the one the same text saved as a UTF-8 file will have."""
    document, lookups, issues = check_mapping_text(
        text, base_dir=base_dir, file=file, confine=confine
    )
    if issues or document is None:
        raise MappingError(issues)
    return _compile(document, lookups, file, text.encode("utf-8"))


def _compile(document: dict, lookups: dict, path: str, data: bytes) -> Mapping:
    try:
        mapping = Mapping(document, path=path, lookups=lookups)
    except Exception as exc:  # noqa: BLE001 - report, never crash the CLI
        raise MappingError([MappingIssue(path, 0, 0, "", f"cannot compile: {exc}")]) from exc
    mapping.fingerprint = fingerprint(data, lookups)
    return mapping


def fingerprint(data: bytes, lookups: dict) -> str:
    """Which revision of a mapping an import ran with: its file and its lookup tables."""
    digest = hashlib.sha256(data)
    for name in sorted(lookups):
        digest.update(json.dumps(lookups[name], sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]
