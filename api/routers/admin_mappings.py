"""Admin API, part three: a connector's mapping, read and edited as text (the admin panel's
mapping editor). Mounted under /v1/admin by api/routers/admin.py.

- GET  /connectors/{id}/mapping           the text, its ETag, fingerprint and problems
- POST /connectors/{id}/mapping/validate  a candidate text, checked as `marquee mapping
                                          validate` checks a file, plus the rules below
- POST /connectors/{id}/mapping/dry-run   a candidate text mapping a pasted payload
- PUT  /connectors/{id}/mapping           save: If-Match required (428 without, 412 stale)

A mapping written over the API is held to more than the validator's rules, because it is not
the server operator's file: its lookup tables must lie inside the mappings folder, its calls
must stay on the connector's endpoint (the endpoint is checked where the connector is
defined), its protocol must be the connector's adapter and its capabilities must fit the
connector's selling settings. A refusal is a 422 that writes nothing.

A save writes a new file beside the old one and points the connector at it, in the same
transaction as its audit entry (connectors/mapping_files.py says why not in place). The ETag
is over the connector's mapping path and the file's bytes: another admin's save, an edit of
the connector's mapping path, or a change of the file on disk each make it stale.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from adapters.mapping import Mapping, MappingError, MappingIssue, load_mapping_text
from api.context import ApiContext, Ctx
from api.deps import PathId, connector_row
from api.problems import ApiProblem
from api.schemas_auth import Strict
from api.security.access import AdminReader, AdminWriter
from api.security.endpoints import mapping_file, mappings_root
from store import admin_lookup, operations, users

router = APIRouter(tags=["admin"])

# The shipped mappings are 5-15 kB; a mapping a hundred times larger is a mistake.
MAX_MAPPING_CHARS = 400_000
MAX_PAYLOAD_CHARS = 500_000
# The adapters that speak one protocol of the mapping language, under its name; a plugin
# adapter may speak any, so its mappings are not held to one.
PROTOCOL_ADAPTERS = ("rest", "soap", "csv_sftp")

IfMatch = Annotated[
    str | None,
    Header(description="The ETag of the mapping you read (required: 428 without, 412 if stale)"),
]


class MappingIssueOut(BaseModel):
    line: int = Field(description="1-based; 0 when the validator knows no position")
    column: int
    path: str = Field(description="Dotted path of the field, e.g. entities.show.fields.start")
    message: str
    suggestion: str | None = Field(default=None, description="The nearest valid name")


class MappingOut(BaseModel):
    connector_id: str
    path: str = Field(description="The mapping file the connector uses, inside mappings/")
    text: str
    etag: str = Field(description="Send it back in If-Match to save")
    fingerprint: str | None = Field(
        default=None,
        description="The revision import runs record (`mapping_fingerprint`); null while the "
        "file does not load",
    )
    system: str | None = None
    language_version: int | None = None
    valid: bool
    issues: list[MappingIssueOut]
    entities: list[str] = Field(default=[], description="What a dry run can map")
    shared_with: list[str] = Field(
        description="Other connectors using this same file: a save here does not change theirs"
    )


class MappingText(Strict):
    text: str = Field(max_length=MAX_MAPPING_CHARS, description="The whole mapping YAML")


class MappingCheckOut(BaseModel):
    valid: bool
    issues: list[MappingIssueOut]
    fingerprint: str | None = Field(default=None, description="The revision, saved as is")
    system: str | None = None
    language_version: int | None = None
    entities: list[str] = []
    operations: list[str] = []


class DryRunIn(Strict):
    text: str = Field(max_length=MAX_MAPPING_CHARS, description="The candidate mapping YAML")
    entity: str = Field(min_length=1, max_length=40, examples=["seat_push"])
    payload: str = Field(
        max_length=MAX_PAYLOAD_CHARS, description="A payload as the POS sends it (JSON, XML, CSV)"
    )
    vars: dict[str, str] = Field(
        default_factory=dict, description="Call variables, e.g. cinema_id", max_length=20
    )
    limit: int = Field(default=20, ge=1, le=200, description="Stop after this many records")


class DryRunDeadLetter(BaseModel):
    record_index: int | None = None
    field_path: str | None = None
    reason: str


class DryRunOut(BaseModel):
    entity: str
    records: list[Any] = Field(description="Canonical records, as an import would store them")
    dead_letters: list[DryRunDeadLetter]


# ---- helpers ----------------------------------------------------------------------------------


def _etag(path: str, data: bytes | None) -> str:
    digest = hashlib.sha256(path.encode() + b"\0")
    digest.update(b"missing" if data is None else b"file\0" + data)
    return f'"{digest.hexdigest()[:32]}"'


def _file(ctx: ApiContext, row: dict[str, Any]) -> Path:
    """The connector's mapping file, if the editor may read and write beside it."""
    try:
        return mapping_file(row["mapping"], ctx.hub.settings)
    except ApiProblem:
        raise ApiProblem(
            409,
            "mapping_not_editable",
            f"connector {row['id']}'s mapping {row['mapping']!r} is not a file inside "
            f"{mappings_root(ctx.hub.settings).name}/: point the connector at one to edit it here",
        ) from None


