"""A compiled mapping: read, stream, render and outcome, all driven by the mapping file."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree
from pydantic import BaseModel

from adapters.base import RemoteError
from adapters.mapping.body import BodyReader
from adapters.mapping.compiler import Compiler, EntityPlan, compile_entity
from adapters.mapping.errors import FieldError
from adapters.mapping.model import (
    DeadLetter,
    MappingContext,
    MapResult,
    OutboundRequest,
    Outcome,
    OutcomeStatus,
    Rendered,
)
from adapters.mapping.scope import Scope
from adapters.mapping.sources import (
    CsvFormat,
    InputError,
    JsonFormat,
    RowError,
    XmlFormat,
    make_format,
)
from adapters.mapping.transport import Transport, build_transport
from canonical.inventory import SeatStatus

OPERATIONS = ("hold", "confirm", "release", "cancel")
# What a POS can do for Marquee, and the operation that does it. `export` (catalogue and seat
# states read by Marquee) needs no operation.
CAPABILITY_OPERATIONS = {
    "hold": "hold",
    "sell": "confirm",
    "release": "release",
    "cancel": "cancel",
}
CAPABILITIES = (*CAPABILITY_OPERATIONS, "export")


class OperationNotSupported(RemoteError, KeyError):
    """The POS cannot do this (an export-only system takes no holds): the connector refuses
    the call as the POS would, so the caller releases what it took and answers 503 instead of
    failing with a live hold left behind."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


PROTOCOL_FORMAT = {"rest": "json", "soap": "xml", "csv_sftp": "csv"}


