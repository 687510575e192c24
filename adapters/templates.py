"""Fill transport templates: `{$name}` reads a call variable, `{name}` a request field.

The same placeholder syntax as the mapping language (see adapters/mapping), kept here because
adapters fill paths, queries and file names that are not records. Values are URL-quoted by the
REST adapter, not here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class TemplateError(ValueError):
    pass


def fill(
    template: str, vars: dict[str, Any] | None = None, data: dict[str, Any] | None = None
) -> str:
    vars, data = vars or {}, data or {}

    def one(match: re.Match[str]) -> str:
        expr, _, spec = match.group(1).strip().partition(":")
        value: Any
        if expr.startswith("$"):
            value = vars.get(expr[1:])
        else:
            value = data
            for part in expr.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        if value is None or value == "":
            raise TemplateError(f"template {template!r}: no value for {expr!r}")
        if spec:
            return format_value(value, spec, vars.get("timezone"), template)
        return str(value)

    return _PLACEHOLDER.sub(one, template)


def format_value(value: Any, spec: str, zone: str | None = None, template: str = "") -> str:
    """A date or time in the vendor's request format: `{$from_date:%Y%m%d}` (strftime),
    `{$from_date:epoch}` / `epoch_ms` (a date is its midnight in the theatre's zone, the call
    variable `timezone`, else UTC). Values may be ISO strings, dates or datetimes."""
    when: Any = value
    if isinstance(value, str):
        try:
            when = (
                datetime.fromisoformat(value)
                if "T" in value or " " in value
                else date.fromisoformat(value)
            )
        except ValueError:
            raise TemplateError(
                f"template {template!r}: {value!r} is not a date to format as {spec!r}"
            ) from None
    if not isinstance(when, date):
        raise TemplateError(f"template {template!r}: {value!r} is not a date")
    if spec in ("epoch", "epoch_ms"):
        if not isinstance(when, datetime):
            when = datetime.combine(when, time(0))
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
        seconds = when.timestamp()
        return str(int(seconds * 1000) if spec == "epoch_ms" else int(seconds))
    return when.strftime(spec)
