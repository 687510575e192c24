"""One test per class of mapping mistake: exact line, path and suggestion, one message each."""

from __future__ import annotations

import pytest

from adapters.mapping import MappingError, check_mapping, load_mapping

BASE = """\
version: 2
system: minimal
protocol: rest
lookups:
  formats: formats.yaml
status_maps:
  seat: {0: available, 1: sold}
entities:
  show:
    source: {records: "Items[*]"}
    theatre: CinemaId
    transport: {path: /sessions}
    fields:
      id: {derive: shw, from: SessionId}
      movie_id: {derive: mov, from: FilmCode}
      theatre_id: {derive: thr, from: CinemaId}
      screen_id: {derive: scr, from: ScreenNumber}
      start: {path: Showtime, transforms: [datetime]}
      end: {path: EndTime, transforms: [datetime]}
      language: Language
      format: {path: Format, transforms: [{lookup: formats}]}
"""


def issues_of(write_mapping, tmp_path, text):
    (tmp_path / "formats.yaml").write_text("3D: 3D\n2D: 2D\n")
    _, _, issues = check_mapping(write_mapping(text))
    return issues


def only(issues):
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


def test_base_mapping_is_valid(write_mapping, tmp_path):
    assert issues_of(write_mapping, tmp_path, BASE) == []


def test_unknown_canonical_field(write_mapping, tmp_path):
    text = BASE.replace("      start: {path", "      strat_time: {path")
    issues = issues_of(write_mapping, tmp_path, text)
    unknown = [i for i in issues if "not a field" in i.message]
    issue = only(unknown)
    assert (issue.line, issue.column) == (18, 7)
    assert issue.path == "entities.show.fields.strat_time"
    assert issue.suggestion == "start"
    assert "did you mean `start`?" in str(issue)
    assert str(issue).startswith(f"{issue.file}:18:7: ")
    missing = [i for i in issues if "missing required field `start`" in i.message]
    assert len(missing) == 1 and missing[0].path == "entities.show.fields"


def test_missing_required_field(write_mapping, tmp_path):
    text = BASE.replace("      language: Language\n", "")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "missing required field `language` of canonical Show"
    assert (issue.line, issue.path) == (13, "entities.show.fields")


def test_unknown_transform(write_mapping, tmp_path):
    text = BASE.replace("transforms: [datetime]}\n      end", "transforms: [datetim]}\n      end")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "unknown transform `datetim`"
    assert issue.suggestion == "datetime"
    assert issue.line == 18 and issue.path == "entities.show.fields.start.transforms.0"


def test_unknown_transform_argument(write_mapping, tmp_path):
    text = BASE.replace("[{lookup: formats}]", "[{lookup: {table: formats, mising: keep}}]")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "`lookup` has no argument `mising`"
    assert issue.suggestion == "missing"
    assert issue.path == "entities.show.fields.format.transforms.0.lookup.mising"
    assert issue.line == 21


def test_lookup_table_file_missing(write_mapping, tmp_path):
    text = BASE.replace("formats: formats.yaml", "formats: format.yaml")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "lookup table file `format.yaml` does not exist"
    assert issue.suggestion == "formats.yaml"
    assert (issue.line, issue.column, issue.path) == (5, 3, "lookups.formats")


def test_lookup_table_not_declared(write_mapping, tmp_path):
    text = BASE.replace("[{lookup: formats}]", "[{lookup: format}]")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert "lookup table `format` is not declared" in issue.message
    assert issue.suggestion == "formats" and issue.line == 21


def test_unknown_key_in_schema(write_mapping, tmp_path):
    text = BASE.replace("    theatre: CinemaId", "    theater: CinemaId")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "unknown key `theater`"
    assert issue.suggestion == "theatre"
    assert (issue.line, issue.column, issue.path) == (11, 5, "entities.show.theater")


