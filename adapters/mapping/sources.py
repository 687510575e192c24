"""Source formats: how records are found in a payload and how a path reads a value.

Each format compiles path expressions once into plain functions:
- `getter(expr)` -> fn(node) -> value (None when absent),
- `lister(expr)` -> fn(node) -> list of nodes.

Nodes are what the format naturally yields: dicts/lists for JSON, lxml elements for XML and
dicts keyed by header name for CSV. Whole-payload failures (malformed input, an XML DTD, a
decoding error) raise `InputError`, which the engine turns into one dead letter.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from lxml import etree

Getter = Callable[[Any], Any]
Lister = Callable[[Any], list]

# Default ceiling for a payload read whole (`Mapping.read`); streams are bounded per record.
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """A payload (or the rest of a stream) that cannot be parsed at all."""

    def __init__(self, reason: str, payload: str = "", where: str = "$"):
        self.reason = reason
        self.payload = payload
        self.where = where
        super().__init__(reason)


def _text_preview(payload: Any, limit: int = 4096) -> str:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload[:limit]).decode("utf-8", "replace")
    if isinstance(payload, str):
        return payload[:limit]
    try:
        return json.dumps(payload, ensure_ascii=False, default=str)[:limit]
    except (TypeError, ValueError):
        return repr(payload)[:limit]


# --------------------------------------------------------------------------------------- JSON
_JSON_STEP = re.compile(r"([^.\[\]]+)|\[(\*|-?\d+)\]")


def parse_json_path(expr: str) -> list[tuple[str, Any]]:
    """`$.Items[*].Prices[0].Code` -> [("key","Items"),("all",None),("key","Prices"),...]."""
    text = expr.strip()
    if text in ("", "$", ".", "@"):
        return []
    if text.startswith("$."):
        text = text[2:]
    elif text.startswith("$"):
        text = text[1:]
    steps: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        match = _JSON_STEP.match(text, pos)
        if not match:
            raise ValueError(f"bad JSON path {expr!r} at character {pos + 1}")
        if match.group(1) is not None:
            steps.append(("key", match.group(1)))
        elif match.group(2) == "*":
            steps.append(("all", None))
        else:
            steps.append(("index", int(match.group(2))))
        pos = match.end()
    return steps


def _walk(node: Any, steps: list[tuple[str, Any]]) -> tuple[list, bool]:
    current = [node]
    multi = False
    for kind, arg in steps:
        nxt = []
        for item in current:
            if kind == "key":
                if isinstance(item, dict) and arg in item:
                    nxt.append(item[arg])
            elif kind == "index":
                if isinstance(item, list) and -len(item) <= arg < len(item):
                    nxt.append(item[arg])
            else:
                multi = True
                if isinstance(item, list):
                    nxt.extend(item)
                elif isinstance(item, dict):
                    nxt.extend(item.values())
        current = nxt
    return current, multi


def _walk_with_parents(node: Any, steps: list[tuple[str, Any]]) -> list[tuple[Any, tuple]]:
    """Like `_walk`, keeping each result's enclosing objects, nearest first."""
    current: list[tuple[Any, tuple]] = [(node, ())]
    for kind, arg in steps:
        nxt: list[tuple[Any, tuple]] = []
        for item, parents in current:
            inner = (item, *parents) if isinstance(item, dict) else parents
            if kind == "key":
                if isinstance(item, dict) and arg in item:
                    nxt.append((item[arg], inner))
            elif kind == "index":
                if isinstance(item, list) and -len(item) <= arg < len(item):
                    nxt.append((item[arg], inner))
            elif isinstance(item, list):
                nxt.extend((x, inner) for x in item)
            elif isinstance(item, dict):
                nxt.extend((x, inner) for x in item.values())
        current = nxt
    return current


_PARENT = re.compile(r"^(\^+)\.?(.*)$")


