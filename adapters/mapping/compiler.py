"""Compile a (validated) mapping document into closures, once.

A field spec becomes `fn(node, scope) -> value`; an entity becomes an `EntityPlan` whose
`build(node, scope)` returns a canonical object or raises `FieldError` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from pydantic import BaseModel, ValidationError

from adapters.mapping.canonical_types import (
    CANONICAL,
    DERIVED,
    VALUE_MODELS,
    nested_model,
)
from adapters.mapping.errors import FieldError
from adapters.mapping.memo import MEMO_LIMIT, Generations, memoised_chain, run_chain
from adapters.mapping.scope import Scope
from adapters.mapping.sources import parse_json_path
from adapters.mapping.transforms import REGISTRY, compile_transform, transform_reads
from adapters.mapping.value_lists import list_key, memoised_items, memoised_list
from canonical.identity import derived_id
from canonical.text import LocalizedText
from canonical.time import business_date, utcnow

Fn = Callable[[Any, Scope], Any]

SOURCE_KEYS = (
    "path",
    "value",
    "var",
    "template",
    "paths",
    "each",
    "fields",
    "localized",
    "derive",
    "ref",
    "first_of",
    "cases",
    "fail",
)
MODIFIER_KEYS = (
    "transforms",
    "default",
    "when",
    "required",
    "scope",
    "from",
    "item",
    "let",
    "where",
    "group_by",
    "else",
    "language",
    "text",
    "id",
)
CONDITION_OPS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "exists",
    "missing",
    "empty",
    "not_empty",
)
_XML_ELEMENT = etree._Element
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


# Derived ids are memoised per `derive` site: one keeps up to this many (two generations of
# it), and a site whose ids never repeat (a show's own id) stops memoising (`Generations`).
DERIVED_ID_MEMO_LIMIT = MEMO_LIMIT // 4


class Compiler:
    """Compiles specs against one source format, with the mapping's lookups and status maps."""

    def __init__(self, fmt: Any, lookups: dict[str, dict], status_maps: dict[str, dict]):
        self.fmt = fmt
        self.lookups = lookups
        self.status_maps = status_maps

    # used by transforms
    def lookup(self, name: str) -> dict:
        return self.lookups[name]

    def status_map(self, name: str) -> dict:
        return self.status_maps[name]

    # ------------------------------------------------------------------------------ specs
    def compile_spec(self, spec: Any, where: str = "", model: type[BaseModel] | None = None) -> Fn:
        if isinstance(spec, str):
            return self._path(spec)
        if not isinstance(spec, dict):
            value = spec
            return lambda node, scope: value
        base = self._source(spec, where, model)
        steps = self._steps(spec.get("transforms") or [])
        when = self.compile_condition(spec["when"]) if "when" in spec else None
        has_default = "default" in spec
        default = spec.get("default")
        required = spec.get("required", False)
        describe = _describe(spec)

        if steps is None and when is None and not has_default and not required:
            return base
        if when is None and not has_default and not required:
            # The common shape (a path and its transforms): no condition, default or
            # required check to test per record.
            step = steps

            def run_steps(node: Any, scope: Scope) -> Any:
                value = base(node, scope)
                if value is None or value == "":
                    return None
                return step(value, node, scope)

            return run_steps

        def run(node: Any, scope: Scope) -> Any:
            held = True
            if when is not None and not when(node, scope):
                value = None
                held = False
            else:
                value = base(node, scope)
                if isinstance(value, str) and value == "":
                    value = None
                if value is not None and steps is not None:
                    value = steps(value, node, scope)
            if value is None:
                if has_default:
                    return default
                if required:
                    raise FieldError(_no_value(describe, held, "cases" in spec))
            return value

        return run

    def _path(self, expr: str) -> Fn:
        if self.fmt.name == "json" and not expr.lstrip().startswith("^"):
            steps = parse_json_path(expr)
            if len(steps) == 1 and steps[0][0] == "key":
                key = steps[0][1]

                def get_key(node: Any, scope: Scope) -> Any:
                    return node.get(key) if node.__class__ is dict else None

                return get_key
        get = self.fmt.getter(expr)
        if getattr(get, "scoped", False):
            return get
        return lambda node, scope: get(node)

    def _steps(self, transforms: list) -> Callable[[Any, Any, Scope], Any] | None:
        """A spec's transforms as one function (None when there are none), memoised per
        distinct input when every step is pure (reads its value and at most the theatre)."""
        if not transforms:
            return None
        steps: list[Callable[[Any, Any, Scope], Any]] = []
        reads: list[str] = []
        for step in transforms:
            name, args = (step, None) if isinstance(step, str) else next(iter(step.items()))
            steps.append(compile_transform(name, args, self))
            reads.append(transform_reads(name, args))
        # The pure head of the chain (up to the first step that reads other fields, such as
        # add_minutes) is memoised; the rest runs per record.
        pure = reads.index("node") if "node" in reads else len(reads)
        if pure == 0:
            return run_chain(steps)
        head = memoised_chain(run_chain(steps[:pure]), uses_theatre="theatre" in reads[:pure])
        return head if pure == len(steps) else run_chain([head, *steps[pure:]])

    def _source(self, spec: dict, where: str, model: type[BaseModel] | None) -> Fn:
        if "path" in spec:
            return self._path(spec["path"])
        if "value" in spec and "each" not in spec:
            value = spec["value"]
            return lambda node, scope: value
        if "var" in spec:
            name = spec["var"]
            return lambda node, scope: scope.var(name)
        if "template" in spec:
            return self.compile_template(spec["template"])
        if "paths" in spec:
            parts = [self.compile_spec(p, where) for p in spec["paths"]]
            return lambda node, scope: [p(node, scope) for p in parts]
        if "fail" in spec:
            reason = str(spec["fail"])

            def fail(node: Any, scope: Scope) -> Any:
                raise FieldError(reason)

            return fail
        if "first_of" in spec:
            options = [self.compile_spec(p, where) for p in spec["first_of"]]

            def first_of(node: Any, scope: Scope) -> Any:
                for option in options:
                    value = option(node, scope)
                    if value not in (None, ""):
                        return value
                return None

            return first_of
        if "cases" in spec:
            cases = [
                (self.compile_condition(c["when"]), self.compile_spec(c["then"], where))
                for c in spec["cases"]
            ]
            otherwise = self.compile_spec(spec["else"], where) if "else" in spec else None

            def switch(node: Any, scope: Scope) -> Any:
                for cond, then in cases:
                    if cond(node, scope):
                        return then(node, scope)
                return otherwise(node, scope) if otherwise else None

            return switch
        if "derive" in spec:
            prefix = spec["derive"]
            ext = self.compile_spec(spec["from"], where)
            scope_of = self._scope_of(spec.get("scope"))
            ids = Generations(DERIVED_ID_MEMO_LIMIT)
            known, keep = ids.current.get, ids.store

            def derive_id(node: Any, scope: Scope) -> Any:
                external = ext(node, scope)
                if external is None:
                    raise FieldError(f"no external id to derive a {prefix} id from")
                key = (scope.ctx.connector_id, str(external), scope_of(node, scope))
                hit = known(key)
                if hit is None:
                    hit = derived_id(prefix, *key)
                    keep(key, hit)
                return hit

            return derive_id
        if "ref" in spec:
            ext = self.compile_spec(spec["ref"], where)
            scope_of = self._scope_of(spec.get("scope"))

            def ref(node: Any, scope: Scope) -> Any:
                external = ext(node, scope)
                if external is None:
                    raise FieldError("no external id for the external ref")
                return [
                    {
                        "connector_id": scope.ctx.connector_id,
                        "external_id": str(external),
                        "scope": scope_of(node, scope),
                    }
                ]

            return ref
        if "localized" in spec:
            return self._localized(spec["localized"], where)
        if "each" in spec:
            return self._each(spec, where, model)
        if "fields" in spec:
            return self.compile_object(spec["fields"], where, model)
        raise ValueError(f"{where}: no source in {sorted(spec)}")

    def _scope_of(self, spec: Any) -> Fn:
        if spec is None:
            return lambda node, scope: ""
        render = self.compile_template(spec) if isinstance(spec, str) else self.compile_spec(spec)

        def scope_text(node: Any, scope: Scope) -> str:
            value = render(node, scope)
            if value is None:
                raise FieldError("the external id's scope is missing")
            return str(value)

        return scope_text

    def compile_template(self, template: str) -> Fn:
        """`"{CinemaId}-{SessionId}"`, `"cinema:{$cinema_id}"`; a missing part -> missing."""
        pieces: list[tuple[bool, Any]] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(template):
            if match.start() > pos:
                pieces.append((False, template[pos : match.start()]))
            expr = match.group(1).strip()
            if expr.startswith("$"):
                name = expr[1:]
                pieces.append((True, lambda node, scope, n=name: scope.var(n)))
            else:
                get = self.fmt.getter(expr)
                if getattr(get, "scoped", False):
                    # An XPath reading `$variables` (from `let`) takes the scope as well.
                    pieces.append((True, get))
                else:
                    pieces.append((True, lambda node, scope, g=get: g(node)))
            pos = match.end()
        if pos < len(template):
            pieces.append((False, template[pos:]))
        dynamic_parts = [piece for dynamic, piece in pieces if dynamic]
        if len(dynamic_parts) == 1:
            # `site:{SiteCode}`: one value between fixed text, the usual id scope.
            (only,) = dynamic_parts
            head = pieces[0][1] if not pieces[0][0] else ""
            tail = pieces[-1][1] if not pieces[-1][0] else ""

            def render_one(node: Any, scope: Scope) -> Any:
                value = only(node, scope)
                if value is None or value == "":
                    return None
                return f"{head}{value}{tail}"

            return render_one

        def render(node: Any, scope: Scope) -> Any:
            out = []
            for dynamic, piece in pieces:
                if dynamic:
                    value = piece(node, scope)
                    if value is None or value == "":
                        return None
                    out.append(str(value))
                else:
                    out.append(piece)
            return "".join(out)

        return render

    def _localized(self, spec: dict | list, where: str) -> Fn:
        if isinstance(spec, list):
            # Several languages from one record: [{language: pt, text: Title}, {...}].
            parts = [self._localized(part, where) for part in spec]

            def several(node: Any, scope: Scope) -> Any:
                values: dict[str, str] = {}
                for part in parts:
                    found = part(node, scope)
                    if found is not None:
                        values.update(found.values)
                return LocalizedText(values=values) if values else None

            return several
        language = self.compile_spec(spec["language"], where)
        text = self.compile_spec(spec["text"], where)
        if "each" in spec:
            items = self.fmt.lister(spec["each"])

            def many(node: Any, scope: Scope) -> Any:
                values = {}
                for item in items(node):
                    tag, value = language(item, scope), text(item, scope)
                    if tag and value:
                        values[str(tag)] = value
                return LocalizedText(values=values) if values else None

            return many

        def one(node: Any, scope: Scope) -> Any:
            tag, value = language(node, scope), text(node, scope)
            if not tag or value in (None, ""):
                return None
            return LocalizedText(values={str(tag): value})

        return one

    def _each(self, spec: dict, where: str, model: type[BaseModel] | None) -> Fn:
        each = spec["each"]
        if each == "@group":

            def items(node: Any, scope: Scope) -> list:
                return scope.group or [node]
        elif isinstance(each, dict):
            # A computed list (`{path: Prices, transforms: [{split: ","}]}`): items are values.
            produce = self.compile_spec(each, where)

            def items(node: Any, scope: Scope) -> list:
                value = produce(node, scope)
                if value is None:
                    return []
                return list(value) if isinstance(value, list | tuple) else [value]
        else:
            lister = self.fmt.lister(each)

            def items(node: Any, scope: Scope) -> list:
                return lister(node)

        lets = {k: self.compile_spec(v, where) for k, v in (spec.get("let") or {}).items()}
        cond = self.compile_condition(spec["where"]) if "where" in spec else None
        group_by = self.compile_spec(spec["group_by"], where) if "group_by" in spec else None
        if "fields" in spec:
            body = self.compile_object(spec["fields"], where, model)
        elif "item" in spec:
            body = self.compile_spec(spec["item"], where, model)
        else:

            def body(node: Any, scope: Scope) -> Any:
                return node

        # Items of a value-object list (a price card) repeat across records: when the spec
        # reads nothing but the item and the theatre, map each distinct raw item once.
        if (
            model in VALUE_MODELS
            and not lets
            and cond is None
            and group_by is None
            and "$" not in repr(spec)
            and "'var'" not in repr(spec)
        ):
            body = memoised_items(body, self.fmt, spec)
            whole_list = list_key(self, each, spec)
        else:
            whole_list = None

        def run(node: Any, scope: Scope) -> Any:
            nodes = items(node, scope)
            if group_by is not None:
                groups: dict[Any, list] = {}
                for item in nodes:
                    groups.setdefault(group_by(item, scope), []).append(item)
                pairs = [(rows[0], rows) for rows in groups.values()]
            else:
                pairs = [(item, None) for item in nodes]
            out = []
            for index, (item, rows) in enumerate(pairs):
                inner = scope
                if lets or rows is not None:
                    inner = scope.child(
                        {k: f(item, scope) for k, f in lets.items()} if lets else None, rows
                    )
                if cond is not None and not cond(item, inner):
                    continue
                try:
                    value = body(item, inner)
                except FieldError as exc:
                    raise exc.under(str(index)) from None
                if value is not None:
                    out.append(value)
            return out

        if whole_list is not None:
            # A price card repeats whole: the list is mapped once per distinct raw list.
            return memoised_list(run, whole_list)
        return run

    def compile_object(self, fields: dict, where: str, model: type[BaseModel] | None = None) -> Fn:
        compiled = []
        for name, sub in fields.items():
            sub_model = nested_model(model, name) if model is not None else None
            compiled.append((name, self.compile_spec(sub, f"{where}.{name}", sub_model)))
        cache: dict | None = {} if model in VALUE_MODELS else None
        return self._closure_object(compiled, cache, model)

    @staticmethod
    def _closure_object(
        compiled: list[tuple[str, Fn]], cache: dict | None, model: type[BaseModel] | None
    ) -> Fn:

        def build(node: Any, scope: Scope) -> Any:
            data = {}
            for name, fn in compiled:
                try:
                    value = fn(node, scope)
                except FieldError as exc:
                    raise exc.under(name) from None
                if value is not None:
                    data[name] = value
            if cache is None:
                return data
            # Value objects repeat: validate each distinct one once and reuse the instance.
            try:
                key = tuple(data.items())
                hit = cache.get(key)
            except TypeError:
                return data
            if hit is None:
                if len(cache) > 4096:
                    cache.clear()
                try:
                    hit = cache[key] = model.model_validate(data)
                except ValidationError as exc:
                    raise _validation_field_error(exc) from None
            return hit

        return build

    # ------------------------------------------------------------------------- conditions
    def compile_condition(self, cond: Any) -> Callable[[Any, Scope], bool]:
        if isinstance(cond, bool):
            return lambda node, scope: cond
        if "all" in cond:
            parts = [self.compile_condition(c) for c in cond["all"]]
            return lambda node, scope: all(p(node, scope) for p in parts)
        if "any" in cond:
            parts = [self.compile_condition(c) for c in cond["any"]]
            return lambda node, scope: any(p(node, scope) for p in parts)
        if "not" in cond:
            inner = self.compile_condition(cond["not"])
            return lambda node, scope: not inner(node, scope)
        ops = [op for op in CONDITION_OPS if op in cond]
        op = ops[0] if ops else "exists"
        value_spec = {k: v for k, v in cond.items() if k not in CONDITION_OPS}
        value_of = self.compile_spec(value_spec)
        arg = cond.get(op)
        if op in ("equals", "not_equals"):
            target = str(arg)
            want = op == "equals"
            return lambda node, scope: (_text(value_of(node, scope)) == target) is want
        if op in ("in", "not_in"):
            targets = {str(a) for a in arg}
            want = op == "in"
            return lambda node, scope: (_text(value_of(node, scope)) in targets) is want
        if op == "matches":
            pattern = re.compile(str(arg))
            return lambda node, scope: bool(pattern.search(_text(value_of(node, scope)) or ""))
        if op in ("exists", "not_empty"):
            return lambda node, scope: value_of(node, scope) not in (None, "", [])
        return lambda node, scope: value_of(node, scope) in (None, "", [])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _no_value(describe: str, held: bool, cases: bool) -> str:
    """Say why a required field has no value: its `when` did not hold, no case matched, or
    the source is missing or empty."""
    if not held:
        return f"no value: the field's `when` condition did not hold ({describe})"
    if cases:
        return "no value: no case matched and there is no `else`"
    return f"no value: {describe} is missing or empty"


