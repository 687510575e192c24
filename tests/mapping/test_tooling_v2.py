"""Tooling a mapping author meets first: typed --context values, dead letters written as JSON,
keys that keep their leading zeros, streams of any valid JSON, and errors that name the real
cause."""

from __future__ import annotations

import io
import json

from typer.testing import CliRunner

from adapters.mapping import FieldError, MappingContext, load_mapping
from adapters.mapping.compiler import Compiler
from adapters.mapping.loader import load_lookup
from adapters.mapping.scope import Scope
from adapters.mapping.sources import JsonFormat
from marquee.cli import app

MAPPING = """
version: 2
system: tiny
protocol: rest
lookups: {codes: codes.yaml}
entities:
  movie:
    source: {records: "items[*]"}
    fields:
      id: {derive: mov, from: code}
      title: {localized: {language: {value: en}, text: {path: code, transforms: [{lookup: codes}]}}}
      original_language: {value: en}
      runtime_minutes: {value: 90}
      rating: {path: code, transforms: [{map: {values: {031: A}, missing: keep}}]}
"""


def write(tmp_path) -> str:
    (tmp_path / "codes.yaml").write_text("031: With zero\n007: Bond\n")
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING)
    return str(path)


def test_lookup_and_map_keys_keep_leading_zeros(tmp_path):
    mapping = load_mapping(write(tmp_path))
    body = json.dumps({"items": [{"code": "031"}, {"code": "007"}, {"code": "31"}]})
    result = mapping.read("movie", body, {"connector_id": "t"}, partial=True)
    assert [m.title.values["en"] for m in result.records] == ["With zero", "Bond"]
    assert [m.rating for m in result.records] == ["A", "007"]
    [letter] = result.dead_letters  # 31 is not 031
    assert "'31' is not in lookup table" in letter.reason


def test_lookup_values_are_plain_values_whatever_yaml_wrote(tmp_path):
    table = tmp_path / "flags.yaml"
    table.write_text("Y: &yes true\nS: *yes\nN: false\nP: 1.5\nH: 0x1F\nL: [1, two]\n")
    values = load_lookup(table)
    assert values == {"Y": True, "S": True, "N": False, "P": 1.5, "H": 31, "L": [1, "two"]}
    # An anchored `true` is read as an int subclass: it must reach records as a boolean.
    assert [type(values[k]) for k in ("Y", "S", "P", "H")] == [bool, bool, float, int]
    assert (
        json.dumps(values) == '{"Y": true, "S": true, "N": false, "P": 1.5, "H": 31, '
        '"L": [1, "two"]}'
    )


def test_run_writes_dead_letters_and_types_context(tmp_path):
    path = write(tmp_path)
    payload = tmp_path / "in.json"
    payload.write_text(json.dumps({"items": [{"code": "031"}, {"code": "999"}]}))
    out = tmp_path / "dead.json"
    result = CliRunner().invoke(
        app,
        [
            "mapping",
            "run",
            path,
            "--entity",
            "movie",
            "--input",
            str(payload),
            "--context",
            "theatres.X.timezone=UTC",
            "--context",
            "theatres.X.currency=EUR",
            "--context",
            "theatres.X.cutover_hour=4",  # typed: a whole number, not the text "4"
            "--context",
            "code:str=031",
            "--dead-letters",
            str(out),
        ],
    )
    assert result.exit_code == 2
    [letter] = json.loads(out.read_text())
    assert letter["entity"] == "movie" and "999" in letter["reason"]
    assert "would apply the other 1" in result.stderr
    bad = CliRunner().invoke(
        app,
        [
            "mapping",
            "run",
            path,
            "--entity",
            "movie",
            "--input",
            str(payload),
            "--context",
            "n:int=x",
        ],
    )
    assert bad.exit_code != 0 and "not a int" in bad.stderr


def test_stream_reads_a_pretty_printed_document_and_isolates_bad_lines(tmp_path):
    mapping = load_mapping(write(tmp_path))
    pretty = json.dumps({"items": [{"code": "031"}, {"code": "007"}]}, indent=2).encode()
    items = list(mapping.stream("movie", io.BytesIO(pretty), {"connector_id": "t"}))
    assert len(items) == 2 and all(i.id.startswith("mov_") for i in items)
    lines = b'{"items": [{"code": "031"}]}\n{oops\n{"items": [{"code": "007"}]}\n'
    kinds = [
        type(i).__name__ for i in mapping.stream("movie", io.BytesIO(lines), {"connector_id": "t"})
    ]
    assert kinds == ["Movie", "DeadLetter", "Movie"]


def test_required_field_messages_name_the_real_cause():
    compiler = Compiler(JsonFormat(), {}, {})
    scope = Scope(MappingContext(connector_id="t"), {})
    when = compiler.compile_spec(
        {"path": "v", "required": True, "when": {"path": "k", "equals": "x"}}
    )
    cases = compiler.compile_spec(
        {"required": True, "cases": [{"when": {"path": "v", "equals": "1"}, "then": "v"}]}
    )
    missing = compiler.compile_spec({"path": "v", "required": True})
    for fn, node, expected in (
        (when, {"v": "1", "k": "y"}, "`when` condition did not hold"),
        (cases, {"v": "9"}, "no case matched"),
        (missing, {}, "path `v` is missing or empty"),
    ):
        try:
            fn(node, scope)
        except FieldError as exc:
            assert expected in exc.reason
        else:
            raise AssertionError("no FieldError")


def test_two_cases_of_one_input_get_two_names(tmp_path):
    from adapters.mapping.samples import run_samples

    path = write(tmp_path)
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "in.json").write_text(json.dumps({"items": [{"code": "031"}]}))
    (samples / "samples.yaml").write_text(
        "context: {connector_id: t}\ncases:\n"
        "  - {entity: movie, input: in.json}\n  - {entity: movie, input: in.json, vars: {a: 1}}\n"
    )
    results = run_samples(load_mapping(path), samples, update=True)
    assert [r.name for r in results] == ["in.movie", "in.movie.2"]
