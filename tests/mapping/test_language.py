"""The mapping language's pydantic models: the committed JSON Schema is generated from them,
they accept what the loader accepts, and they, the transform registry and the docs' transform
reference name the same transforms and arguments."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML
from typer.testing import CliRunner

from adapters.mapping import check_mapping
from adapters.mapping.canonical_types import CANONICAL
from adapters.mapping.engine import CAPABILITIES, PROTOCOL_FORMAT
from adapters.mapping.language import MappingDocument
from adapters.mapping.language_schema import SCHEMA_PATH, mapping_json_schema, schema_text
from adapters.mapping.language_transforms import (
    TRANSFORM_ARGUMENTS,
    argument_names,
    transform_description,
)
from adapters.mapping.migrations import migrate
from adapters.mapping.transforms import REGISTRY, normalize_args
from marquee.cli import app

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "mappings").glob("*/mapping.yaml"))
DOC = (ROOT / "docs" / "mapping-language.md").read_text(encoding="utf-8")


def shipped_document(path: Path) -> dict:
    document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    migrate(document)
    return document


# ---------------------------------------------------------------------------- the schema file
def test_the_committed_schema_is_the_models_schema():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "mappings/schema/mapping.schema.json is out of date: run `marquee mapping schema`"
    )


def test_the_schema_command_writes_and_checks(tmp_path):
    target = tmp_path / "mapping.schema.json"
    runner = CliRunner()
    written = runner.invoke(app, ["mapping", "schema", "--out", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text()) == mapping_json_schema()
    assert runner.invoke(app, ["mapping", "schema", "--out", str(target), "--check"]).exit_code == 0

    target.write_text(target.read_text().replace('"minItems": 1', '"minItems": 2', 1))
    stale = runner.invoke(app, ["mapping", "schema", "--out", str(target), "--check"])
    assert stale.exit_code == 1 and "marquee mapping schema" in stale.output
    assert '"minItems": 2' in target.read_text(), "--check must not rewrite the file"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(mapping_json_schema())


def test_the_schema_never_accepts_null_for_a_left_out_key():
    validator = jsonschema.Draft202012Validator(mapping_json_schema())
    base = {"version": 2, "system": "x", "protocol": "rest", "entities": {"show": {"fields": {}}}}
    assert not list(validator.iter_errors(base))
    for bad in (
        {**base, "description": None},
        {**base, "entities": {"show": {"fields": {"id": {"path": None}}}}},
        {**base, "entities": {"show": {"fields": {}, "where": {"equals": None}}}},
    ):
        assert list(validator.iter_errors(bad)), bad
    # The one setting written as null on purpose: a REST body without a result field.
    assert not list(validator.iter_errors({**base, "transport": {"result_field": None}}))


# ------------------------------------------------------------------ the models and the loader
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_shipped_mapping_is_valid_under_the_models_and_the_schema(path):
    document = shipped_document(path)
    # As JSON, like the schema sees it: keys written as numbers (`0: ok`) are text.
    MappingDocument.model_validate_json(json.dumps(document))
    assert not list(jsonschema.Draft202012Validator(mapping_json_schema()).iter_errors(document))
    assert check_mapping(path)[2] == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(protocol="ftp"), "protocol"),
        (lambda d: d["entities"]["show"].update(theater="CinemaId"), "theater"),
        (lambda d: d["entities"]["show"]["fields"].update(id={"pth": "Id"}), "pth"),
        (lambda d: d["entities"]["show"].update(source="Items"), "source"),
        (lambda d: d.update(entities={}), "entities"),
        (lambda d: d.update(capabilities=["hold", "teleport"]), "capabilities"),
        (lambda d: d["entities"]["show"].update(isolation="batch"), "isolation"),
    ],
)
def test_the_models_refuse_what_the_schema_refuses(change, where):
    document = {
        "version": 2,
        "system": "x",
        "protocol": "rest",
        "entities": {"show": {"fields": {"id": "Id"}}},
    }
    change(document)
    errors = list(jsonschema.Draft202012Validator(mapping_json_schema()).iter_errors(document))
    assert errors
    with pytest.raises(ValidationError, match=where):
        MappingDocument.model_validate_json(json.dumps(document))


def test_the_models_enumerate_what_the_engine_knows():
    schema = mapping_json_schema()
    assert schema["$defs"]["entity"]["properties"]["canonical"]["enum"] == list(CANONICAL)
    assert schema["properties"]["protocol"]["enum"] == list(PROTOCOL_FORMAT)
    assert schema["properties"]["capabilities"]["items"]["enum"] == list(CAPABILITIES)


# ----------------------------------------------------------------------------- the transforms
def test_every_registered_transform_has_an_arguments_model():
    assert set(TRANSFORM_ARGUMENTS) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_transforms_model_matches_its_registration(name):
    definition, model = REGISTRY[name], TRANSFORM_ARGUMENTS[name]
    arguments = argument_names(model)
    assert set(arguments) == set(definition.params)
    assert {a for a, required in arguments.items() if required} == set(definition.required)
    assert model.main == definition.main
    assert definition.doc, f"`{name}` has no description"
    for argument, info in model.model_fields.items():
        assert info.description, f"`{name}`'s argument `{argument}` has no description"
    schema_text_of = mapping_json_schema()["$defs"]["transform_object"]["properties"][name]
    assert schema_text_of["description"] == transform_description(name)
    for argument in arguments:
        assert f"`{argument}`" in schema_text_of["description"]


def _reference_rows() -> dict[str, str]:
    """Transform name -> the arguments column of the docs' transform table."""
    table = DOC.split("### Transforms\n", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def test_every_transform_and_argument_is_in_the_docs_reference():
    rows = _reference_rows()
    assert set(REGISTRY) - set(rows) == set(), "transforms missing from the docs' table"
    assert set(rows) - set(REGISTRY) == set(), "the docs' table names unknown transforms"
    for name, model in TRANSFORM_ARGUMENTS.items():
        for argument in argument_names(model):
            assert f"`{argument}`" in rows[name], f"docs: `{name}` lacks its argument `{argument}`"


def _steps(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "transforms" and isinstance(value, list):
                yield from value
            yield from _steps(value)
    elif isinstance(node, list):
        for item in node:
            yield from _steps(item)


def test_the_arguments_models_accept_every_shipped_and_documented_step():
    reference = DOC.split("## Transform reference", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```yaml\n(.*?)```", reference, re.S)
    documents = [shipped_document(p) for p in SHIPPED]
    documents += [YAML(typ="safe").load(block) for block in examples]
    seen = set()
    for step in _steps(documents):
        name, args = (step, None) if isinstance(step, str) else next(iter(step.items()))
        if name not in REGISTRY:
            continue
        TRANSFORM_ARGUMENTS[name].model_validate_json(json.dumps(normalize_args(name, args)))
        seen.add(name)
    assert len(seen) >= 30
