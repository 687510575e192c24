"""`marquee mapping`: validate, test and dry-run mapping configs."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Validate, test and dry-run mapping configs.")


def _load(file: Path):
    from adapters.mapping import MappingError, load_mapping

    try:
        return load_mapping(file)
    except MappingError as exc:
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        typer.echo(f"{len(exc.issues)} problem(s) in {file}", err=True)
        raise typer.Exit(1) from None


@app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="The mapping YAML file")]) -> None:
    """Check a mapping against the schema and the canonical model; print file:line:col issues."""
    mapping = _load(file)
    typer.echo(
        f"{file}: ok ({mapping.system}, language version {mapping.version}, "
        f"{len(mapping.entities)} entities, {len(mapping.operations)} operations)"
    )


@app.command("test")
def test(
    file: Annotated[Path, typer.Argument(help="The mapping YAML file")],
    update: Annotated[
        bool, typer.Option(help="Rewrite the expected files (review the diff!)")
    ] = False,
) -> None:
    """Run the mapping's samples/ and diff each against its expected canonical output."""
    from adapters.mapping.samples import run_samples

    mapping = _load(file)
    samples = file.parent / "samples"
    if not (samples / "samples.yaml").exists():
        typer.echo(f"no samples: {samples / 'samples.yaml'} is missing", err=True)
        raise typer.Exit(1)
    results = run_samples(mapping, samples, update=update)
    failed = 0
    for result in results:
        if result.passed:
            typer.echo(f"PASS {result.name}")
            continue
        failed += 1
        if result.expected is None:
            typer.echo(
                f"FAIL {result.name}: no expected file {result.expected_path} "
                "(run with --update to create it)"
            )
        else:
            typer.echo(f"FAIL {result.name}")
            typer.echo(result.diff())
    typer.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command("schema")
def schema(
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write it (default: mappings/schema/mapping.schema.json)"),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Only compare: exit 1 if the file differs from the models")
    ] = False,
) -> None:
    """Write the JSON Schema of mapping files, generated from the language's pydantic models."""
    from adapters.mapping.language_schema import SCHEMA_PATH, schema_text

    target = out or SCHEMA_PATH
    text = schema_text()
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            typer.echo(f"{target} differs from the language models: run `marquee mapping schema`")
            raise typer.Exit(1)
        typer.echo(f"{target}: up to date")
        return
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target}")


INT_KEYS = ("cutover_hour", "business_day_cutover_hour")


def _typed(key: str, value: str) -> tuple[str, object]:
    """`name:int=5`, `name:bool=true`, `name:float=1.5`, `name:str=031` type a value
    explicitly; cut-over hours are whole numbers; everything else stays text (a lookup key
    `031` must stay `031`)."""
    name, _, kind = key.partition(":")
    last = name.rsplit(".", 1)[-1]
    if not kind and last in INT_KEYS:
        kind = "int"
    try:
        if kind == "int":
            return name, int(value)
        if kind == "float":
            return name, float(value)
        if kind == "bool":
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return name, lowered in ("true", "1", "yes")
    except ValueError:
        raise typer.BadParameter(f"--context {key}={value}: not a {kind}") from None
    if kind not in ("", "str"):
        raise typer.BadParameter(f"--context {key}: unknown type {kind!r} (int, float, bool, str)")
    return name, value