def _read(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _line_of(text: str, key: str) -> int:
    """The line of a top-level key, for problems the validator does not position."""
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def _check(
    ctx: ApiContext, row: dict[str, Any], target: Path, text: str
) -> tuple[Mapping | None, list[MappingIssue]]:
    """The candidate compiled, or every problem found: the validator's, with the rules for a
    mapping written over the API, and whether it fits this connector."""
    from connectors import selling

    try:
        mapping = load_mapping_text(
            text,
            base_dir=target.parent,
            file=row["mapping"],
            confine=mappings_root(ctx.hub.settings),
        )
    except MappingError as err:
        return None, err.issues
    issues: list[MappingIssue] = []
    adapter = row["adapter"]
    if adapter in PROTOCOL_ADAPTERS and mapping.protocol != adapter:
        issues.append(
            MappingIssue(
                row["mapping"],
                _line_of(text, "protocol"),
                1,
                "protocol",
                f"connector {row['id']} uses the {adapter} adapter: the mapping's protocol must "
                f"be `{adapter}` (another protocol is another connector)",
            )
        )
    try:
        selling.check(dict(row["settings"] or {}), mapping.capabilities)
    except selling.InvalidSellingPolicy as err:
        issues.append(
            MappingIssue(
                row["mapping"],
                _line_of(text, "capabilities"),
                1,
                "capabilities",
                f"the connector's selling settings need more than this mapping's POS can do: {err}",
            )
        )
    return (None, issues) if issues else (mapping, [])


def _issues_out(issues: list[MappingIssue]) -> list[MappingIssueOut]:
    return [
        MappingIssueOut(
            line=i.line, column=i.column, path=i.path, message=i.message, suggestion=i.suggestion
        )
        for i in issues
    ]


def _invalid(issues: list[MappingIssue]) -> ApiProblem:
    first = issues[0]
    where = f"line {first.line}: " if first.line else ""
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return ApiProblem(
        422,
        "invalid_mapping",
        f"the mapping is not valid: {where}{first.message}{more}",
        errors=[
            {
                "field": f"body.text.{i.path}" if i.path else "body.text",
                "message": i.message,
                "type": "invalid_mapping",
                "line": i.line,
                "column": i.column,
                "suggestion": i.suggestion,
            }
            for i in issues
        ],
    )


def _shared_with(ctx: ApiContext, connector_id: str, target: Path) -> list[str]:
    from connectors.connector import mapping_path

    with ctx.hub.engine.connect() as conn:
        rows = operations.all_connectors(conn)
    return [
        r["id"]
        for r in rows
        if r["id"] != connector_id and mapping_path(r["mapping"]).resolve() == target
    ]


def _mapping_out(ctx: ApiContext, row: dict[str, Any], target: Path) -> MappingOut:
    data = _read(target)
    text = "" if data is None else data.decode("utf-8", errors="replace")
    if data is None:
        mapping = None
        issues = [MappingIssue(row["mapping"], 0, 0, "", "the mapping file does not exist")]
    else:
        mapping, issues = _check(ctx, row, target, text)
    return MappingOut(
        connector_id=row["id"],
        path=row["mapping"],
        text=text,
        etag=_etag(row["mapping"], data),
        fingerprint=mapping.fingerprint if mapping else None,
        system=mapping.system if mapping else None,
        language_version=mapping.version if mapping else None,
        valid=mapping is not None,
        issues=_issues_out(issues),
        entities=list(mapping.entities) if mapping else [],
        shared_with=_shared_with(ctx, row["id"], target),
    )


# ---- routes -----------------------------------------------------------------------------------


@router.get(
    "/connectors/{connector_id}/mapping",
    operation_id="admin_get_mapping",
    response_model=MappingOut,
    summary="The connector's mapping as text, with its ETag, fingerprint and problems",
    responses={409: {"description": "The connector's mapping is not inside mappings/"}},
)
def get_mapping(
    response: Response,
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> MappingOut:
    row = connector_row(ctx.hub, connector_id)
    out = _mapping_out(ctx, row, _file(ctx, row))
    response.headers["ETag"] = out.etag
    return out


@router.post(
    "/connectors/{connector_id}/mapping/validate",
    operation_id="admin_validate_mapping",
    response_model=MappingCheckOut,
    summary="Check a candidate mapping text for this connector (nothing is saved)",
)
def validate_mapping(
    body: MappingText,
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> MappingCheckOut:
    row = connector_row(ctx.hub, connector_id)
    mapping, issues = _check(ctx, row, _file(ctx, row), body.text)
    if mapping is None:
        return MappingCheckOut(valid=False, issues=_issues_out(issues))
    return MappingCheckOut(
        valid=True,
        issues=[],
        fingerprint=mapping.fingerprint,
        system=mapping.system,
        language_version=mapping.version,
        entities=list(mapping.entities),
        operations=list(mapping.operations),
    )


@router.post(
    "/connectors/{connector_id}/mapping/dry-run",
    operation_id="admin_dry_run_mapping",
    response_model=DryRunOut,
    summary="Map a pasted payload with a candidate mapping text (nothing is saved or applied)",
    responses={422: {"description": "The mapping is not valid, or has no such entity"}},
)
def dry_run_mapping(
    body: DryRunIn,
    connector_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> DryRunOut:
    from adapters.mapping.model import canonical_json
    from connectors.mapping_files import dry_run_context

    row = connector_row(ctx.hub, connector_id)
    mapping, issues = _check(ctx, row, _file(ctx, row), body.text)
    if mapping is None:
        raise _invalid(issues)
    if body.entity not in mapping.entities:
        known = list(mapping.entities)
        near = difflib.get_close_matches(body.entity, known, n=1)
        hint = f" (did you mean `{near[0]}`?)" if near else ""
        raise ApiProblem(
            422,
            "unknown_entity",
            f"the mapping has no entity {body.entity!r}{hint}; it has: {', '.join(known)}",
            errors=[{"field": "body.entity", "message": "no such entity", "type": "unknown"}],
        )
    context = dry_run_context(ctx.hub.engine, connector_id, dict(row["settings"] or {}), body.vars)
    try:
        result = mapping.read(
            body.entity, body.payload.encode("utf-8"), context, partial=True, limit=body.limit
        )
    except Exception as exc:  # noqa: BLE001 - the pasted payload is the caller's; say why
        raise ApiProblem(
            422,
            "payload_unreadable",
            f"the payload could not be read as {body.entity}: {type(exc).__name__}: {exc}",
            errors=[{"field": "body.payload", "message": str(exc), "type": "unreadable"}],
        ) from None
    return DryRunOut(
        entity=body.entity,
        records=[canonical_json(r) for r in result.records],
        dead_letters=[
            DryRunDeadLetter(record_index=d.record_index, field_path=d.field_path, reason=d.reason)
            for d in result.dead_letters
        ],
    )


@router.put(
    "/connectors/{connector_id}/mapping",
    operation_id="admin_save_mapping",
    response_model=MappingOut,
    summary="Save a new version of the connector's mapping (a new file; the connector uses it)",
    responses={
        409: {"description": "The connector's mapping is not inside mappings/"},
        412: {"description": "The mapping changed since you read it"},
        422: {"description": "The mapping is not valid (nothing written)"},
        428: {"description": "If-Match is missing"},
        503: {"description": "The mappings folder cannot be written"},
    },
)
def save_mapping(
    body: MappingText,
    response: Response,
    connector_id: PathId,
    actor: AdminWriter,
    ctx: Ctx,
    if_match: IfMatch = None,
) -> MappingOut:
    from connectors.connector import forget
    from connectors.mapping_files import remove_version, write_version
    from store import sync

    if if_match is None:
        raise ApiProblem(
            428,
            "precondition_required",
            "send If-Match with the ETag of the mapping you read (GET .../mapping), so a save "
            "never replaces another admin's unseen",
        )
    row = connector_row(ctx.hub, connector_id)
    target = _file(ctx, row)
    current = _read(target)
    etag = _etag(row["mapping"], current)
    if if_match.strip() not in ("*", etag):
        raise ApiProblem(
            412,
            "mapping_changed",
            f"connector {connector_id}'s mapping changed since you read it: read it again, "
            "apply your change to it and save",
            headers={"ETag": etag},
        )
    mapping, issues = _check(ctx, row, target, body.text)
    if mapping is None:
        raise _invalid(issues)
    data = body.text.encode("utf-8")
    if data == current:
        raise ApiProblem(422, "nothing_to_change", "the text is the mapping as it is")

    def allowed(relative: str) -> None:
        if len(relative) > 200:
            raise ApiProblem(
                422,
                "mapping_path_too_long",
                f"the new version's path would be longer than 200 characters: {relative}",
            )
        mapping_file(relative, ctx.hub.settings)  # beside a confined file: stays confined

    try:
        saved = write_version(row["mapping"], connector_id, data, allowed)
    except OSError as err:
        raise ApiProblem(
            503,
            "mapping_not_writable",
            f"the new mapping version could not be written beside {row['mapping']} "
            f"({type(err).__name__}): the API needs write access to the mappings folder",
        ) from None
    try:
        with ctx.hub.engine.begin() as conn:
            # Conditional on the connector as read above: a concurrent edit is a 412.
            if (
                admin_lookup.update_connector(
                    conn, connector_id, {"mapping": saved}, row["updated_at"]
                )
                is None
            ):
                raise ApiProblem(
                    412,
                    "mapping_changed",
                    f"connector {connector_id} changed while you saved: read its mapping again",
                )
            users.audit(
                conn,
                actor.subject,
                "connector.mapping_save",
                connector_id,
                {"from": row["mapping"], "to": saved, "fingerprint": mapping.fingerprint},
            )
            fresh = sync.get_connector(conn, connector_id)
    except BaseException:
        remove_version(saved)  # the connector does not name it: nothing changed
        raise
    assert fresh is not None
    forget(ctx.hub.engine)  # cached live connectors rebuild with the new file
    out = _mapping_out(ctx, fresh, mapping_file(saved, ctx.hub.settings))
    response.headers["ETag"] = out.etag
    return out