class Mapping:
    """A validated, migrated and compiled mapping. Build it with `load_mapping(path)`."""

    def __init__(
        self, doc: dict[str, Any], *, path: str = "<memory>", lookups: dict[str, dict] | None = None
    ):
        self.doc = doc
        self.path = path
        self.system: str = doc["system"]
        self.version: int = int(doc["version"])
        self.protocol: str = doc["protocol"]
        self.lookups = lookups or {}
        self.fingerprint: str | None = None  # sha256 prefix of the file and its lookups
        self.status_maps: dict[str, dict] = {
            name: {str(k): v for k, v in table.items()}
            for name, table in (doc.get("status_maps") or {}).items()
        }
        self.result_codes = {str(k): v for k, v in (doc.get("result_codes") or {}).items()}
        self._source_defaults = {
            "format": PROTOCOL_FORMAT[self.protocol],
            **(doc.get("source") or {}),
        }
        self._transport_defaults = dict(doc.get("transport") or {})
        self.entities: dict[str, EntityPlan] = {}
        self._sources: dict[str, dict[str, Any]] = {}
        for name, spec in (doc.get("entities") or {}).items():
            source = {**self._source_defaults, **(spec.get("source") or {})}
            self._sources[name] = source
            fmt = make_format(source["format"], _format_options(source, doc))
            self.entities[name] = compile_entity(
                name, spec, Compiler(fmt, self.lookups, self.status_maps)
            )
        self.operations: dict[str, _Operation] = {
            name: _Operation(name, spec, self)
            for name, spec in (doc.get("operations") or {}).items()
        }
        declared = doc.get("capabilities")
        self.capabilities: frozenset[str] = frozenset(
            declared
            if declared is not None
            else [c for c, op in CAPABILITY_OPERATIONS.items() if op in self.operations]
            + (["export"] if self.entities else [])
        )

    # ------------------------------------------------------------------------------ reading
    def read(
        self,
        entity: str,
        payload: Any,
        context: MappingContext | dict | None = None,
        *,
        partial: bool = False,
        limit: int | None = None,
    ) -> MapResult:
        """Map a whole payload (bytes, text, or parsed JSON/XML) to canonical records.

        All-or-nothing: if any record fails, `records` is empty and `dead_letters` says why,
        unless `partial=True` (then the good records are returned too).
        """
        plan = self._plan(entity)
        ctx = MappingContext.coerce(context)
        records: list[BaseModel] = []
        dead: list[DeadLetter] = []
        seen = 0
        for item in self._iterate(plan, ctx, self._nodes_of(plan, payload), limit):
            seen += 1
            if isinstance(item, DeadLetter):
                dead.append(item)
            else:
                records.append(item)
        if dead and not partial:
            records = []
        return MapResult(records, dead, seen)

    def stream(
        self,
        entity: str,
        fileobj: IO,
        context: MappingContext | dict | None = None,
        *,
        limit: int | None = None,
    ) -> Iterator[BaseModel | DeadLetter]:
        """Map a large file record by record in constant memory.

        Yields canonical objects and `DeadLetter`s as they come; the caller stages them and
        decides (all-or-nothing is the caller's to enforce when streaming). Formats: JSON Lines
        (each line a record or a page), XML (the records path's last element is streamed),
        CSV.
        """
        plan = self._plan(entity)
        ctx = MappingContext.coerce(context)
        fmt = plan.fmt
        if isinstance(fmt, JsonFormat):
            nodes = fmt.stream(fileobj, plan.records)
        elif isinstance(fmt, XmlFormat):
            nodes = fmt.stream(fileobj, plan.records, fmt.record_tag(plan.records_expr))
        else:
            nodes = fmt.stream(fileobj)
        yield from self._iterate(plan, ctx, nodes, limit)

    def _plan(self, entity: str) -> EntityPlan:
        try:
            return self.entities[entity]
        except KeyError:
            raise KeyError(
                f"mapping {self.system!r} has no entity {entity!r} "
                f"(has: {', '.join(self.entities)})"
            ) from None

    def _nodes_of(self, plan: EntityPlan, payload: Any) -> Iterator[Any]:
        doc = plan.fmt.parse(payload)
        if isinstance(plan.fmt, CsvFormat):
            yield from plan.fmt.rows(doc)
        else:
            yield from plan.records(doc)

    def _dead(
        self, plan: EntityPlan, field: str, reason: str, payload: str, index: int | None
    ) -> DeadLetter:
        return DeadLetter(
            system=self.system,
            mapping_version=self.version,
            entity=plan.name,
            field_path=field,
            reason=reason,
            payload=payload,
            record_index=index,
        )

    def _iterate(
        self, plan: EntityPlan, ctx: MappingContext, nodes: Iterator[Any], limit: int | None
    ) -> Iterator[BaseModel | DeadLetter]:
        if (
            plan.theatre is not None
            and plan.group_by is None
            and not plan.lets
            and plan.where is None
            and plan.unique_by is None
        ):
            return self._iterate_by_theatre(plan, ctx, nodes, limit)
        return self._iterate_general(plan, ctx, nodes, limit)

    def _iterate_by_theatre(
        self, plan: EntityPlan, ctx: MappingContext, nodes: Iterator[Any], limit: int | None
    ) -> Iterator[BaseModel | DeadLetter]:
        """`_iterate_general` for the usual entity (one record per node, a theatre per record,
        no grouping, filter or variables), with the per-record work hoisted. One scope is
        reused: it is only read while its record is built, and each record sets both of its
        theatre fields (after clearing them, so the theatre spec sees what a new scope has)."""
        fmt = plan.fmt
        theatre_of = plan.theatre
        build = plan.build
        theatres = ctx.theatres
        lookup = ctx.theatre
        scope = Scope(ctx, dict(ctx.vars))
        index = -1
        try:
            for node in nodes:
                index += 1
                if limit is not None and index >= limit:
                    return
                if node.__class__ is RowError:
                    yield self._dead(plan, "$", node.reason, fmt.slice(node.row), index)
                    continue
                try:
                    scope.theatre = scope.theatre_key = None  # as a fresh scope has them
                    scope.theatre_key = key = theatre_of(node, scope)
                    info = theatres.get(key) if key.__class__ is str else None
                    scope.theatre = lookup(key) if info is None else info
                    record = build(node, scope)
                except FieldError as exc:
                    yield self._dead(plan, exc.path or "$", exc.reason, fmt.slice(node), index)
                    continue
                except Exception as exc:  # noqa: BLE001 - bad data must never crash a batch
                    yield self._dead(
                        plan, "$", f"{type(exc).__name__}: {exc}", fmt.slice(node), index
                    )
                    continue
                yield record
        except InputError as exc:
            yield self._dead(plan, exc.where, exc.reason, exc.payload, None)

    def _iterate_general(
        self, plan: EntityPlan, ctx: MappingContext, nodes: Iterator[Any], limit: int | None
    ) -> Iterator[BaseModel | DeadLetter]:
        base = Scope(ctx, dict(ctx.vars))
        fmt = plan.fmt
        seen_keys: set = set()
        produced = 0
        index = -1
        groups = (
            _consecutive(nodes, plan.group_by, base)
            if plan.group_by
            else ((node, None) for node in nodes)
        )
        try:
            for node, rows in groups:
                index += 1
                if limit is not None and produced >= limit:
                    return
                if isinstance(node, RowError):
                    produced += 1
                    yield self._dead(plan, "$", node.reason, fmt.slice(node.row), index)
                    continue
                try:
                    scope = base
                    if plan.theatre is not None or rows is not None or plan.lets:
                        scope = Scope(ctx, base.vars, group=rows)
                        if plan.theatre is not None:
                            key = plan.theatre(node, scope)
                            scope.theatre_key = key
                            scope.theatre = ctx.theatre(key)
                        elif ctx.timezone and ctx.currency:
                            scope.theatre = ctx.theatre(None)
                        if plan.lets:
                            scope = scope.child({k: f(node, scope) for k, f in plan.lets.items()})
                    elif base.theatre is None and ctx.timezone and ctx.currency:
                        base.theatre = ctx.theatre(None)
                    if plan.where is not None and not plan.where(node, scope):
                        continue
                    if plan.unique_by is not None:
                        key = plan.unique_by(node, scope)
                        if key in seen_keys:
                            continue
                        seen_keys.add(key)
                    record = plan.build(node, scope)
                except FieldError as exc:
                    produced += 1
                    yield self._dead(
                        plan, exc.path or "$", exc.reason, _slice(fmt, node, rows), index
                    )
                    continue
                except Exception as exc:  # noqa: BLE001 - bad data must never crash a batch
                    produced += 1
                    yield self._dead(
                        plan, "$", f"{type(exc).__name__}: {exc}", _slice(fmt, node, rows), index
                    )
                    continue
                produced += 1
                yield record
        except InputError as exc:
            yield self._dead(plan, exc.where, exc.reason, exc.payload, None)

    # ----------------------------------------------------------------------------- outbound
    def render(
        self,
        operation: str,
        request: OutboundRequest | dict[str, Any],
        context: MappingContext | dict | None = None,
    ) -> Rendered:
        """Canonical request -> the legacy payload for hold/confirm/release/cancel."""
        return self._operation(operation).render(request, MappingContext.coerce(context))

    def outcome(
        self, operation: str, response: Any, context: MappingContext | dict | None = None
    ) -> Outcome:
        """A legacy answer (JSON, SOAP XML, CSV ack) -> canonical outcome."""
        return self._operation(operation).outcome(response, MappingContext.coerce(context))

    def _operation(self, name: str) -> _Operation:
        try:
            return self.operations[name]
        except KeyError:
            has = ", ".join(self.operations) or "none: the POS only exports"
            raise OperationNotSupported(
                f"mapping {self.system!r} has no operation {name!r} (has: {has})", name
            ) from None

    # ------------------------------------------------------------------------- accessors
    def transport(self, name: str) -> Transport:
        """The typed transport section of an entity or an operation."""
        if name in self.entities:
            own = self.entities[name].transport
            source = self._sources[name]
        elif name in self.operations:
            own = self.operations[name].spec.get("transport") or {}
            source = self._source_defaults
        else:
            raise KeyError(f"mapping {self.system!r} has no entity or operation {name!r}")
        return build_transport(self.protocol, self._transport_defaults, own, source)

    def body_reader(self, entity: str) -> BodyReader:
        """Reads whole response bodies of an entity (cursor, result flag, record count) in the
        entity's source format."""
        plan = self._plan(entity)
        return BodyReader(plan.fmt, plan.records)

    def isolation(self, entity: str) -> str:
        """`record` (a failed record is a dead letter, the payload's other records apply) or
        `payload` (all or nothing), from the entity or the mapping; `record` by default."""
        spec = (self.doc.get("entities") or {}).get(entity) or {}
        return str(spec.get("isolation") or self.doc.get("isolation") or "record")

    def export_kind(self, entity: str, vars: dict[str, Any] | None = None) -> str:
        """`full` (the payload replaces what it covers: its theatres, its dates) or `delta`
        (it changes only what it names), as the entity's `export` says; a template such as
        `"{$kind}"` reads a call variable (a file-name group)."""
        from adapters.templates import fill

        spec = (self.doc.get("entities") or {}).get(entity) or {}
        raw = str(spec.get("export") or "full")
        value = fill(raw, dict(vars or {})).strip().lower() if "{" in raw else raw
        if value not in ("full", "delta"):
            raise ValueError(f"entity {entity!r}: export {raw!r} gave {value!r}, not full/delta")
        return value

    def source_format(self, entity: str) -> str:
        """`json`, `xml` or `csv`: how an entity's payloads are written."""
        return str(self._sources[entity]["format"])

    def seat_status(self, legacy: Any, table: str = "seat") -> SeatStatus:
        """A legacy seat status (0, 'Sold', 'A', ...) -> canonical SeatStatus."""
        try:
            return SeatStatus(self.status_maps[table][str(legacy)])
        except KeyError:
            raise ValueError(f"{legacy!r} is not in status map {table!r}") from None


