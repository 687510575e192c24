"""A mapping checked as text (the admin panel's editor) is checked as the same file would be, and
saved as is it has the same fingerprint. `confine` adds the rules for a mapping written over the
API: lookup tables inside the folder, calls only to the connector's endpoint. A text whose YAML
aliases expand without end is refused before anything walks it."""

from __future__ import annotations

import pytest

from adapters.mapping import (
    MappingError,
    check_mapping,
    check_mapping_text,
    load_mapping,
    load_mapping_text,
)
from tests.mapping.conftest import MAPPINGS

SYSTEMS = ["restline", "soapbox", "reelfeed", "cuecloud", "filmdrop", "tickettorre"]


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_shipped_mapping_as_text_is_what_its_file_is_even_confined(system):
    path = MAPPINGS / system / "mapping.yaml"
    text = path.read_text(encoding="utf-8")
    mapping = load_mapping_text(text, base_dir=path.parent, confine=MAPPINGS)
    assert mapping.fingerprint == load_mapping(path).fingerprint
    assert list(mapping.entities) == list(load_mapping(path).entities)


def test_text_and_file_report_the_same_issues(tmp_path):
    path = MAPPINGS / "restline" / "mapping.yaml"
    broken = path.read_text().replace("where: {path: EventType", "whre: {path: EventType")
    (tmp_path / "restline").mkdir()
    (tmp_path / "restline" / "mapping.yaml").write_text(broken)
    (tmp_path / "lookups").symlink_to(MAPPINGS / "lookups")
    from_file = check_mapping(tmp_path / "restline" / "mapping.yaml")[2]
    from_text = check_mapping_text(broken, base_dir=path.parent, file="x")[2]
    assert [(i.line, i.column, i.path, i.message, i.suggestion) for i in from_file] == [
        (i.line, i.column, i.path, i.message, i.suggestion) for i in from_text
    ]
    assert from_text[0].suggestion == "where" and from_text[0].file == "x"


@pytest.mark.parametrize(
    ("system", "old", "new", "path"),
    [
        ("restline", "../lookups/formats.yaml", "../../pyproject.toml", "lookups.formats"),
        ("restline", "../lookups/formats.yaml", "/etc/hostname", "lookups.formats"),
        ("restline", "base_path: /api/v1", "base_path: http://10.0.0.1", "transport.base_path"),
        ("restline", "base_path: /api/v1", "base_path: .internal.example", "transport.base_path"),
        (
            "cuecloud",
            "path: /titles",
            "path: https://169.254.169.254/titles",
            "entities.movie.transport.path",
        ),
        (
            "soapbox",
            "wsdl: /TicketingService?wsdl",
            "wsdl: http://10.0.0.1/x?wsdl",
            "transport.wsdl",
        ),
    ],
)
def test_confined_a_mapping_reads_no_file_and_calls_no_host_of_its_own(system, old, new, path):
    original = (MAPPINGS / system / "mapping.yaml").read_text()
    assert old in original
    text = original.replace(old, new, 1)
    base = MAPPINGS / system
    # Unconfined (the operator's own file), only the missing lookup table is a problem.
    assert all(i.path.startswith("lookups") for i in check_mapping_text(text, base_dir=base)[2])
    issues = check_mapping_text(text, base_dir=base, confine=MAPPINGS)[2]
    assert [i.path for i in issues] == [path], issues
    assert issues[0].line == text[: text.index(new)].count("\n") + 1


def test_yaml_aliases_that_expand_without_end_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    with pytest.raises(MappingError) as err:
        load_mapping_text("\n".join(lines), base_dir=MAPPINGS)
    assert "more than 200000 values" in str(err.value)
    nested = "version: 2\nsystem: " + "[" * 200 + "]" * 200
    (issue,) = check_mapping_text(nested, base_dir=MAPPINGS)[2]
    assert issue.message == "the mapping nests deeper than 64 levels"
    # Deeper than the YAML parser itself goes: an issue too, not a crash.
    nested = "version: 2\nsystem: " + "[" * 1000 + "]" * 1000
    (issue,) = check_mapping_text(nested, base_dir=MAPPINGS)[2]
    assert issue.message.startswith("not valid YAML")


def test_a_lookup_table_that_is_not_yaml_is_an_issue_not_a_crash(tmp_path):
    (tmp_path / "table.yaml").write_text('requires = ["x"]\n[tool]\nname: 1\n')
    text = (MAPPINGS / "restline" / "mapping.yaml").read_text()
    text = text.replace("../lookups/formats.yaml", "table.yaml")
    issues = check_mapping_text(text, base_dir=tmp_path)[2]
    assert [(i.path, i.message.split(":")[0]) for i in issues if i.path == "lookups.formats"] == [
        ("lookups.formats", "lookup table `table.yaml` is not YAML")
    ]
