"""Reading a whole response body outside the record mapping: the adapters need a few values
of a page (the next cursor, a result flag, how many records it held) before the mapping sees
it. The same formats and paths as the entity's records (JSON path, XPath with the mapping's
namespaces, CSV), so a paging or result path is written like any field path."""

from __future__ import annotations

from typing import Any

from adapters.mapping.sources import CsvFormat, InputError


class BodyReader:
    def __init__(self, fmt: Any, records: Any) -> None:
        self.fmt = fmt
        self.format = fmt.name
        self._records = records
        self._getters: dict[str, Any] = {}

    def parse(self, content: bytes) -> Any:
        """The parsed body; raises `InputError` when it is not the declared format."""
        doc = self.fmt.parse(content)
        if isinstance(self.fmt, CsvFormat):
            return list(self.fmt.rows(doc))
        return doc

    def value(self, doc: Any, expr: str) -> Any:
        """The value at `expr` (a JSON path or an XPath), None when absent or empty."""
        if isinstance(self.fmt, CsvFormat):
            raise ValueError("a CSV body has no paths; read the value from a header")
        getter = self._getters.get(expr)
        if getter is None:
            getter = self._getters[expr] = self.fmt.getter(expr)
            if getattr(getter, "scoped", False):
                raise ValueError(f"{expr!r}: body paths cannot use $variables")
        value = getter(doc)
        if isinstance(value, str):
            value = value.strip()
        return None if value in ("", [], None) else value

    def count(self, doc: Any, expr: str | None = None) -> int:
        """How many records the body holds (the entity's records path unless `expr`)."""
        if isinstance(self.fmt, CsvFormat):
            return sum(1 for row in doc if not isinstance(row, Exception))
        lister = self.fmt.lister(expr) if expr else self._records
        return len(lister(doc)) if lister is not None else 0


__all__ = ["BodyReader", "InputError"]