def test_unknown_key_in_field_spec_no_anyof_noise(write_mapping, tmp_path):
    text = BASE.replace("language: Language", "language: {pth: Language}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "unknown key `pth`"
    assert issue.suggestion == "path"
    assert issue.path == "entities.show.fields.language.pth" and issue.line == 20
    assert "anyOf" not in issue.message and "is not valid under" not in issue.message


def test_wrong_enum_value(write_mapping, tmp_path):
    text = BASE.replace("protocol: rest", "protocol: rst")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.suggestion == "rest" and issue.line == 3 and issue.path == "protocol"


def test_wrong_type(write_mapping, tmp_path):
    text = BASE.replace('    source: {records: "Items[*]"}', "    source: Items")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "expected object, got text"
    assert (issue.line, issue.path) == (10, "entities.show.source")


def test_transform_with_two_keys(write_mapping, tmp_path):
    text = BASE.replace("[{lookup: formats}]", "[{regex: '(x)', group: 1}]")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert "a transform is a name or one `name: arguments` pair" in issue.message
    assert issue.path == "entities.show.fields.format.transforms.0" and issue.line == 21


def test_field_with_two_sources(write_mapping, tmp_path):
    text = BASE.replace("language: Language", "language: {path: Language, value: ta}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert "exactly one source" in issue.message and "2 sources (path, value)" in issue.message
    assert issue.line == 20


def test_unknown_entity_and_prefix_and_status(write_mapping, tmp_path):
    text = BASE.replace("  show:\n", "  shows:\n")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.suggestion == "show" and issue.path == "entities.shows" and issue.line == 9

    text = BASE.replace("{derive: shw, from: SessionId}", "{derive: show, from: SessionId}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.suggestion == "shw" and issue.path == "entities.show.fields.id.derive"

    text = BASE.replace("1: sold}", "1: sould}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.suggestion == "sold" and issue.path == "status_maps.seat.1" and issue.line == 7


def test_bad_path_expression(write_mapping, tmp_path):
    text = (
        BASE.replace("protocol: rest", "protocol: soap")
        .replace('records: "Items[*]"', 'records: "//Session["')
        .replace("transport: {path: /sessions}", "transport: {operation: GetSessions}")
    )
    issues = issues_of(write_mapping, tmp_path, text)
    issue = only([i for i in issues if "records" in i.path])
    assert issue.message.startswith("bad XML path `//Session[`")
    assert issue.line == 10


def test_transport_setting_of_another_protocol(write_mapping, tmp_path):
    text = BASE.replace("transport: {path: /sessions}", "transport: {path: /s, operaton: X}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "unknown key `operaton`" and issue.suggestion == "operation"
    text = BASE.replace("transport: {path: /sessions}", "transport: {path: /s, file_glob: x}")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message == "`file_glob` is not a rest transport setting"
    assert issue.path == "entities.show.transport.file_glob" and issue.line == 12


def test_operation_name(write_mapping, tmp_path):
    text = BASE + "operations:\n  hodl:\n    request: {fields: {Id: request_id}}\n"
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.suggestion == "hold" and issue.path == "operations.hodl" and issue.line == 23


def test_version_problems(write_mapping, tmp_path):
    issue = only(issues_of(write_mapping, tmp_path, BASE.replace("version: 2", "version: 9")))
    assert "newer than this engine" in issue.message and issue.line == 1
    issue = only(issues_of(write_mapping, tmp_path, BASE.replace("version: 2\n", "")))
    assert "missing or non-integer `version`" in issue.message


def test_yaml_syntax_error(write_mapping, tmp_path):
    text = BASE.replace("      language: Language", "      language: [Language")
    issue = only(issues_of(write_mapping, tmp_path, text))
    assert issue.message.startswith("not valid YAML")
    assert issue.line >= 20


def test_load_mapping_raises_with_all_issues(write_mapping, tmp_path):
    text = BASE.replace("theatre: CinemaId", "theater: CinemaId").replace(
        "language: Language", "language: {pth: Language}"
    )
    (tmp_path / "formats.yaml").write_text("3D: 3D\n")
    with pytest.raises(MappingError) as info:
        load_mapping(write_mapping(text))
    assert [i.suggestion for i in info.value.issues] == ["theatre", "path"]
    assert "did you mean `theatre`?" in str(info.value)


def test_cli_validate_reports_file_line_column(write_mapping, tmp_path):
    from typer.testing import CliRunner

    from marquee.cli import app

    (tmp_path / "formats.yaml").write_text("3D: 3D\n")
    path = write_mapping(BASE.replace("      start: {path", "      strat_time: {path"))
    result = CliRunner().invoke(app, ["mapping", "validate", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:18:7: entities.show.fields.strat_time: `strat_time` is not a field of "
        "canonical Show (did you mean `start`?)" in result.output
    )
