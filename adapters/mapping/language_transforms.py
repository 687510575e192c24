"""The arguments of every transform, as pydantic models.

A transform step is written `name`, `name: main-argument` or `name: {argument: value}`
(`language_specs.TransformSpec`). Each registered transform (`transforms.REGISTRY`, which
holds its one-line description and compiles it) has an arguments model here; a test keeps
the names, arguments, required arguments and main argument of the two equal, and the
transform reference in docs/mapping-language.md listing them all. The schema names each
transform with its description and arguments, so an editor completes and explains them; the
arguments themselves are checked by the loader, whose messages name the transform.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from adapters.mapping.language_specs import FieldSpec, Spec
from adapters.mapping.transforms import REGISTRY

_MISSING = (
    "What a value not in the table gives: error (a dead letter, the default unless `default` "
    "is given), keep, drop, or default"
)


class TransformArguments(Spec):
    """A transform's arguments; `main` is the one a bare value fills (`split: "|"`)."""

    main: ClassVar[str | None] = None


class NoArguments(TransformArguments):
    pass


class SortArguments(TransformArguments):
    main = "by"
    by: FieldSpec | None = Field(None, description="The key, read on each item (`.`: the item)")
    descending: bool | None = Field(None, description="Largest first")


class FailArguments(TransformArguments):
    main = "reason"
    reason: str = Field(description="The dead letter's reason")


class ImportedArguments(TransformArguments):
    entity: Literal["theatre", "movie", "screen", "show"] = Field(
        description="The kind of record joined, found by the value as its external id"
    )
    field: str = Field(description="The joined record's field to give")
    scope: FieldSpec | None = Field(None, description="The external id's scope, as in its `ref`")


class SplitArguments(TransformArguments):
    main = "sep"
    sep: str = Field(description="The separator")
    index: int | None = Field(None, description="Keep only this part (0 is the first)")
    drop_empty: bool | None = Field(None, description="Leave out empty parts (default true)")


class JoinArguments(TransformArguments):
    main = "sep"
    sep: str | None = Field(None, description="Put between the parts (default none)")


class RegexArguments(TransformArguments):
    main = "pattern"
    pattern: str = Field(description="A Python regular expression, searched in the value")
    group: int | str | None = Field(None, description="The group kept: a number or a name")
    optional: bool | None = Field(None, description="No match gives a missing value")


class ReplaceArguments(TransformArguments):
    old: str = Field(description="The text replaced")
    new: str | None = Field(None, description="Its replacement (default: nothing)")


class TextArguments(TransformArguments):
    main = "text"
    text: str = Field(description="The text added")


class PadArguments(TransformArguments):
    main = "width"
    width: int = Field(description="The width to reach")
    fill: str | None = Field(None, description="The padding character (default 0)")


class MapArguments(TransformArguments):
    main = "values"
    values: dict[str, Any] = Field(description="Legacy value -> canonical value")
    default: Any = Field(None, description="What a value not in the table gives")
    missing: Literal["error", "keep", "drop", "default"] | None = Field(None, description=_MISSING)


class LookupArguments(TransformArguments):
    main = "table"
    table: str = Field(description="A table declared under `lookups:`")
    default: Any = Field(None, description="What a value not in the table gives")
    missing: Literal["error", "keep", "drop", "default"] | None = Field(None, description=_MISSING)


class StatusMapArguments(TransformArguments):
    main = "name"
    name: str = Field(description="A map declared under `status_maps:`")
    default: Any = Field(None, description="What a status not in the map gives")
    missing: Literal["error", "keep", "drop", "default"] | None = Field(None, description=_MISSING)


class ArithmeticArguments(TransformArguments):
    main = "by"
    by: float = Field(description="The constant")


class DatetimeArguments(TransformArguments):
    main = "format"
    format: str | None = Field(
        None,
        description="iso (default), msdate, epoch_s, epoch_ms, or a Java-style or % pattern",
    )
    zone: str | None = Field(
        None, description="The zone of a time without offset: theatre (default), UTC or IANA"
    )
    fold: Literal["earlier", "later", "raise"] | None = Field(
        None, description="Which of a repeated local time (a DST change) is meant"
    )


