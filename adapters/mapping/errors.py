"""Errors of the mapping language: one `MappingIssue` per mistake in a mapping file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MappingIssue:
    """One mistake in a mapping file, pointing at the line a person has to change.

    `line` and `column` are 1-based (0 when the position is unknown); `path` is the dotted path of
    the offending node (`entities.show.fields.strat_time`); `suggestion` is the nearest valid name.
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path or '<root>'}: {self.message}"
        if self.suggestion:
            text += f" (did you mean `{self.suggestion}`?)"
        return text


class MappingError(Exception):
    """A mapping file that cannot be used. `issues` lists every mistake found."""

    def __init__(self, issues: list[MappingIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid mapping")


class FieldError(Exception):
    """A record that cannot be mapped: raised inside compiled field functions.

    `path` is filled in on the way up (innermost field first) so the dead letter names the field.
    """

    def __init__(self, reason: str, path: str = ""):
        self.reason = reason
        self.path = path
        super().__init__(reason)

    def under(self, name: str) -> FieldError:
        self.path = f"{name}.{self.path}" if self.path else name
        return self
