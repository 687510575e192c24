"""Fill transport templates: `{$name}` reads a call variable, `{name}` a request field.

The same placeholder syntax as the mapping language (see adapters/mapping), kept here because
adapters fill paths, queries and file names that are not records. Values are URL-quoted by the
REST adapter, not here.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class TemplateError(ValueError):
    pass


def fill(
    template: str, vars: dict[str, Any] | None = None, data: dict[str, Any] | None = None
) -> str:
    vars, data = vars or {}, data or {}

    def one(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        value: Any
        if expr.startswith("$"):
            value = vars.get(expr[1:])
        else:
            value = data
            for part in expr.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        if value is None or value == "":
            raise TemplateError(f"template {template!r}: no value for {expr!r}")
        return str(value)

    return _PLACEHOLDER.sub(one, template)