class JsonFormat:
    name = "json"

    def __init__(self, options: dict[str, Any] | None = None):
        self.options = options or {}
        # Parent navigation (`^.FilmCode`): the records' enclosing objects, by record
        # identity, for the document being read (per thread: a mapping is shared).
        self.track_parents = False
        self._parents = threading.local()

    def parents_of(self, node: Any) -> tuple:
        table = getattr(self._parents, "table", None)
        return table.get(id(node), ()) if table else ()

    def getter(self, expr: str) -> Getter:
        parent = _PARENT.match(expr.strip())
        if parent:
            # `^.X` reads X of the record's parent object, `^^.X` of its grandparent.
            self.track_parents = True
            depth, rest = len(parent.group(1)), parent.group(2)
            inner = self.getter(rest or "$")
            parents_of = self.parents_of

            def up(node: Any) -> Any:
                chain = parents_of(node)
                return inner(chain[depth - 1]) if len(chain) >= depth else None

            return up
        steps = parse_json_path(expr)
        if not steps:
            return lambda node: node
        if all(kind == "key" for kind, _ in steps):
            keys = [arg for _, arg in steps]
            if len(keys) == 1:
                key = keys[0]

                def get1(node: Any) -> Any:
                    return node.get(key) if isinstance(node, dict) else None

                return get1

            def get_keys(node: Any) -> Any:
                for key in keys:
                    if not isinstance(node, dict):
                        return None
                    node = node.get(key)
                return node

            return get_keys

        def get_any(node: Any) -> Any:
            values, multi = _walk(node, steps)
            if multi:
                return values
            return values[0] if values else None

        return get_any

    def lister(self, expr: str) -> Lister:
        steps = parse_json_path(expr)

        def lst(node: Any) -> list:
            if self.track_parents:
                found = _walk_with_parents(node, steps)
                if not any(kind == "all" for kind, _ in steps):
                    if not found or found[0][0] is None:
                        found = []
                    elif isinstance(found[0][0], list):
                        found = [(x, found[0][1]) for x in found[0][0]]
                self._parents.table = {id(value): parents for value, parents in found}
                return [value for value, _ in found]
            values, multi = _walk(node, steps)
            if multi:
                return values
            if not values or values[0] is None:
                return []
            return values[0] if isinstance(values[0], list) else [values[0]]

        return lst

    def parse(self, payload: Any) -> Any:
        if isinstance(payload, dict | list):
            return payload
        if isinstance(payload, bytes | bytearray):
            if len(payload) > MAX_PAYLOAD_BYTES:
                raise InputError(f"payload larger than {MAX_PAYLOAD_BYTES} bytes", "")
            try:
                payload = bytes(payload).decode(self.options.get("encoding", "utf-8"))
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"payload is not valid {exc.encoding}: {exc.reason} at byte {exc.start}",
                    _text_preview(payload),
                ) from None
        if not isinstance(payload, str):
            raise InputError(
                f"expected JSON text, got {type(payload).__name__}", _text_preview(payload)
            )
        try:
            return json.loads(payload)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                _text_preview(payload),
            ) from None

    def stream(self, fileobj: IO, records: Lister) -> Iterator[Any]:
        """JSON Lines: each line is one document (a record, or a page whose records the
        entity's `records` path finds). Memory stays at one line. A line that is not JSON is
        a row error for that line alone. A file that is one JSON document over many lines
        (pretty-printed) is read whole instead, up to the payload size limit."""
        encoding = self.options.get("encoding", "utf-8")
        lines = _text_lines(fileobj, encoding)
        lineno = 0
        first = True
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"line {lineno + 1} is not valid {encoding}: {exc.reason}",
                    "",
                    f"line {lineno + 1}",
                ) from None
            lineno += 1
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                if first and exc.pos >= len(line.rstrip()):
                    # The document goes on past this line: one (pretty-printed) document.
                    yield from records(self._rest_as_one(line, lines))
                    return
                first = False
                yield _RowError(
                    line[:4096],  # type: ignore[arg-type]
                    f"malformed JSON on line {lineno}: {exc.msg} at column {exc.colno}",
                )
                continue
            first = False
            yield from records(doc)

    def _rest_as_one(self, head: str, lines: Iterator[str]) -> Any:
        parts, size = [head], len(head)
        for line in lines:
            size += len(line) + 1
            if size > MAX_PAYLOAD_BYTES:
                raise InputError(
                    f"a JSON document larger than {MAX_PAYLOAD_BYTES} bytes cannot be streamed "
                    "(write it as JSON Lines)",
                    head[:4096],
                )
            parts.append(line)
        text = "\n".join(parts)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                _text_preview(text),
            ) from None

    @staticmethod
    def slice(node: Any) -> str:
        return _text_preview(node, 1 << 20)


def _text_lines(fileobj: IO, encoding: str) -> Iterator[str]:
    if isinstance(fileobj, io.TextIOBase):
        yield from fileobj
        return
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending = ""
    for chunk in iter(lambda: fileobj.read(1 << 16), b""):
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        yield from complete
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


