"""Compile an object's field specs into one generated Python function.

The closure compiler (compiler.py) gives every spec its own function; for a record of a dozen
fields that is a few dozen nested calls. For the top-level object of an entity this module
writes straight-line source instead, with the common shapes inlined:

- a path the format reads directly (a JSON key, an XML child element's text, a CSV column),
- a path with transforms (the memoised transform chain is called once),
- a template with placeholders, and `derive` / `ref` ids built from those.

Every other spec (cases, each, localized, conditions, defaults, ...) is called as its compiled
closure, so the semantics stay those of compiler.py: this is only a faster way to run the same
specs. A node of an unexpected type (a JSON list where an object was expected, ...) goes to the
closure-built object, which handles it as before. `FieldError`s name their field as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from hashlib import blake2b
from typing import Any

from lxml import etree

from adapters.mapping.errors import FieldError
from adapters.mapping.memo import _MISSING, MEMO_LIMIT
from adapters.mapping.sources import CsvRow, parse_json_path
from adapters.mapping.value_lists import _SCALARS
from canonical.identity import derived_id

Fn = Callable[[Any, Any], Any]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_PLAIN_XML_CHILD = re.compile(r"^(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$")
_DERIVE_KEYS = {"derive", "from", "scope"}
_REF_KEYS = {"ref", "scope"}
_SCOPE_MISSING = "the external id's scope is missing"
_ID_MEMO_LIMIT = MEMO_LIMIT // 4  # per derive site; a site unique per record churns alone


def _inline_derived_id(prefix: str, connector_id: str, external_id: str, scope: str) -> str:
    """What the generated code computes for a derived id (without a call and an import)."""
    return (
        prefix
        + "_"
        + blake2b(
            f"{connector_id}\x1f{scope}\x1f{external_id}".encode(), digest_size=10
        ).hexdigest()
    )


# Inlined only while it gives exactly canonical's ids; otherwise generated code calls it.
_FAST_DERIVED_ID = all(
    _inline_derived_id(*args) == derived_id(*args)
    for args in (
        ("shw", "c", "1", "cinema:C1"),
        ("mov", "bench-json", "HO00000700", ""),
        ("scr", "t\u00e9", "7", "site:S\u00fc"),
    )
)


class _Source:
    """Source lines plus the constants they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.counter = 0

    def const(self, value: Any, hint: str = "c") -> str:
        self.counter += 1
        name = f"_{hint}{self.counter}"
        self.names[name] = value
        return name

    def var(self, hint: str = "v") -> str:
        self.counter += 1
        return f"{hint}{self.counter}"

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