def _parse_context(items: list[str]) -> dict:
    """`key=value` pairs; `theatres.C01.timezone=Asia/Kolkata` nests; unknown keys are vars."""
    context: dict = {}
    for item in items:
        if "=" not in item:
            raise typer.BadParameter(f"--context wants key=value, got {item!r}")
        raw_key, raw_value = item.split("=", 1)
        key, value = _typed(raw_key, raw_value)
        target = context
        parts = key.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    context.setdefault("connector_id", "dry-run")
    return context


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="The mapping YAML file")],
    entity: Annotated[str, typer.Option(help="Entity to map, e.g. show")],
    input: Annotated[Path, typer.Option("--input", help="Payload file (JSON, XML, CSV)")],
    limit: Annotated[int | None, typer.Option(help="Stop after N records")] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            help="key=value (connector_id, timezone, currency, now, theatres.C01.timezone, or a "
            "variable such as cinema_id)"
        ),
    ] = None,
    stream: Annotated[bool, typer.Option(help="Use the streaming reader")] = False,
    dead_letters: Annotated[
        Path | None,
        typer.Option("--dead-letters", help="Also write the dead letters to this file as JSON"),
    ] = None,
) -> None:
    """Dry run: map a payload and print canonical JSON (and dead letters on stderr)."""
    mapping = _load(file)
    ctx = _parse_context(context or [])
    if stream:
        with input.open("rb") as fh:
            items = list(islice(mapping.stream(entity, fh, ctx), limit))
        from adapters.mapping import DeadLetter

        records = [i for i in items if not isinstance(i, DeadLetter)]
        dead = [i for i in items if isinstance(i, DeadLetter)]
    else:
        result = mapping.read(entity, input.read_bytes(), ctx, partial=True, limit=limit)
        records, dead = result.records, result.dead_letters
    from adapters.mapping.model import canonical_json

    json.dump([canonical_json(r) for r in records], sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    for letter in dead:
        typer.echo(
            f"dead letter: {letter.entity} record {letter.record_index} field "
            f"{letter.field_path}: {letter.reason}",
            err=True,
        )
    if dead_letters is not None:
        dead_letters.write_text(
            json.dumps([d.model_dump(mode="json") for d in dead], indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
    if dead:
        if mapping.isolation(entity) == "record":
            outcome = f"a real import would apply the other {len(records)}"
        else:
            outcome = "a real import would apply none of this payload (isolation: payload)"
        typer.echo(f"{len(dead)} record(s) failed; {outcome}", err=True)
        raise typer.Exit(2)


def _throwaway_db(folder: Path) -> str:
    """A migrated SQLite database in `folder`, for runs that must not touch a real one."""
    from store.migrate import upgrade

    url = f"sqlite:///{folder / 'offline.db'}"
    upgrade(url)
    return url


def _offline_import(
    connector_config, days: int, database_url: str, record: Path | None = None
) -> dict:
    from connectors.catalog import import_catalog
    from connectors.connector import forget, get_connector, register
    from marquee.settings import get_settings
    from store.engine import make_engine

    engine = make_engine(database_url)
    try:
        register(engine, connector_config)
        connector = get_connector(
            engine, connector_config.id, get_settings().connectors.secrets_file
        )
        if record is not None:
            from adapters.recorded.adapter import Recorder, Untouched

            connector.recorder = Recorder(record)
            connector.adapter = Untouched(connector.adapter)  # a recording moves no file
        return import_catalog(connector, days=days).as_dict()
    finally:
        forget(engine)
        engine.dispose()


@app.command("record")
def record(
    connector: Annotated[str, typer.Option("--connector", help="Connector id to record")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the recording")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Where the connector is defined")
    ] = None,
    days: Annotated[int, typer.Option(help="Days of shows, as `marquee sync catalog`")] = 14,
) -> None:
    """Run a connector's catalog import against its live endpoint into a throwaway database,
    saving every payload fetched into OUT, for `marquee mapping import` to replay offline."""
    import tempfile

    from connectors import jobs
    from connectors.connector import ConnectorConfig
    from marquee.settings import get_settings
    from store import sync as sql

    with jobs.engine_for(database_url or get_settings().database.url).connect() as conn:
        row = sql.get_connector(conn, connector)
    if row is None:
        typer.echo(f"no connector {connector!r}", err=True)
        raise typer.Exit(1)
    config = ConnectorConfig.from_row(row)
    with tempfile.TemporaryDirectory(prefix="marquee-record-") as tmp:
        report = _offline_import(config, days, _throwaway_db(Path(tmp)), record=out)
    typer.echo(json.dumps(report, default=str))


@app.command("import")
def offline_import(
    file: Annotated[Path, typer.Argument(help="The mapping YAML file")],
    recorded: Annotated[Path, typer.Option("--recorded", help="A folder made by `record`")],
    connector_id: Annotated[
        str, typer.Option("--connector-id", help="Scopes derived ids, as the live connector")
    ] = "offline",
    days: Annotated[int, typer.Option(help="Days of shows, as `marquee sync catalog`")] = 14,
    keep: Annotated[
        Path | None, typer.Option(help="Keep the SQLite database in this folder")
    ] = None,
) -> None:
    """Whole import offline: the recorded payloads through the real import (isolation,
    duplicates, dependency order, sweep, dead letters) into a throwaway SQLite database;
    prints the import report and exits 2 if anything was dead-lettered; a recorded call the
    POS refused (an error page, see the mapping's `transport.result`) fails the run with exit
    1 and a dead letter, as the live sync does."""
    import tempfile

    from connectors.connector import ConnectorConfig

    _load(file)  # validation messages first
    config = ConnectorConfig(
        id=connector_id,
        adapter="recorded",
        mapping=str(file.resolve()),
        endpoint={"folder": str(recorded.resolve())},
    )
    from adapters.base import AdapterError

    with tempfile.TemporaryDirectory(prefix="marquee-offline-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            report = _offline_import(config, days, _throwaway_db(folder))
        except AdapterError as exc:
            # A call the POS refused (an error inside a 200 on a recorded page): the run
            # fails with a dead letter naming the call, exactly as `marquee sync catalog`.
            typer.echo(f"{connector_id}: {type(exc).__name__}: {exc}", err=True)
            raise typer.Exit(1) from exc
    typer.echo(json.dumps(report, default=str))
    if report.get("dead_letters"):
        raise typer.Exit(2)