def _describe(spec: Any) -> str:
    if isinstance(spec, str):
        return f"path `{spec}`"
    for key in SOURCE_KEYS:
        if key in spec and not isinstance(spec[key], dict | list):
            return f"{key} `{spec[key]}`"
        if key in spec:
            return key
    return "the source"


def _validation_field_error(exc: ValidationError) -> FieldError:
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    message = first.get("msg", str(exc))
    value = first.get("input")
    if not isinstance(value, dict | list) and value is not None:
        message += f" (got {value!r})"
    return FieldError(message, loc)


# ------------------------------------------------------------------------------- entities
@dataclass
class EntityPlan:
    name: str
    canonical: str
    model: type[BaseModel]
    fmt: Any
    records: Callable[[Any], list] | None
    records_expr: str
    build: Callable[[Any, Scope], BaseModel]
    theatre: Fn | None
    where: Callable[[Any, Scope], bool] | None
    unique_by: Fn | None
    group_by: Fn | None
    lets: dict[str, Fn] = field(default_factory=dict)
    transport: dict[str, Any] = field(default_factory=dict)


def compile_entity(name: str, spec: dict, compiler: Compiler) -> EntityPlan:
    canonical = spec.get("canonical", name)
    model = CANONICAL[canonical]
    source = spec.get("source") or {}
    records_expr = source.get("records", "$" if compiler.fmt.name == "json" else ".")
    records = None if compiler.fmt.name == "csv" else compiler.fmt.lister(records_expr)
    where = f"entities.{name}"
    theatre = compiler.compile_spec(spec["theatre"], where) if "theatre" in spec else None
    cond = compiler.compile_condition(spec["where"]) if "where" in spec else None
    unique_by = compiler.compile_spec(spec["unique_by"], where) if "unique_by" in spec else None
    group_by = compiler.compile_spec(spec["group_by"], where) if "group_by" in spec else None
    lets = {k: compiler.compile_spec(v, where) for k, v in (spec.get("let") or {}).items()}
    fields = compiler.compile_object(spec["fields"], f"{where}.fields", model)
    derived = DERIVED.get(model, set()) - set(spec["fields"])
    fields_spec = spec["fields"]

    # What model_validate runs, without its Python wrapper frame (same checks, same errors).
    validate = model.__pydantic_validator__.validate_python

    if derived == {"business_date"}:
        # A show: `_derive` inlined (on a memo hit, its lookup is all the work).
        dates = _BUSINESS_DATES

        def build(node: Any, scope: Scope) -> BaseModel:
            data = fields(node, scope)
            start = data.get("start")
            info = scope.theatre
            day = (
                dates.get((start, info.memo_key))
                if info is not None and isinstance(start, datetime)
                else None
            )
            if day is None:
                _derive(model, derived, data, scope)
            else:
                data["business_date"] = day
            try:
                return validate(data)
            except ValidationError as exc:
                raise _validation_field_error(exc) from None
    else:

        def build(node: Any, scope: Scope) -> BaseModel:
            data = fields(node, scope)
            if derived:
                _derive(model, derived, data, scope)
            try:
                return validate(data)
            except ValidationError as exc:
                raise _validation_field_error(exc) from None

    _ = fields_spec
    return EntityPlan(
        name,
        canonical,
        model,
        compiler.fmt,
        records,
        records_expr,
        build,
        theatre,
        cond,
        unique_by,
        group_by,
        lets,
        spec.get("transport") or {},
    )


# business_date is a pure function of (start instant, zone, cut-over): shows share start times.
_BUSINESS_DATES: dict[tuple, Any] = {}


def _derive(model: type[BaseModel], names: set[str], data: dict, scope: Scope) -> None:
    if "business_date" in names and "start" in data and isinstance(data["start"], datetime):
        info = scope.theatre
        if info is None:
            raise FieldError(
                "no time zone to derive the business date: add the theatre to the context",
                "business_date",
            )
        key = (data["start"], info.memo_key)
        day = _BUSINESS_DATES.get(key)
        if day is None:
            if len(_BUSINESS_DATES) >= MEMO_LIMIT:
                _BUSINESS_DATES.clear()
            day = _BUSINESS_DATES[key] = business_date(
                data["start"], info.timezone, info.cutover_hour
            )
        data["business_date"] = day
    if "observed_at" in names and "observed_at" not in data:
        data["observed_at"] = scope.ctx.now or utcnow()
    if "connector_id" in names and "connector_id" not in data:
        data["connector_id"] = scope.ctx.connector_id


__all__ = ["Compiler", "EntityPlan", "compile_entity", "REGISTRY"]