# ---------------------------------------------------------------------------------------- XML
_SIMPLE_XML = re.compile(
    r"^(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*"
    r"(?:/(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)*$"
)
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def hardened_parser() -> etree.XMLParser:
    # No entity resolution, no DTD loading, no network, libxml2's default size limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _xml_value(result: Any) -> Any:
    if isinstance(result, list):
        if not result:
            return None
        first = result[0]
        if isinstance(first, etree._Element):
            return first.text
        return str(first)
    if isinstance(result, float) and result.is_integer():
        return int(result)
    if isinstance(result, bool):
        return result
    return result if result != "" else None


class XmlFormat:
    name = "xml"

    def __init__(self, options: dict[str, Any] | None = None):
        self.options = options or {}
        self.namespaces: dict[str, str] = dict(self.options.get("namespaces") or {})
        self.default_ns: str | None = self.options.get("default_namespace")
        self._memo: tuple[Any, dict] = (None, {})

    def _clark(self, path: str) -> str:
        parts = []
        for step in path.split("/"):
            if ":" in step:
                prefix, local = step.split(":", 1)
                if prefix not in self.namespaces:
                    raise ValueError(f"unknown namespace prefix {prefix!r} in {path!r}")
                parts.append(f"{{{self.namespaces[prefix]}}}{local}")
            elif self.default_ns:
                parts.append(f"{{{self.default_ns}}}{step}")
            else:
                parts.append(step)
        return "/".join(parts)

    def getter(self, expr: str) -> Getter:
        expr = expr.strip()
        if expr in (".", "text()"):
            return lambda node: node.text if isinstance(node, etree._Element) else node
        if expr.startswith("@") and _SIMPLE_XML.match(expr[1:]):
            name = self._clark(expr[1:]) if ":" in expr else expr[1:]
            return lambda node: node.get(name)
        if _SIMPLE_XML.match(expr):
            clark = self._clark(expr)
            if "/" not in expr:
                return self._child_text(clark)
            return lambda node: node.findtext(clark) or None
        xpath = etree.XPath(expr, namespaces=self.namespaces)
        names = re.findall(r"\$([A-Za-z_][\w]*)", expr)
        if names:
            # XPath variables ($lang) are bound from the scope's variables (`let:`).
            def scoped(node: Any, scope: Any) -> Any:
                values = {n: "" if scope.vars.get(n) is None else str(scope.vars[n]) for n in names}
                return _xml_value(xpath(node, **values))

            scoped.scoped = True  # type: ignore[attr-defined]
            return scoped
        return lambda node: _xml_value(xpath(node))

    def _child_text(self, clark: str) -> Getter:
        """A direct child's text (the first child of that name)."""
        texts = self.child_texts
        return lambda node: texts(node).get(clark) or None

    def child_texts(self, node: Any) -> dict[Any, Any]:
        """The texts of a record's direct children by name, the first of each name winning.
        A record's fields are read many times (theatre, ids, scopes, templates), so they are
        collected once per element and reused; the one-slot memo compares identity and holds
        the element, so it is safe when threads share the mapping."""
        memo = self._memo
        if memo[0] is not node:
            memo = self._memo = (node, {child.tag: child.text for child in reversed(node)})
        return memo[1]

    def lister(self, expr: str) -> Lister:
        expr = expr.strip()
        if expr == ".":
            return lambda node: [node]
        if _SIMPLE_XML.match(expr):
            clark = self._clark(expr)
            return lambda node: node.findall(clark)
        xpath = etree.XPath(expr, namespaces=self.namespaces)

        def lst(node: Any) -> list:
            result = xpath(node)
            return result if isinstance(result, list) else [result]

        return lst

    def record_tag(self, expr: str) -> str:
        """The element name a streaming reader waits for: the last step of the records path."""
        last = expr.strip().rstrip("/").split("/")[-1]
        if not _SIMPLE_XML.match(last):
            raise ValueError(f"records path {expr!r} must end in a plain element name to stream")
        return self._clark(last)

    def parse(self, payload: Any) -> Any:
        if isinstance(payload, etree._Element):
            return payload
        if isinstance(payload, str):
            payload = (
                payload.encode("utf-8")
                if not payload.lstrip().startswith("<?xml")
                else re.sub(r"^\s*<\?xml[^>]*\?>", "", payload).encode("utf-8")
            )
        if not isinstance(payload, bytes | bytearray):
            raise InputError(
                f"expected XML bytes, got {type(payload).__name__}", _text_preview(payload)
            )
        payload = bytes(payload)
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise InputError(f"payload larger than {MAX_PAYLOAD_BYTES} bytes", "")
        if _DTD.search(payload):  # the whole document: a DTD may follow a long comment
            raise InputError(
                "XML with a DTD or entity declarations is refused (entity "
                "expansion attack or not a SOAP message)",
                _text_preview(payload),
            )
        try:
            return etree.fromstring(payload, hardened_parser())
        except etree.XMLSyntaxError as exc:
            raise InputError(f"malformed XML: {exc}", _text_preview(payload)) from None

    def stream(self, fileobj: IO, records: Lister, tag: str) -> Iterator[Any]:
        head = fileobj.read(65536)
        if isinstance(head, str):
            raise InputError("XML streams must be opened in binary mode")
        if _DTD.search(head):
            raise InputError(
                "XML with a DTD or entity declarations is refused (entity "
                "expansion attack or not a SOAP message)",
                _text_preview(head),
            )
        source = _Prepend(head, fileobj, scan=_refuse_dtd)
        parser = etree.iterparse(
            source,
            events=("end",),
            tag=tag,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            remove_comments=True,
        )
        try:
            for _event, elem in parser:
                yield elem
                # Constant memory: drop the record and every finished sibling before it.
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise InputError(f"malformed XML: {exc}", "") from None

    @staticmethod
    def slice(node: Any) -> str:
        if isinstance(node, etree._Element):
            return etree.tostring(node, encoding="unicode")[: 1 << 20]
        return _text_preview(node)


