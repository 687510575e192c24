"""The mapping language's field specs, conditions and transform steps, as pydantic models.

These models describe what a mapping file may say; `language_schema.py` turns them into the
JSON Schema the loader validates with (and editors complete from). What no schema can say (one
source per field, paths that parse, a transform's arguments, canonical field names) is checked
by the loader, and the compiler gives a spec its meaning.

Every optional key defaults to `None`, which stands for "not written": the schema leaves
`null` out, so `path: null` in a mapping is refused as before.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

_PATH = "JSON path, XPath or CSV column (name or #N)"
_VAR = "A context variable (connector_id, cinema_id, theatre.timezone, ...)"
_TEMPLATE = "Text with {path} and {$var} placeholders"


class Spec(BaseModel):
    """A mapping-file object: an unknown key is a mistake (the loader suggests the nearest)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Case(Spec):
    when: ConditionSpec
    then: FieldSpec


class Localized(Spec):
    each: str | None = None
    language: FieldSpec
    text: FieldSpec


class FieldObject(Spec):
    """A field written as a mapping: one source (path, value, template, ...) and modifiers."""

    model_config = ConfigDict(title="field_object")

    path: str | None = Field(None, description=_PATH)
    value: Any = Field(None, description="A constant")
    var: str | None = Field(None, description=_VAR)
    template: str | None = Field(None, description=_TEMPLATE)
    paths: list[FieldSpec] | None = None
    first_of: Annotated[list[FieldSpec], Field(min_length=1)] | None = None
    cases: Annotated[list[Case], Field(min_length=1)] | None = None
    else_: FieldSpec | None = Field(None, alias="else")
    each: str | FieldObject | None = Field(
        None,
        description="Nested list: a path, '.', '@group' (the rows of a group), or a field "
        "giving a list",
    )
    item: FieldSpec | None = None
    fields: dict[str, FieldSpec] | None = None
    let: dict[str, FieldSpec] | None = None
    where: ConditionSpec | None = None
    group_by: FieldSpec | None = None
    localized: Localized | Annotated[list[Localized], Field(min_length=1)] | None = Field(
        None,
        description="Text in a language, or a list of them (several languages from one record)",
    )
    derive: str | None = Field(None, description="Canonical id prefix: mov, thr, scr, lay, shw")
    from_: FieldSpec | None = Field(None, alias="from")
    scope: FieldSpec | None = None
    ref: FieldSpec | None = None
    transforms: list[TransformSpec] | None = None
    default: Any = None
    when: ConditionSpec | None = None
    required: bool | None = None
    fail: str | None = Field(
        None,
        min_length=1,
        description="The record is a dead letter with this reason (use inside cases)",
    )


class FieldSpec(RootModel[str | float | bool | FieldObject]):
    """A field: a path (`Name`), a constant, or a mapping with one source and modifiers."""

    model_config = ConfigDict(title="field")


class ConditionObject(Spec):
    """A source plus one test, or `all` / `any` / `not` of conditions."""

    model_config = ConfigDict(title="condition_object")

    path: str | None = Field(None, description=_PATH)
    value: Any = Field(None, description="A constant")
    var: str | None = Field(None, description=_VAR)
    template: str | None = Field(None, description=_TEMPLATE)
    transforms: list[TransformSpec] | None = None
    equals: str | float | bool | None = None
    not_equals: str | float | bool | None = None
    in_: list[str | float | bool] | None = Field(None, alias="in")
    not_in: list[str | float | bool] | None = None
    matches: str | None = None
    exists: bool | None = None
    missing: bool | None = None
    empty: bool | None = None
    not_empty: bool | None = None
    all_: list[ConditionSpec] | None = Field(None, alias="all")
    any_: list[ConditionSpec] | None = Field(None, alias="any")
    not_: ConditionSpec | None = Field(None, alias="not")


class ConditionSpec(RootModel[bool | ConditionObject]):
    model_config = ConfigDict(title="condition")


class TransformObject(RootModel[Annotated[dict[str, Any], Field(min_length=1, max_length=1)]]):
    """`name: argument` or `name: {argument: value}`: one key, the transform's name."""

    model_config = ConfigDict(title="transform_object")


class TransformSpec(RootModel[str | TransformObject]):
    """A transform step: a bare name (`int`) or one `name: arguments` pair."""

    model_config = ConfigDict(title="transform")


for _model in (Case, Localized, FieldObject, ConditionObject):
    _model.model_rebuild()
