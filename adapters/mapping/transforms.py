"""The transform registry. Each transform compiles once into `fn(value, node, scope)`.

A transform is written in a mapping as a bare name (`int`) or a one-key object whose value is
either the transform's main argument (`split: "|"`) or an object of arguments
(`split: {sep: "|", index: 0}`). `None` values skip every transform (use `default`).
Transforms marked elementwise apply to each item when the value is a list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from adapters.mapping.errors import FieldError
from canonical.money import Money, exponent
from canonical.time import localize
from canonical.time import zone as _zone

Fn = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class TransformDef:
    name: str
    factory: Callable[[dict[str, Any], Any], Fn]
    params: dict[str, str] = field(default_factory=dict)  # name -> "spec" | "value"
    main: str | None = None  # the argument a scalar shorthand fills
    required: tuple[str, ...] = ()
    elementwise: bool = False
    doc: str = ""


REGISTRY: dict[str, TransformDef] = {}


def transform(
    name: str,
    *,
    params: dict[str, str] | None = None,
    main: str | None = None,
    required: tuple[str, ...] = (),
    elementwise: bool = False,
    doc: str = "",
):
    def register(factory: Callable[[dict[str, Any], Any], Fn]):
        REGISTRY[name] = TransformDef(name, factory, params or {}, main, required, elementwise, doc)
        return factory

    return register


def normalize_args(name: str, args: Any) -> dict[str, Any]:
    """`split: "|"` -> {"sep": "|"}; `int` -> {}."""
    definition = REGISTRY[name]
    if args is None:
        return {}
    if isinstance(args, dict) and (not definition.main or set(args) & set(definition.params)):
        return dict(args)
    if definition.main:
        return {definition.main: args}
    return {}


def compile_transform(name: str, args: Any, env: Any) -> Fn:
    definition = REGISTRY[name]
    fn = definition.factory(normalize_args(name, args), env)
    if not definition.elementwise:
        return fn

    def each(value: Any, node: Any, scope: Any) -> Any:
        if isinstance(value, list | tuple):
            out = []
            for item in value:
                if item is None:
                    continue
                mapped = fn(item, node, scope)
                if mapped is not None:
                    out.append(mapped)
            return out
        return fn(value, node, scope)

    return each


# What a transform reads besides its input value. Chains of "value" and "theatre" transforms
# are pure functions of (input, theatre), so the compiler memoises them per distinct input.
_READS_NODE = {"add_minutes", "column_number", "money_format"}
_THEATRE_ARG = {
    "datetime": ("zone", "theatre"),
    "money": ("currency", "theatre"),
    "format_datetime": ("zone", "UTC"),
}


def transform_reads(name: str, args: Any) -> str:
    """ "value", "theatre" (its zone or currency) or "node" (other fields, variables)."""
    if name in _READS_NODE:
        return "node"
    if name in ("sort", "fail", "imported"):
        return "node"
    if name == "money" and isinstance(normalize_args(name, args).get("currency"), dict):
        return "node"
    if name in _THEATRE_ARG:
        arg, default = _THEATRE_ARG[name]
        return "theatre" if normalize_args(name, args).get(arg, default) == "theatre" else "value"
    return "value"


class _Memo(dict):
    """A bounded memo: legacy feeds repeat the same times, prices and codes a lot."""

    def __init__(self, limit: int = 65536):
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


# ------------------------------------------------------------------------------ type coercion
def _simple(fn: Callable[[Any], Any], what: str) -> Fn:
    def run(value: Any, node: Any, scope: Any) -> Any:
        try:
            return fn(value)
        except (TypeError, ValueError, InvalidOperation, ArithmeticError):
            raise FieldError(f"{value!r} is not {what}") from None

    return run


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip()
    return int(text)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t", "on"):
        return True
    if text in ("0", "false", "no", "n", "f", "off", ""):
        return False
    raise ValueError


transform("str", elementwise=True, doc="Text.")(lambda a, e: _simple(str, "text"))
transform("int", elementwise=True, doc="Whole number; '007' -> 7.")(
    lambda a, e: _simple(_to_int, "a whole number")
)
transform("float", elementwise=True, doc="Floating point number.")(
    lambda a, e: _simple(float, "a number")
)
transform("decimal", elementwise=True, doc="Exact decimal number (as text).")(
    lambda a, e: _simple(lambda v: str(Decimal(str(v).strip())), "a decimal number")
)
transform("bool", elementwise=True, doc="true/false, 1/0, yes/no, y/n.")(
    lambda a, e: _simple(_to_bool, "a yes/no value")
)
transform("strip", elementwise=True, doc="Trim spaces.")(
    lambda a, e: _simple(lambda v: str(v).strip(), "text")
)
transform("upper", elementwise=True, doc="Upper case.")(
    lambda a, e: _simple(lambda v: str(v).upper(), "text")
)
transform("lower", elementwise=True, doc="Lower case.")(
    lambda a, e: _simple(lambda v: str(v).lower(), "text")
)
transform(
    "filename_safe",
    elementwise=True,
    doc="Percent-encode all but letters, digits and . _ - ~: a name any file server "
    "takes (no ':' for Windows), and different inputs stay different.",
)(lambda a, e: _simple(lambda v: quote(str(v), safe=""), "text"))


transform(
    "html_unescape",
    elementwise=True,
    doc="Decode HTML entities, named and numeric (&aacute; &#233; &#x2013; &amp;).",
)(lambda a, e: _simple(lambda v: html.unescape(str(v)), "text"))


@transform(
    "language_tag",
    elementwise=True,
    doc="A vendor locale as a BCP 47 tag: pt_PT -> pt-PT, EN-us -> en-US, zh_hant_tw -> "
    "zh-Hant-TW; anything that is not a language tag is refused.",
)
def _language_tag(args: dict, env: Any) -> Fn:
    def run(value: Any, node: Any, scope: Any) -> Any:
        try:
            return bcp47(str(value))
        except ValueError as exc:
            raise FieldError(str(exc)) from None

    return run


_TAG_PART = re.compile(r"^[A-Za-z0-9]{1,8}$")


def bcp47(text: str) -> str:
    """Normalise a locale to BCP 47 case and separators (language lower, script title,
    region upper)."""
    parts = [p for p in re.split(r"[-_]", text.strip()) if p]
    if not parts or not re.fullmatch(r"[A-Za-z]{2,3}", parts[0]):
        raise ValueError(f"{text!r} is not a language tag")
    if not all(_TAG_PART.match(p) for p in parts):
        raise ValueError(f"{text!r} is not a language tag")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


@transform("reverse", doc="Reverse a list (seats numbered right to left).")
def _reverse(args: dict, env: Any) -> Fn:
    return lambda v, n, s: list(reversed(v)) if isinstance(v, list | tuple) else v


@transform(
    "sort",
    params={"by": "spec", "descending": "value"},
    main="by",
    doc="Sort a list by a key read from each item (a path in the item, `.` for the item "
    "itself); numbers sort as numbers.",
)
def _sort(args: dict, env: Any) -> Fn:
    key_of = env.compile_spec(args.get("by", "."), "sort.by")
    descending = bool(args.get("descending", False))

    def run(value: Any, node: Any, scope: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        keys = [key_of(item, scope) for item in value]
        if any(k is None for k in keys):
            raise FieldError("sort: an item has no sort key")
        try:
            numeric = [_num(k) for k in keys]
            pairs = sorted(zip(numeric, range(len(value)), strict=True), reverse=descending)
        except (ValueError, TypeError, InvalidOperation):
            texts = [str(k) for k in keys]
            pairs = sorted(zip(texts, range(len(value)), strict=True), reverse=descending)
        return [value[i] for _, i in pairs]

    return run


@transform(
    "fail",
    params={"reason": "value"},
    main="reason",
    required=("reason",),
    doc="Make the record a dead letter with this reason (when the value is present).",
)
def _fail(args: dict, env: Any) -> Fn:
    reason = str(args["reason"])

    def run(value: Any, node: Any, scope: Any) -> Any:
        raise FieldError(f"{reason} ({value!r})")

    return run


@transform(
    "imported",
    params={"entity": "value", "field": "value", "scope": "spec"},
    required=("entity", "field"),
    doc="Join: a field of a record this import (or an earlier one) already brought, found "
    "by its external id: a show's end from its film's runtime. entity: theatre | movie | "
    "screen | show; scope: the external id's scope (a template), as in its `ref`.",
)
def _imported(args: dict, env: Any) -> Fn:
    entity, name = str(args["entity"]), str(args["field"])
    if entity not in IMPORTED_FIELDS:
        raise ValueError(f"entity must be one of {', '.join(IMPORTED_FIELDS)}")
    if name not in IMPORTED_FIELDS[entity]:
        raise ValueError(f"{entity} has no field {name!r} ({', '.join(IMPORTED_FIELDS[entity])})")
    # Text is a template, as the scope of the entity's `ref` is ("cinema:{Cinema}"), not the
    # path of a column.
    raw_scope = args.get("scope")
    scope_of = (
        None
        if raw_scope is None
        else env.compile_template(raw_scope)
        if isinstance(raw_scope, str)
        else env.compile_spec(raw_scope, "imported.scope")
    )

    def run(value: Any, node: Any, scope: Any) -> Any:
        resolve = scope.ctx.resolver
        if resolve is None:
            raise FieldError(
                f"`imported` reads {entity} records of an import; a dry run has none "
                "(use marquee mapping import on a recording)"
            )
        where = "" if scope_of is None else str(scope_of(node, scope) or "")
        found = resolve(entity, where, str(value), name)
        if found is None:
            raise FieldError(f"no imported {entity} with external id {value!r}")
        return found

    return run


# What `imported` may read, per entity (canonical fields stored with the record).
IMPORTED_FIELDS = {
    "theatre": ("id", "name", "city", "country", "timezone", "currency", "default_language"),
    "movie": ("id", "original_language", "runtime_minutes", "rating", "release_date"),
    "screen": ("id", "name", "layout_id", "theatre_id"),
    "show": ("id", "movie_id", "screen_id", "language", "format", "business_date"),
}


@transform("empty_to_null", elementwise=False, doc="'' and whitespace become missing.")
def _empty(args: dict, env: Any) -> Fn:
    return lambda v, n, s: None if isinstance(v, str) and not v.strip() else v


# ----------------------------------------------------------------------------------- strings
@transform(
    "split",
    params={"sep": "value", "index": "value", "drop_empty": "value"},
    main="sep",
    required=("sep",),
    doc="Split text on `sep`; with `index` keep one part (composite ids).",
)
def _split(args: dict, env: Any) -> Fn:
    sep = args["sep"]
    index = args.get("index")
    drop_empty = args.get("drop_empty", True)

    def run(value: Any, node: Any, scope: Any) -> Any:
        parts = str(value).split(sep)
        if index is not None:
            try:
                return parts[index]
            except IndexError:
                raise FieldError(f"{value!r} has no part {index} when split on {sep!r}") from None
        return [p for p in parts if p.strip()] if drop_empty else parts

    return run


@transform(
    "join",
    params={"sep": "value"},
    main="sep",
    doc="Join a list into text (concatenation), skipping missing parts.",
)
def _join(args: dict, env: Any) -> Fn:
    sep = args.get("sep", "")

    def run(value: Any, node: Any, scope: Any) -> Any:
        if isinstance(value, list | tuple):
            return sep.join(str(v) for v in value if v is not None)
        return str(value)

    return run


REGISTRY["concat"] = REGISTRY["join"].__class__(
    "concat", _join, {"sep": "value"}, "sep", (), False, "Alias of join."
)


@transform(
    "regex",
    params={"pattern": "value", "group": "value", "optional": "value"},
    main="pattern",
    required=("pattern",),
    elementwise=True,
    doc="Extract a regex group (1 by default, or a group name).",
)
def _regex(args: dict, env: Any) -> Fn:
    pattern = re.compile(args["pattern"])
    group = args.get("group", 1 if pattern.groups else 0)
    optional = args.get("optional", False)

    def run(value: Any, node: Any, scope: Any) -> Any:
        match = pattern.search(str(value))
        if not match:
            if optional:
                return None
            raise FieldError(f"{value!r} does not match /{pattern.pattern}/")
        return match.group(group)

    return run


@transform(
    "replace",
    params={"old": "value", "new": "value"},
    required=("old",),
    elementwise=True,
    doc="Replace text.",
)
def _replace(args: dict, env: Any) -> Fn:
    old, new = args["old"], args.get("new", "")
    return lambda v, n, s: str(v).replace(old, new)


@transform(
    "prefix",
    params={"text": "value"},
    main="text",
    required=("text",),
    elementwise=True,
    doc="Put text before the value.",
)
def _prefix(args: dict, env: Any) -> Fn:
    text = str(args["text"])
    return lambda v, n, s: f"{text}{v}"


@transform(
    "suffix",
    params={"text": "value"},
    main="text",
    required=("text",),
    elementwise=True,
    doc="Put text after the value.",
)
def _suffix(args: dict, env: Any) -> Fn:
    text = str(args["text"])
    return lambda v, n, s: f"{v}{text}"


@transform(
    "pad",
    params={"width": "value", "fill": "value"},
    main="width",
    required=("width",),
    elementwise=True,
    doc="Left-pad to a width ('7' -> '0007').",
)
def _pad(args: dict, env: Any) -> Fn:
    width, fill = int(args["width"]), str(args.get("fill", "0"))
    return lambda v, n, s: str(v).rjust(width, fill)


# ------------------------------------------------------------------------------------- lists
@transform("first", doc="First item of a list (missing if empty).")
def _first(args: dict, env: Any) -> Fn:
    return lambda v, n, s: (v[0] if v else None) if isinstance(v, list | tuple) else v


@transform("list", doc="Wrap a single value into a list.")
def _list(args: dict, env: Any) -> Fn:
    return lambda v, n, s: list(v) if isinstance(v, list | tuple) else [v]


@transform("unique", doc="Drop repeated list items, keeping order.")
def _unique(args: dict, env: Any) -> Fn:
    return lambda v, n, s: list(dict.fromkeys(v)) if isinstance(v, list | tuple) else v


@transform("count", doc="Number of items in a list.")
def _count(args: dict, env: Any) -> Fn:
    return lambda v, n, s: len(v) if isinstance(v, list | tuple) else 1


# -------------------------------------------------------------------------------------- maps
def _missing_policy(args: dict, what: str) -> Callable[[Any], Any]:
    policy = args.get("missing", "default" if "default" in args else "error")
    default = args.get("default")
    if policy == "keep":
        return lambda v: v
    if policy == "drop":
        return lambda v: None
    if policy == "default":
        return lambda v: default

    def fail(v: Any) -> Any:
        raise FieldError(f"{v!r} is not in {what}")

    return fail


def key_text(key: Any) -> str:
    """A table key as the mapping's author wrote it: YAML reads `031` as the number 31, but
    the round-trip loader remembers its width, so the key stays `031` (vendor codes keep
    their leading zeros)."""
    width = getattr(key, "_width", None)
    if isinstance(key, int) and not isinstance(key, bool) and width and key >= 0:
        return str(key).zfill(width)
    return str(key)


def _keyed(table: dict) -> dict[str, Any]:
    # Keys are compared as text: a YAML key 0 and a JSON value 0 or an XML "0" all match.
    return {key_text(k): v for k, v in table.items()}


def _table_lookup(table: dict, missing: Callable[[Any], Any]) -> Fn:
    """Value maps, lookup tables and status maps: keys compare as strings."""

    def run(value: Any, node: Any, scope: Any) -> Any:
        try:
            return table[value if isinstance(value, str) else str(value)]
        except KeyError:
            return missing(value)

    return run


@transform(
    "map",
    params={"values": "value", "default": "value", "missing": "value"},
    main="values",
    required=("values",),
    elementwise=True,
    doc="Value map: legacy value -> canonical value.",
)
def _map(args: dict, env: Any) -> Fn:
    return _table_lookup(_keyed(args["values"]), _missing_policy(args, "the value map"))


@transform(
    "lookup",
    params={"table": "value", "default": "value", "missing": "value"},
    main="table",
    required=("table",),
    elementwise=True,
    doc="Look the value up in a lookup table file.",
)
def _lookup(args: dict, env: Any) -> Fn:
    name = args["table"]
    return _table_lookup(_keyed(env.lookup(name)), _missing_policy(args, f"lookup table {name!r}"))


@transform(
    "status_map",
    params={"name": "value", "default": "value", "missing": "value"},
    main="name",
    required=("name",),
    elementwise=True,
    doc="A named status map of the mapping (`status_maps:`), e.g. seat statuses.",
)
def _status_map(args: dict, env: Any) -> Fn:
    name = args["name"]
    return _table_lookup(
        _keyed(env.status_map(name)), _missing_policy(args, f"status map {name!r}")
    )


# ----------------------------------------------------------------------------------- numbers
def _num(value: Any) -> int | float | Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def _arith(op: Callable[[Any, Any], Any], what: str) -> Callable[[dict, Any], Fn]:
    def factory(args: dict, env: Any) -> Fn:
        operand = _num(args["by"])

        def run(value: Any, node: Any, scope: Any) -> Any:
            try:
                result = op(_num(value), operand)
            except (InvalidOperation, ArithmeticError, TypeError, ValueError):
                raise FieldError(f"cannot {what} {value!r}") from None
            if isinstance(result, Decimal | float) and result == int(result):
                return int(result)
            return result

        return run

    return factory


for _name, _op in (
    ("add", lambda a, b: a + b),
    ("multiply", lambda a, b: a * b),
    ("divide", lambda a, b: Decimal(a) / Decimal(b)),
):
    transform(
        _name,
        params={"by": "value"},
        main="by",
        required=("by",),
        elementwise=True,
        doc=f"Arithmetic: {_name} by a constant.",
    )(_arith(_op, _name))


# -------------------------------------------------------------------------------------- time
_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_JAVA_TOKENS = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSS", "%f"),
]
NAMED_FORMATS = ("iso", "msdate", "epoch_s", "epoch_ms")


def java_to_strptime(pattern: str) -> str:
    """`yyyyMMddHHmm` -> `%Y%m%d%H%M`; a pattern with `%` is already strptime."""
    if "%" in pattern:
        return pattern
    out, pos = [], 0
    while pos < len(pattern):
        for token, directive in _JAVA_TOKENS:
            if pattern.startswith(token, pos):
                out.append(directive)
                pos += len(token)
                break
        else:
            out.append(pattern[pos])
            pos += 1
    return "".join(out)


def _fixed_digits(pattern: str) -> Callable[[str], datetime] | None:
    """A fast reader for all-digit patterns such as yyyyMMddHHmm (no strptime)."""
    widths = {"yyyy": 4, "MM": 2, "dd": 2, "HH": 2, "mm": 2, "ss": 2}
    order = re.findall(r"yyyy|MM|dd|HH|mm|ss", pattern)
    if "".join(order) != pattern or order[:3] != ["yyyy", "MM", "dd"]:
        return None
    slices, pos = [], 0
    for token in order:
        slices.append((pos, pos + widths[token]))
        pos += widths[token]
    total = pos

    def read(text: str) -> datetime:
        if len(text) != total or not text.isdigit():
            raise ValueError(f"does not match {pattern}")
        parts = [int(text[a:b]) for a, b in slices]
        return datetime(*parts)

    return read


# One `timezone` object per fixed offset. fromisoformat makes a new (unnamed) timezone for
# every value with an offset other than +00:00, and two aware datetimes with different tzinfo
# objects compare through utcoffset() calls (a show's `end > start` check, sorting): sharing
# the object makes that a plain field comparison. Same offset, same (default) name: the
# values are equal and print the same. Bounded: real offsets are a few dozen.
_SHARED_OFFSETS: dict[timedelta, timezone] = {}


def _shared_offset(value: datetime) -> datetime:
    tz = value.tzinfo
    if tz.__class__ is not timezone or tz is UTC:
        return value
    offset = tz.utcoffset(None)
    shared = _SHARED_OFFSETS.get(offset)
    if shared is None:
        if len(_SHARED_OFFSETS) >= 256 or tz.tzname(None) != timezone(offset).tzname(None):
            return value
        shared = _SHARED_OFFSETS[offset] = tz
    return value if shared is tz else value.replace(tzinfo=shared)


def make_time_reader(fmt: str) -> Callable[[Any], datetime]:
    if fmt == "iso":

        def iso(value: Any) -> datetime:
            text = str(value).strip()
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
            return parsed if parsed.tzinfo is None else _shared_offset(parsed)

        return iso
    if fmt == "msdate":

        def msdate(value: Any) -> datetime:
            match = _MSDATE.match(str(value).strip())
            if not match:
                raise ValueError("not a /Date(ms+hhmm)/ value")
            instant = datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
            if match.group(2):
                sign = 1 if match.group(2)[0] == "+" else -1
                hours, minutes = int(match.group(2)[1:3]), int(match.group(2)[3:5])
                offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
                return _shared_offset(instant.astimezone(offset))
            return instant

        return msdate
    if fmt in ("epoch_s", "epoch_ms"):
        scale = 1000 if fmt == "epoch_ms" else 1

        def epoch(value: Any) -> datetime:
            return datetime.fromtimestamp(float(str(value).strip()) / scale, UTC)

        return epoch
    fast = _fixed_digits(fmt)
    if fast is not None:
        return lambda value: fast(str(value).strip())
    pattern = java_to_strptime(fmt)
    return lambda value: datetime.strptime(str(value).strip(), pattern)


def _zone_resolver(spec: str) -> Callable[[Any], str]:
    if spec == "theatre":
        return lambda scope: scope.zone()
    _zone(spec)  # validate once
    return lambda scope: spec


@transform(
    "datetime",
    params={"format": "value", "zone": "value", "fold": "value"},
    main="format",
    doc="Read a date-time. format: iso | msdate | epoch_s | epoch_ms | a pattern such "
    "as yyyyMMddHHmm or %d/%m/%Y %H:%M. A time without offset is read in `zone` "
    "(theatre by default); a time in a DST gap is refused, a repeated one resolved "
    "by `fold` (earlier | later | raise).",
)
def _datetime(args: dict, env: Any) -> Fn:
    fmt = args.get("format", "iso")
    read = make_time_reader(fmt)
    zone_of = _zone_resolver(args.get("zone", "theatre"))
    fold = args.get("fold", "earlier")
    memo = _Memo()

    def run(value: Any, node: Any, scope: Any) -> Any:
        parsed = value if isinstance(value, datetime) else None
        key = (value, None) if parsed is not None else None
        try:
            if parsed is None:
                parsed = read(value)
            if parsed.tzinfo is not None:
                return parsed
            zone_name = zone_of(scope)
            key = (value, zone_name)
            hit = memo.get(key)
            if hit is not None:
                return hit
            return memo.put(key, localize(parsed, zone_name, fold_policy=fold))
        except FieldError:
            raise
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            raise FieldError(f"{value!r} is not a {fmt} date-time: {exc}") from None

    return run


@transform(
    "date",
    params={"format": "value"},
    main="format",
    doc="Read a calendar date (formats as for datetime; an instant keeps its own offset's date).",
)
def _date(args: dict, env: Any) -> Fn:
    fmt = args.get("format", "iso")
    read = make_time_reader(fmt)

    def run(value: Any, node: Any, scope: Any) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            text = str(value).strip()
            if fmt == "iso" and len(text) == 10:
                return date.fromisoformat(text)
            return read(value).date()
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            raise FieldError(f"{value!r} is not a {fmt} date: {exc}") from None

    return run


@transform(
    "add_minutes",
    params={"minutes": "spec"},
    main="minutes",
    required=("minutes",),
    doc="Add minutes (from another source field) to a date-time: end = start + runtime.",
)
def _add_minutes(args: dict, env: Any) -> Fn:
    minutes_of = env.compile_spec(args["minutes"], "add_minutes.minutes")
    memo = _Memo()

    def run(value: Any, node: Any, scope: Any) -> Any:
        minutes = minutes_of(node, scope)
        if minutes is None:
            raise FieldError("add_minutes: the minutes are missing")
        # Aware datetimes compare by instant, so the key also holds the zone and fold: the
        # result keeps the start's own zone.
        key = (
            value,
            getattr(value, "tzinfo", None),
            getattr(value, "fold", 0),
            minutes,
            minutes.__class__,
        )
        try:
            hit = memo.get(key)
        except TypeError:
            hit = key = None
        if hit is not None:
            return hit
        try:
            delta = timedelta(minutes=int(str(minutes).strip()))
            zone = getattr(value, "tzinfo", None)
            # Elapsed time, not wall-clock time: add in UTC and come back to the start's zone,
            # so a show across the autumn change ends at the right instant and offset.
            result = (value.astimezone(UTC) + delta).astimezone(zone) if zone else value + delta
        except (ValueError, TypeError):
            raise FieldError(f"add_minutes: {minutes!r} is not a number of minutes") from None
        return result if key is None else memo.put(key, result)

    return run


@transform(
    "format_datetime",
    params={"format": "value", "zone": "value"},
    main="format",
    doc="Write a date-time as text (outbound): in `zone` (theatre/UTC/IANA), with a "
    "pattern (yyyyMMddHHmm) or iso.",
)
def _format_datetime(args: dict, env: Any) -> Fn:
    fmt = args.get("format", "iso")
    zone_of = _zone_resolver(args.get("zone", "UTC"))
    pattern = None if fmt == "iso" else java_to_strptime(fmt)

    def run(value: Any, node: Any, scope: Any) -> Any:
        instant = value if isinstance(value, datetime) else make_time_reader("iso")(value)
        if instant.tzinfo is None:
            # A time without offset could be any zone's: read it with `datetime` (which knows
            # the theatre's zone) first; guessing UTC here would shift it silently.
            raise FieldError(f"{value!r} has no UTC offset; refusing to guess its zone")
        local = instant.astimezone(_zone(zone_of(scope)))
        return local.isoformat() if pattern is None else local.strftime(pattern)

    return run


# ------------------------------------------------------------------------------------- money
_MONEY = _Memo()


def money_of(amount: int, currency: str) -> Money:
    key = (amount, currency)
    hit = _MONEY.get(key)
    if hit is None:
        hit = _MONEY.put(key, Money(amount=amount, currency=currency))
    return hit


@transform(
    "money",
    params={"unit": "value", "currency": "value"},
    main="unit",
    doc="Money from minor units (cents) or a decimal string (major units) in the "
    "theatre's currency (or a fixed ISO code).",
)
def _money(args: dict, env: Any) -> Fn:
    unit = args.get("unit", "major")
    currency = args.get("currency", "theatre")
    # The currency may be the record's own: `currency: {path: Cur}` (a field spec).
    currency_of = (
        env.compile_spec(currency, "money.currency") if isinstance(currency, dict) else None
    )
    fixed = None if currency == "theatre" or currency_of else currency
    if fixed:
        exponent(fixed)

    def run(value: Any, node: Any, scope: Any) -> Any:
        if currency_of is not None:
            found = currency_of(node, scope)
            if found is None:
                raise FieldError("money: the record names no currency")
            code = str(found).strip().upper()
            try:
                exponent(code)
            except (KeyError, ValueError):
                raise FieldError(f"money: {code!r} is not an ISO 4217 currency") from None
        else:
            code = fixed or scope.currency()
        try:
            if unit == "minor":
                return money_of(_to_int(value), code)
            text = str(value).strip()
            major = Decimal(text)
            if not major.is_finite():
                raise ValueError
            exp = exponent(code)
            minor = major.scaleb(exp)
            if minor != minor.to_integral_value():
                raise FieldError(f"{value!r} has more decimals than {code} allows ({exp})")
            return money_of(int(minor), code)
        except FieldError:
            raise
        except (ValueError, TypeError, InvalidOperation):
            raise FieldError(f"{value!r} is not a {unit}-unit amount") from None

    return run


@transform(
    "money_format",
    params={"currency": "spec"},
    main="currency",
    doc="Write minor units as a decimal string ('50000' INR -> '500.00'), outbound.",
)
def _money_format(args: dict, env: Any) -> Fn:
    currency_of = env.compile_spec(
        args.get("currency", {"var": "theatre.currency"}), "money_format.currency"
    )

    def run(value: Any, node: Any, scope: Any) -> Any:
        code = currency_of(node, scope)
        exp = exponent(str(code))
        amount = Decimal(_to_int(value)).scaleb(-exp)
        return f"{amount:.{exp}f}"

    return run


# ----------------------------------------------------------------------- seat coordinate rules
def _letters(skip: list[str]) -> list[str]:
    return [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in set(skip)]


@transform(
    "row_letter",
    params={"skip": "value", "start": "value"},
    elementwise=True,
    doc="Row index -> row letter, skipping letters (I and O by default): 8 -> J; "
    "past Z: AA, AB, ...",
)
def _row_letter(args: dict, env: Any) -> Fn:
    alphabet = _letters(args.get("skip", ["I", "O"]))
    start = int(args.get("start", 0))
    size = len(alphabet)

    def run(value: Any, node: Any, scope: Any) -> Any:
        try:
            index = _to_int(value) - start
        except (ValueError, TypeError):
            raise FieldError(f"{value!r} is not a row index") from None
        if index < 0:
            raise FieldError(f"row index {value!r} is below {start}")
        name = ""
        index += 1
        while index:
            index, rem = divmod(index - 1, size)
            name = alphabet[rem] + name
        return name

    return run


@transform(
    "row_index",
    params={"skip": "value", "start": "value"},
    elementwise=True,
    doc="Row letter -> row index (inverse of row_letter): J -> 8.",
)
def _row_index(args: dict, env: Any) -> Fn:
    alphabet = _letters(args.get("skip", ["I", "O"]))
    position = {c: i for i, c in enumerate(alphabet)}
    start = int(args.get("start", 0))

    def run(value: Any, node: Any, scope: Any) -> Any:
        text = str(value).strip().upper()
        number = 0
        for char in text:
            if char not in position:
                skipped = sorted(set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set(alphabet))
                raise FieldError(f"{value!r} is not a row letter (skipping {', '.join(skipped)})")
            number = number * len(alphabet) + position[char] + 1
        if not text:
            raise FieldError("empty row letter")
        return number - 1 + start

    return run


@transform(
    "column_number",
    params={"count": "spec", "order": "value", "start": "value"},
    elementwise=True,
    doc="Column index -> printed seat number. order rtl numbers right to left: with "
    "count 12, index 0 -> 12.",
)
def _column_number(args: dict, env: Any) -> Fn:
    order = args.get("order", "ltr")
    start = int(args.get("start", 1))
    count_of = env.compile_spec(args["count"], "column_number.count") if "count" in args else None

    def run(value: Any, node: Any, scope: Any) -> Any:
        try:
            index = _to_int(value)
        except (ValueError, TypeError):
            raise FieldError(f"{value!r} is not a column index") from None
        if order == "ltr":
            return index + start
        if count_of is None:
            raise FieldError("column_number with order rtl needs `count`")
        count = _to_int(count_of(node, scope))
        if not 0 <= index < count:
            raise FieldError(f"column index {index} is outside a row of {count} seats")
        return count - 1 - index + start

    return run