def _refuse_dtd(chunk: bytes) -> None:
    if _DTD.search(chunk):
        raise InputError(
            "XML with a DTD or entity declarations is refused (entity "
            "expansion attack or not a SOAP message)",
            _text_preview(chunk),
        )


class _Prepend(io.RawIOBase):
    """A binary file whose first bytes were already read (to look for a DTD). `scan` sees every
    later chunk too, with the end of the one before (a marker split across two reads)."""

    def __init__(self, head: bytes, rest: IO, scan: Callable[[bytes], None] | None = None):
        self.head = head
        self.rest = rest
        self.scan = scan
        self.tail = head[-16:]

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            out, self.head = (
                (self.head, b"")
                if size < 0 or size >= len(self.head)
                else (self.head[:size], self.head[size:])
            )
            return out
        data = self.rest.read(size)
        if self.scan is not None and data:
            self.scan(self.tail + data)
            self.tail = data[-16:]
        return data


# ---------------------------------------------------------------------------------------- CSV
_SURROGATE = re.compile("[\udc80-\udcff]")
# Encodings in which every byte is a character: nothing to check per line.
_TOTAL_ENCODINGS = frozenset({"latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"})


class CsvRow(dict):
    """One CSV row keyed by header name (and `#N` for 1-based positions), with its line, its raw
    cells and its file's header row (shared, so a dead letter can be read on its own)."""

    __slots__ = ("line", "raw", "header", "text")