class DateArguments(TransformArguments):
    main = "format"
    format: str | None = Field(None, description="As for datetime")


class AddMinutesArguments(TransformArguments):
    main = "minutes"
    minutes: FieldSpec = Field(description="The minutes added, read from the record")


class FormatDatetimeArguments(TransformArguments):
    main = "format"
    format: str | None = Field(None, description="iso (default) or a pattern (yyyyMMddHHmm)")
    zone: str | None = Field(None, description="Written in: UTC (default), theatre or IANA")


class MoneyArguments(TransformArguments):
    main = "unit"
    unit: Literal["minor", "major"] | None = Field(
        None, description="minor: whole cents (default); major: a decimal string"
    )
    currency: str | FieldSpec | None = Field(
        None, description="theatre (default), an ISO code, or a field spec (the record's own)"
    )


class MoneyFormatArguments(TransformArguments):
    main = "currency"
    currency: FieldSpec | None = Field(None, description="The currency (default: the theatre's)")


class RowArguments(TransformArguments):
    skip: list[str] | None = Field(None, description="Letters not used for rows (default I, O)")
    start: int | None = Field(None, description="The index of row A (default 0)")


class ColumnNumberArguments(TransformArguments):
    count: FieldSpec | None = Field(None, description="The row's seat count (needed by rtl)")
    order: Literal["ltr", "rtl"] | None = Field(None, description="ltr (default) or rtl")
    start: int | None = Field(None, description="The first printed number (default 1)")


_NO_ARGUMENTS = (
    *("str", "int", "float", "decimal", "bool", "strip", "upper", "lower", "empty_to_null"),
    *("filename_safe", "html_unescape", "language_tag"),
    *("reverse", "first", "list", "unique", "count"),
)

TRANSFORM_ARGUMENTS: dict[str, type[TransformArguments]] = {
    **dict.fromkeys(_NO_ARGUMENTS, NoArguments),
    "sort": SortArguments,
    "fail": FailArguments,
    "imported": ImportedArguments,
    "split": SplitArguments,
    "join": JoinArguments,
    "concat": JoinArguments,
    "regex": RegexArguments,
    "replace": ReplaceArguments,
    "prefix": TextArguments,
    "suffix": TextArguments,
    "pad": PadArguments,
    "map": MapArguments,
    "lookup": LookupArguments,
    "status_map": StatusMapArguments,
    "add": ArithmeticArguments,
    "multiply": ArithmeticArguments,
    "divide": ArithmeticArguments,
    "datetime": DatetimeArguments,
    "date": DateArguments,
    "add_minutes": AddMinutesArguments,
    "format_datetime": FormatDatetimeArguments,
    "money": MoneyArguments,
    "money_format": MoneyFormatArguments,
    "row_letter": RowArguments,
    "row_index": RowArguments,
    "column_number": ColumnNumberArguments,
}


def argument_names(model: type[TransformArguments]) -> dict[str, bool]:
    """Argument name -> required, as a mapping writes them."""
    return {info.alias or name: info.is_required() for name, info in model.model_fields.items()}


def transform_description(name: str) -> str:
    """The transform's description with its arguments, as the schema gives it to editors."""
    model = TRANSFORM_ARGUMENTS[name]
    text = REGISTRY[name].doc
    parts = []
    for argument, info in model.model_fields.items():
        notes = [info.description or ""]
        if info.is_required():
            notes.append("required")
        if argument == model.main:
            notes.append(f"`{name}: x` gives it")
        parts.append(f"`{argument}`: " + "; ".join(n for n in notes if n))
    if parts:
        text += " Arguments: " + ". ".join(parts) + "."
    return text


def transforms_schema() -> dict[str, Any]:
    """The schema's description of transform steps: one property per transform name. A
    property schema without keywords validates nothing; it names and explains."""
    return {
        "description": "A transform with its arguments: `name: value` (the main argument) or "
        "`name: {argument: value}`",
        "properties": {
            name: {"description": transform_description(name)} for name in sorted(REGISTRY)
        },
    }