class ObjectCodegen:
    """Writes `build(node, scope) -> dict` for one object's fields."""

    def __init__(self, compiler: Any):
        self.compiler = compiler
        self.fmt = compiler.fmt
        self.src = _Source()
        self.uses_texts = False  # XML: the record's child texts are collected once
        # Plain reads (a JSON key, an XML child's text, a CSV column) cannot fail and have no
        # effects, so each is done once per record at the top and shared by every field
        # (a theatre's id feeds its id, the show's id scope, the screen scope, the ref).
        self.reads: dict[str, str] = {}
        self.counts_calls = False  # derive sites judge their memo by the calls (see derive)

    # ---------------------------------------------------------------------------- reads
    def read(self, expr: str) -> str:
        """An expression reading one path from `node` (None when absent)."""
        kind = self.fmt.name
        text = expr.strip()
        plain = None
        if kind == "json" and not text.startswith("^"):
            steps = parse_json_path(text)
            if len(steps) == 1 and steps[0][0] == "key":
                plain = f"node.get({steps[0][1]!r})"
        elif kind == "xml" and "/" not in text and _PLAIN_XML_CHILD.match(text):
            self.uses_texts = True
            plain = f"(_texts.get({self.fmt._clark(text)!r}) or None)"
        elif kind == "csv" and text != ".":
            plain = f"(node.get({text!r}) or None)"
        if plain is not None:
            return self.plain(plain)
        path = self.compiler._path(expr)
        return f"{self.src.const(path, 'path')}(node, scope)"

    def plain(self, expr: str) -> str:
        """The local that holds a plain read, read once at the top of the function."""
        name = self.reads.get(expr)
        if name is None:
            name = self.reads[expr] = self.src.var("r")
        return name

    def template_read(self, expr: str) -> str:
        """A template placeholder: as compiler.compile_template reads it (format getter)."""
        name = expr.strip()
        if name.startswith("$"):
            return f"scope.var({name[1:]!r})"
        kind = self.fmt.name
        if (
            kind == "json"
            or (kind == "xml" and "/" not in name and _PLAIN_XML_CHILD.match(name))
            or (kind == "csv" and name != ".")
        ):
            return self.read(name)
        getter = self.fmt.getter(name)
        if getattr(getter, "scoped", False):  # an XPath reading `$variables`
            return f"{self.src.const(getter, 'get')}(node, scope)"
        return f"{self.src.const(getter, 'get')}(node)"

    # ---------------------------------------------------------------------------- specs
    def value(self, spec: Any, closure: Fn, out: str, indent: int) -> None:
        """Lines that set local `out` to the spec's value."""
        emit = self.src.emit
        if isinstance(spec, str):
            emit(indent, f"{out} = {self.read(spec)}")
            return
        if (
            isinstance(spec, dict)
            and set(spec) <= {"path", "transforms"}
            and isinstance(spec.get("path"), str)
        ):
            steps = self.compiler._steps(spec.get("transforms") or [])
            emit(indent, f"{out} = {self.read(spec['path'])}")
            if steps is not None:
                chain = self.src.const(steps, "steps")
                emit(indent, f'if {out} is None or {out} == "":')
                emit(indent + 1, f"{out} = None")
                if getattr(steps, "memo", None) is not None:
                    self.chain_memo(steps.memo, out, indent)
                emit(indent, "else:")
                emit(indent + 1, f"{out} = {chain}({out}, node, scope)")
            return
        if (
            isinstance(spec, dict)
            and set(spec) == {"template"}
            and isinstance(spec["template"], str)
        ):
            self.template(spec["template"], out, indent)
            return
        if (
            isinstance(spec, dict)
            and "derive" in spec
            and set(spec) <= _DERIVE_KEYS
            and self._simple_scope(spec.get("scope"))
        ):
            self.derive(spec, out, indent)
            return
        if (
            isinstance(spec, dict)
            and "ref" in spec
            and set(spec) <= _REF_KEYS
            and self._simple_scope(spec.get("scope"))
        ):
            self.ref(spec, out, indent)
            return
        if getattr(closure, "list_memo", None) is not None:
            self.list_memo(closure.list_memo, out, indent)
            return
        emit(indent, f"{out} = {self.src.const(closure, 'field')}(node, scope)")

    def chain_memo(self, memo: tuple, out: str, indent: int) -> None:
        """memo.py's lookup of a memoised transform chain, inline (an `elif` branch; the
        caller's `else` calls the chain for inputs that are not keyed)."""
        emit, const = self.src.emit, self.src.const
        get, put, chain, by_theatre = memo
        get, put, chain = const(get, "mget"), const(put, "mput"), const(chain, "mchain")
        if by_theatre:
            key = self.src.var("k")
            emit(indent, f"elif {out}.__class__ in _KEYABLE and theatre is not None:")
            emit(indent + 1, f"{key} = ({out}, tkey)")
        else:
            key = out
            emit(indent, f"elif {out}.__class__ in _KEYABLE:")
        hit = self.src.var("h")
        emit(indent + 1, f"{hit} = {get}({key}, _MISSING)")
        emit(indent + 1, f"if {hit} is _MISSING:")
        emit(indent + 2, f"{hit} = {chain}({out}, node, scope)")
        emit(indent + 2, f"{put}({key}, {hit})")
        emit(indent + 1, f"{out} = {hit}")

    def list_memo(self, memo: tuple, out: str, indent: int) -> None:
        """value_lists.memoised_list inline: a price card mapped once per distinct raw list
        (and theatre); for JSON the list's key is built inline too."""
        emit, const = self.src.emit, self.src.const
        key_of, store, run, limit = memo
        store, run = const(store, "lmemo"), const(run, "lrun")
        key = self.src.var("lk")
        parts = getattr(key_of, "parts", None)
        if parts is not None and self.fmt.name == "json":
            container, getter, flatten = parts
            items = self.plain(f"node.get({container!r})")
            getter, flatten = const(getter, "lget"), const(flatten, "lflat")
            emit(indent, f"{key} = None")
            emit(indent, f"if {items}.__class__ is list:")
            emit(indent + 1, "try:")
            emit(indent + 2, f"{key} = tuple(map({getter}, {items}))")
            emit(indent + 1, "except (KeyError, TypeError):")
            emit(indent + 2, "pass  # a missing key or a non-object item: mapped plainly")
            emit(
                indent + 1,
                f"if {key} is not None and not _SCALARS.issuperset(map(type, {flatten}({key}))):",
            )
            emit(indent + 2, f"{key} = None")
        else:
            emit(indent, f"{key} = {const(key_of, 'lkey')}(node, scope)")
        emit(indent, f"if {key} is None:")
        emit(indent + 1, f"{out} = {run}(node, scope)")
        emit(indent, "else:")
        emit(indent + 1, f"{key} = ({key}, tkey)")
        emit(indent + 1, f"{out} = {store}.get({key})")
        emit(indent + 1, f"if {out} is None:")
        emit(indent + 2, f"{out} = {run}(node, scope)")
        emit(indent + 2, f"if len({store}) >= {limit}:")
        emit(indent + 3, f"{store}.clear()")
        emit(indent + 2, f"{store}[{key}] = {out}")

    def _closure(self, spec: Any) -> Fn:
        return self.compiler.compile_spec(spec)

    @staticmethod
    def _simple_scope(scope_spec: Any) -> bool:
        return scope_spec is None or isinstance(scope_spec, str)

    def template(self, template: str, out: str, indent: int) -> None:
        """`"cinema:{CinemaId}"`: None as soon as one placeholder is missing or empty."""
        emit = self.src.emit
        parts: list[tuple[bool, str]] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(template):
            if match.start() > pos:
                parts.append((False, template[pos : match.start()]))
            parts.append((True, match.group(1)))
            pos = match.end()
        if pos < len(template):
            parts.append((False, template[pos:]))
        emit(indent, f"{out} = None")
        pieces: list[str] = []
        depth = indent
        for dynamic, text in parts:
            if not dynamic:
                pieces.append(text.replace("{", "{{").replace("}", "}}"))
                continue
            part = self.src.var("t")
            emit(depth, f"{part} = {self.template_read(text)}")
            emit(depth, f'if {part} is not None and {part} != "":')
            depth += 1
            pieces.append("{" + part + "}")
        emit(depth, f"{out} = f{''.join(pieces)!r}")

    def _external(self, spec: dict, key: str, missing: str, indent: int) -> tuple[str, str]:
        """The external id (refused when missing) and the scope text of a derive/ref spec,
        as locals, checked in the order compiler.py checks them."""
        emit = self.src.emit
        ext = self.src.var("ext")
        self.value(spec[key], self._closure(spec[key]), ext, indent)
        emit(indent, f"if {ext} is None:")
        emit(indent + 1, f"raise FieldError({missing!r})")
        scope_spec = spec.get("scope")
        if scope_spec is None:
            return ext, '""'
        text = self.src.var("scope")
        self.template(scope_spec, text, indent)
        emit(indent, f"if {text} is None:")
        emit(indent + 1, f"raise FieldError({_SCOPE_MISSING!r})")
        return ext, text

    def derive(self, spec: dict, out: str, indent: int) -> None:
        """A derived id, memoised per site on the external id and the scope template's raw
        parts (text or whole numbers only): on a hit no scope is formatted and nothing is
        hashed. A site whose ids are unique per record (a show's own id) stops memoising
        once a full memo has paid for less than one hit per entry. Hits are not counted one
        by one: the function counts its calls, and the calls since the last clear less the
        entries (the misses) are the hits (a record that failed before this site counts as
        a hit: that only keeps a bounded memo a little longer)."""
        self.counts_calls = True
        emit = self.src.emit
        prefix = spec["derive"]
        ext = self.src.var("ext")
        self.value(spec["from"], self._closure(spec["from"]), ext, indent)
        emit(indent, f"if {ext} is None:")
        emit(indent + 1, f"raise FieldError({f'no external id to derive a {prefix} id from'!r})")
        scope_spec = spec.get("scope")
        placeholders = (
            [] if scope_spec is None else [m.group(1) for m in _PLACEHOLDER.finditer(scope_spec)]
        )
        memo = self.src.const({}, "ids")
        state = self.src.const([True, 0], "idstate")  # [memoising, calls at the last clear]
        key = self.src.var("key")
        emit(indent, f"if {state}[0]:")
        parts = [ext]
        for expr in placeholders:
            part = self.src.var("raw")
            emit(indent + 1, f"{part} = {self.template_read(expr)}")
            parts.append(part)
        keyable = " and ".join(f"{p}.__class__ in _KEYABLE" for p in parts)
        emit(indent + 1, f"{key} = (connector, {', '.join(parts)}) if {keyable} else None")
        emit(indent + 1, f"{out} = None if {key} is None else {memo}.get({key})")
        emit(indent, "else:")
        emit(indent + 1, f"{key} = {out} = None")
        emit(indent, f"if {out} is None:")
        scope_text = '""'
        if scope_spec is not None:
            scope_text = self.src.var("scope")
            self.template(scope_spec, scope_text, indent + 1)
            emit(indent + 1, f"if {scope_text} is None:")
            emit(indent + 2, f"raise FieldError({_SCOPE_MISSING!r})")
        if _FAST_DERIVED_ID:
            # canonical.identity.derived_id, inlined (checked equal at import time).
            emit(
                indent + 1,
                f"{out} = {prefix + '_'!r} + _blake2b(f'{{connector}}\\x1f"
                f"{{{scope_text}}}\\x1f{{str({ext})}}'.encode(), "
                "digest_size=10).hexdigest()",
            )
        else:
            emit(
                indent + 1, f"{out} = _derived_id({prefix!r}, connector, str({ext}), {scope_text})"
            )
        emit(indent + 1, f"if {key} is not None:")
        emit(indent + 2, f"if len({memo}) >= {_ID_MEMO_LIMIT}:")
        emit(indent + 3, f"{state}[0] = _calls[0] - {state}[1] >= 2 * len({memo})")
        emit(indent + 3, f"{state}[1] = _calls[0]")
        emit(indent + 3, f"{memo}.clear()")
        emit(indent + 2, f"{memo}[{key}] = {out}")

    def ref(self, spec: dict, out: str, indent: int) -> None:
        ext, scope_text = self._external(spec, "ref", "no external id for the external ref", indent)
        self.src.emit(
            indent,
            f'{out} = [{{"connector_id": connector, '
            f'"external_id": str({ext}), "scope": {scope_text}}}]',
        )

    # --------------------------------------------------------------------------- object
    def build(self, fields: dict[str, Any], closures: list[tuple[str, Fn]], fallback: Fn) -> Fn:
        src = self.src
        for (name, closure), spec in zip(closures, fields.values(), strict=True):
            src.emit(2, f"field = {name!r}")
            out = src.var("v")
            self.value(spec, closure, out, 2)
            src.emit(2, f"if {out} is not None:")
            src.emit(3, f"data[{name!r}] = {out}")
        guard = {"json": "dict", "xml": "_Element", "csv": "_CsvRow"}[self.fmt.name]
        head = [
            "def build(node, scope):",
            f"    if node.__class__ is not {guard}:",
            "        return _fallback(node, scope)",
        ]
        if self.uses_texts:
            # Shared with the format's getters (the theatre key was read through them).
            head.append("    _texts = _child_texts(node)")
        head += [f"    {name} = {plain}" for plain, name in self.reads.items()]
        if self.counts_calls:
            head.append("    _calls[0] += 1")
        head += [
            "    connector = scope.ctx.connector_id",
            "    theatre = scope.theatre",
            "    tkey = None if theatre is None else theatre.memo_key",
            "    data = {}",
            "    field = ''",
            "    try:",
        ]
        tail = [
            "    except FieldError as exc:",
            "        raise exc.under(field) from None",
            "    return data",
        ]
        if not src.lines:
            src.emit(2, "pass")
        text = "\n".join(head + src.lines + tail) + "\n"
        namespace: dict[str, Any] = {
            "FieldError": FieldError,
            "_fallback": fallback,
            "_Element": etree._Element,
            "_CsvRow": CsvRow,
            "_derived_id": derived_id,
            "_KEYABLE": frozenset({str, int}),
            "_blake2b": blake2b,
            "_MISSING": _MISSING,
            "_SCALARS": _SCALARS,
            "_calls": [0],
            "_child_texts": getattr(self.fmt, "child_texts", None),
            **src.names,
        }
        exec(compile(text, "<mapping codegen>", "exec"), namespace)  # noqa: S102 - our own source
        build = namespace["build"]
        build.source = text  # type: ignore[attr-defined] - for debugging a mapping
        return build


def generate_object(
    compiler: Any, fields: dict[str, Any], closures: list[tuple[str, Fn]], fallback: Fn
) -> Fn:
    """`build(node, scope) -> dict` for these fields; `fallback` handles unexpected nodes."""
    return ObjectCodegen(compiler).build(fields, closures, fallback)