class CsvFormat:
    name = "csv"

    def __init__(self, options: dict[str, Any] | None = None):
        self.options = options or {}
        self.encoding = self.options.get("encoding", "utf-8")
        self.delimiter = self.options.get("delimiter", ",")
        self.quotechar = self.options.get("quotechar", '"')
        self.header = self.options.get("header", True)
        self.columns: list[str] | None = self.options.get("columns")
        self.skip_blank = self.options.get("skip_blank_lines", True)
        self.strip = self.options.get("strip", True)
        self.positional = False  # set when a mapping reads a column by position (`#3`)

    def getter(self, expr: str) -> Getter:
        key = expr.strip()
        if key == ".":
            return lambda node: node if not isinstance(node, dict) else None
        if key.startswith("#"):
            int(key[1:])  # validates
            self.positional = True
        # An empty cell is a missing value (Group, Flags, OrderRef, ...).
        return lambda row: row.get(key) or None

    def lister(self, expr: str) -> Lister:
        if expr.strip() in (".", "$"):
            return lambda node: [node]
        raise ValueError(f"CSV rows have no nested lists ({expr!r}); use group_by")

    def _reader(self, text: IO) -> Iterator[CsvRow]:
        """Rows one by one. A line that cannot be read (bad quoting, bytes that are not the
        file's encoding, a wrong number of columns) is a row error for that line alone: the
        reader goes on with the next line, so one bad line never costs the whole file."""
        last: list[str] = []  # the physical lines of the record being read, for dead letters

        def lines() -> Iterator[str]:
            for line in text:
                last.append(line)
                yield line

        reader = csv.reader(
            lines(), delimiter=self.delimiter, quotechar=self.quotechar, strict=True
        )
        header: list[str] | None = self.columns
        strip = self.strip
        check_encoding = self.encoding.lower().replace("_", "-") not in _TOTAL_ENCODINGS
        while True:
            try:
                for values in reader:
                    raw_text = last[0] if len(last) == 1 else "".join(last)
                    last.clear()
                    if not values and self.skip_blank:
                        continue
                    if check_encoding and not raw_text.isascii() and _SURROGATE.search(raw_text):
                        yield _RowError(
                            self._bad_row(raw_text, header),
                            f"line {reader.line_num} is not valid {self.encoding} text",
                        )
                        continue
                    if header is None:
                        header = [v.strip().lstrip("\ufeff") for v in values]
                        continue
                    if len(values) != len(header):
                        row = CsvRow()
                        row.line = reader.line_num
                        row.raw = values
                        row.header = header
                        yield _RowError(
                            row,
                            f"line {reader.line_num} has {len(values)} columns, "
                            f"the header has {len(header)}",
                        )
                        continue
                    # Lengths were checked above; map/zip keep the per-cell work in C.
                    row = CsvRow(
                        zip(header, map(str.strip, values) if strip else values, strict=True)
                    )
                    if self.positional:
                        for index, value in enumerate(values, 1):
                            row[f"#{index}"] = value.strip() if strip else value
                    row.line = reader.line_num
                    row.raw = values
                    row.header = header
                    yield row
                return
            except csv.Error as exc:
                raw_text = "".join(last)
                last.clear()
                yield _RowError(
                    self._bad_row(raw_text, header),
                    f"malformed CSV at line {reader.line_num}: {exc}",
                )

    def _bad_row(self, raw_text: str, header: list[str] | None) -> CsvRow:
        """A row that could not be split into cells: its text as the file had it (bytes that
        are not the encoding shown as \\xNN), after the header row, so it can be fixed and
        replayed on its own."""
        row = CsvRow()
        row.raw = None
        row.header = header
        text = raw_text.rstrip("\r\n")
        if _SURROGATE.search(text):
            text = text.encode(self.encoding, "surrogateescape").decode(
                self.encoding, "backslashreplace"
            )
        row.text = text
        return row

    def parse(self, payload: Any) -> Any:
        if isinstance(payload, bytes | bytearray):
            if len(payload) > MAX_PAYLOAD_BYTES:
                raise InputError(f"payload larger than {MAX_PAYLOAD_BYTES} bytes", "")
            # Bytes that are not the encoding are kept (surrogateescape) and refused line by
            # line, so one bad line does not reject the file.
            payload = bytes(payload).decode(self.encoding, "surrogateescape")
        if not isinstance(payload, str):
            raise InputError(
                f"expected CSV text, got {type(payload).__name__}", _text_preview(payload)
            )
        if "\x00" in payload:
            raise InputError(
                f"file contains NUL bytes: not {self.encoding} text (UTF-16?)",
                _text_preview(payload),
            )
        return io.StringIO(payload, newline="")

    def stream(self, fileobj: IO) -> Iterator[CsvRow]:
        if isinstance(fileobj, io.TextIOBase):
            text = fileobj
        else:
            text = io.TextIOWrapper(
                fileobj, encoding=self.encoding, newline="", errors="surrogateescape"
            )
        return self._reader(text)

    def rows(self, doc: IO) -> Iterator[CsvRow]:
        return self._reader(doc)

    def slice(self, node: Any) -> str:
        return self.slice_many([node])

    def slice_many(self, rows: list[Any]) -> str:
        """Rows as CSV text that reads on its own: the file's header row first (when the file
        has one), so a dead letter can be replayed without its file."""
        texts = [getattr(r, "text", None) for r in rows]
        if any(getattr(r, "raw", None) is None for r in rows) and not all(texts):
            return "\n".join(_text_preview(r) for r in rows)
        out = io.StringIO()
        writer = csv.writer(
            out, delimiter=self.delimiter, quotechar=self.quotechar, lineterminator="\r\n"
        )
        header = getattr(rows[0], "header", None)
        if self.header and self.columns is None and header is not None:
            writer.writerow(header)
        for row in rows:
            if getattr(row, "raw", None) is None:
                out.write(row.text + "\r\n")  # a line that could not be split into cells
            else:
                writer.writerow(row.raw)
        return out.getvalue().removesuffix("\r\n")


class _RowError(Exception):
    def __init__(self, row: CsvRow, reason: str):
        self.row = row
        self.reason = reason
        super().__init__(reason)


RowError = _RowError


def make_format(kind: str, options: dict[str, Any]) -> JsonFormat | XmlFormat | CsvFormat:
    if kind == "json":
        return JsonFormat(options)
    if kind == "xml":
        return XmlFormat(options)
    if kind == "csv":
        return CsvFormat(options)
    raise ValueError(f"unknown source format {kind!r}")