def _format_options(source: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    options = {k: v for k, v in source.items() if k != "format"}
    if "namespaces" in doc and "namespaces" not in options:
        options["namespaces"] = doc["namespaces"]
    return options


def _consecutive(nodes: Iterator[Any], key_of: Any, scope: Scope) -> Iterator[tuple[Any, list]]:
    """Group adjacent records by a key (a show's seat rows, a whole layout file)."""
    current_key: Any = object()
    rows: list = []
    for node in nodes:
        if isinstance(node, RowError):
            yield node, None
            continue
        key = key_of(node, scope)
        if rows and key != current_key:
            yield rows[0], rows
            rows = []
        current_key = key
        rows.append(node)
    if rows:
        yield rows[0], rows


def _slice(fmt: Any, node: Any, rows: list | None) -> str:
    if rows:
        if hasattr(fmt, "slice_many"):  # CSV: one header row for the group
            return fmt.slice_many(rows)
        return "\n".join(fmt.slice(r) for r in rows)
    return fmt.slice(node)


# -------------------------------------------------------------------------------- operations
class _Operation:
    def __init__(self, name: str, spec: dict[str, Any], mapping: Mapping):
        self.name = name
        self.spec = spec
        self.mapping = mapping
        self.request_compiler = Compiler(JsonFormat(), mapping.lookups, mapping.status_maps)
        request = spec.get("request") or {}
        self.element: str | None = request.get("element")
        self.columns_spec: dict[str, Any] = request.get("fields") or {}
        self.build_request = self.request_compiler.compile_object(
            self.columns_spec, f"operations.{name}"
        )
        response = spec.get("response") or {}
        source = {**mapping._source_defaults, **(response.get("source") or {})}
        self.fmt = make_format(source["format"], _format_options(source, mapping.doc))
        rc = Compiler(self.fmt, mapping.lookups, mapping.status_maps)
        self.code = rc.compile_spec(response.get("code", "Result"))
        self.codes = {
            **mapping.result_codes,
            **{str(k): v for k, v in (response.get("codes") or {}).items()},
        }
        self.default = response.get("default", "invalid")
        self.fields = {k: rc.compile_spec(v) for k, v in (response.get("fields") or {}).items()}
        self.transport = None

    def _templates(self) -> Compiler:
        return self.request_compiler

    def render(self, request: OutboundRequest | dict[str, Any], ctx: MappingContext) -> Rendered:
        data_in = (
            request.model_dump(mode="json")
            if isinstance(request, BaseModel)
            else OutboundRequest.model_validate(request).model_dump(mode="json")
        )
        scope = Scope(ctx, dict(ctx.vars))
        if data_in.get("theatre_external_id"):
            scope.theatre_key = data_in["theatre_external_id"]
            scope.theatre = ctx.theatre(scope.theatre_key)
        else:
            scope.theatre = ctx.theatre(None)
        data = self.build_request(data_in, scope)
        transport = self.mapping.transport(self.name)
        fill = lambda text: _fill(self.request_compiler, text, data_in, scope)  # noqa: E731
        protocol = self.mapping.protocol
        if protocol == "rest":
            body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
            return Rendered(
                self.name,
                "application/json",
                body,
                data=data,
                text=body.decode(),
                method=transport.method,
                path=transport.base_path + fill(transport.path),
                query={k: fill(v) for k, v in transport.query.items()},
            )
        if protocol == "soap":
            namespace = transport.namespace
            element = _to_xml(self.element or transport.operation, data, namespace)
            body = etree.tostring(element, encoding="utf-8")
            return Rendered(
                self.name,
                "text/xml; charset=utf-8",
                body,
                data=data,
                text=body.decode(),
                soap_operation=transport.operation,
            )
        out = io.StringIO()
        import csv

        writer = csv.writer(
            out,
            delimiter=transport.delimiter,
            quotechar=transport.quotechar,
            lineterminator=transport.line_terminator,
        )
        columns = list(self.columns_spec)
        if transport.header:
            writer.writerow(columns)
        writer.writerow(["" if data.get(c) is None else data.get(c) for c in columns])
        text = out.getvalue()
        try:
            body = text.encode(transport.encoding)
        except UnicodeEncodeError as exc:
            raise FieldError(
                f"request cannot be written in {transport.encoding}: {exc.reason}"
            ) from None

        # File names may also read the file's own columns (`req_{RequestId}.csv`): a POS that
        # checks the name against the content gets the same (transformed) value in both.
        def named(text: str) -> str:
            return _fill(self.request_compiler, text, {**data_in, **data}, scope)

        return Rendered(
            self.name,
            f"text/csv; charset={transport.encoding}",
            body,
            data=data,
            text=text,
            folder=transport.request_folder,
            filename=named(transport.request_filename or ""),
            ack_folder=transport.ack_folder,
            ack_filename=named(transport.ack_filename or ""),
        )

    def outcome(self, response: Any, ctx: MappingContext) -> Outcome:
        try:
            doc = self.fmt.parse(response)
            if isinstance(self.fmt, CsvFormat):
                rows = [r for r in self.fmt.rows(doc) if not isinstance(r, RowError)]
                if not rows:
                    raise InputError("the answer file has no row")
                node = rows[0]
            else:
                node = doc
            scope = Scope(ctx, dict(ctx.vars), ctx.theatre(None))
            code = self.code(node, scope)
            status = (
                OutcomeStatus(self.codes.get(str(code), self.default))
                if code is not None
                else OutcomeStatus(self.default)
            )
            values: dict[str, Any] = {}
            for name, fn in self.fields.items():
                value = fn(node, scope)
                if value not in (None, "", []):
                    values[name] = value
            if "seat_ids" in values and not isinstance(values["seat_ids"], list | tuple):
                values["seat_ids"] = [values["seat_ids"]]
            return Outcome(
                operation=self.name,
                status=status,
                code=None if code is None else str(code),
                **values,
            )
        except (InputError, FieldError, ValueError) as exc:
            # An answer we cannot read: the POS may or may not have acted. Transient means
            # "retry with the same idempotency key", which is safe by contract.
            reason = exc.reason if isinstance(exc, InputError | FieldError) else str(exc)
            return Outcome(
                operation=self.name,
                status=OutcomeStatus.TRANSIENT,
                message=f"unreadable answer: {reason}",
            )


def _fill(compiler: Compiler, template: str, data: dict, scope: Scope) -> str:
    if not template:
        return template
    value = compiler.compile_template(template)(data, scope)
    if value is None:
        raise FieldError(f"template {template!r} has a missing value")
    return value


def _to_xml(name: str, data: Any, namespace: str | None) -> etree._Element:
    qname = f"{{{namespace}}}{name}" if namespace else name
    element = etree.Element(qname, nsmap={None: namespace} if namespace else None)
    _fill_xml(element, data, namespace)
    return element


def _fill_xml(element: etree._Element, data: Any, namespace: str | None) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if item is None:
                    continue
                child = etree.SubElement(element, f"{{{namespace}}}{key}" if namespace else key)
                _fill_xml(child, item, namespace)
    elif data is not None:
        element.text = str(data).lower() if isinstance(data, bool) else str(data)
