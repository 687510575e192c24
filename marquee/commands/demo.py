from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import typer

from marquee.settings import get_settings

app = typer.Typer()


def _write_demo_secrets(path: Path, refs: dict[str, str]) -> dict[str, str]:
    """Put the simulators' secrets in a file too (mode 600), so `marquee sync ...` run from
    another shell with SECRETS_FILE pointing at it reaches them. References become bare names:
    the environment first, then the file."""
    data = json.loads(path.read_text()) if path.exists() else {}
    bare = {}
    for role, ref in refs.items():
        name = ref.removeprefix("env:")
        data[name] = os.environ[name]
        bare[role] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(data, indent=2))
    return bare


def _shown(path: Path) -> str:
    """A path as a command typed at the repository root would spell it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def start_legacy_theatres(
    engine: Any, base: str, secrets_path: Path | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """Start the three POS simulators in-process, register a connector for each, import their
    catalogs and point their pushes at our webhook. Returns the simulators and the reports.
    With `secrets_path`, the connectors' secrets are also written there."""
    from connectors import jobs, simulated
    from connectors.catalog import import_catalog, import_localization
    from connectors.connector import get_connector, register
    from simulators.reelfeed import ReelfeedSimulator
    from simulators.restline import RestlineSimulator
    from simulators.soapbox import SoapboxSimulator

    sims = [
        RestlineSimulator(seed=1, cinemas=2).start(),
        SoapboxSimulator(seed=2, cinemas=2).start(),
        ReelfeedSimulator(seed=3, cinemas=2, snapshot_seconds=2.0).start(),
    ]
    configs = [simulated.restline(sims[0]), simulated.soapbox(sims[1]), simulated.reelfeed(sims[2])]
    reports: dict[str, Any] = {}
    for sim, config in zip(sims, configs, strict=True):
        if secrets_path is not None:
            refs = _write_demo_secrets(secrets_path, config.secret_refs)
            config = dataclasses.replace(config, secret_refs=refs)
        register(engine, config)
        connector = get_connector(engine, config.id, secrets_path)
        # Recorded like every scheduled run: the admin panel lists them under the connector.
        report = jobs.recorded(
            "catalog",
            engine,
            config.id,
            secrets_path,
            lambda c: import_catalog(c, days=7).as_dict(),
        )
        jobs.recorded(
            "localization",
            engine,
            config.id,
            secrets_path,
            lambda c: import_localization(c).as_dict(),
        )
        reports[config.id] = {k: v["created"] + v["unchanged"] for k, v in report["counts"].items()}
        if config.id != "reelfeed":
            secret = connector.secrets.get("push_secret", "")
            sim.set_push_target(f"{base}/webhooks/connectors/{config.id}", secret)
    return sims, reports


def _watch_files(
    engine: Any, stop: threading.Event, secrets_path: Path | None = None, every: float = 2.0
) -> None:
    """The SFTP folder watch: poll reelfeed's seat snapshots every few seconds."""
    from connectors.connector import get_connector
    from connectors.inventory import poll_inventory

    while not stop.wait(every):
        try:
            poll_inventory(get_connector(engine, "reelfeed", secrets_path))
        except Exception as exc:  # noqa: BLE001 - the demo keeps running; the next poll repairs
            typer.echo(f"reelfeed poll failed: {exc}", err=True)


@app.callback(invoke_without_command=True)
def demo(
    host: str = "127.0.0.1",
    port: int = typer.Option(
        8000, help="Port of the API and the web app (`make demo PORT=N` passes it on)"
    ),
    legacy: bool = typer.Option(True, help="Start the three legacy POS simulators"),
) -> None:
    """Migrate the embedded SQLite database, load demo data, start the legacy POS simulators,
    import their catalogs and serve the API and the web app."""
    from marquee.preflight import PreflightError, check_database_reachable, check_port_free
    from store.migrate import MaintenanceDatabaseError, upgrade

    # The demo runs on the built-in secrets and loopback simulators: development mode.
    os.environ["MARQUEE_ENV"] = "development"
    get_settings.cache_clear()
    settings = get_settings()
    try:
        check_port_free(
            host, port, choose="pick another: make demo PORT={port} (marquee demo --port {port})"
        )
        check_database_reachable(settings.database.url)
        upgrade(settings.database.url)
    except (PreflightError, MaintenanceDatabaseError) as exc:
        typer.echo(f"marquee demo: {exc}", err=True)
        raise typer.Exit(1) from None

    import uvicorn

    from api.app import create_app
    from api.routers.web import DIST
    from marquee.bootstrap import build_hub
    from marquee.demo_banner import demo_banner
    from marquee.demo_data import load_demo

    hub = build_hub(settings)
    counts = load_demo(hub.engine, cipher=hub.cipher)
    typer.echo(f"demo data: {counts}")
    base = f"http://{host}:{port}"
    secrets_path = settings.connectors.secrets_file or settings.files.var_dir / "demo-secrets.json"
    marquee_cmd = _shown(Path(sys.executable).with_name("marquee"))
    sims: list[Any] = []
    stop = threading.Event()
    if legacy:
        sims, reports = start_legacy_theatres(hub.engine, base, secrets_path)
        typer.echo(f"legacy theatres imported: {reports}")
        threading.Thread(
            target=_watch_files,
            args=(hub.engine, stop, secrets_path),
            daemon=True,
            name="reelfeed-watch",
        ).start()
    lines = ["", demo_banner(hub, base, DIST)]
    if sims:
        lines.append("Legacy POS simulators (sell at their box office to see seats vanish):")
        lines += [f"  {sim.system:9} admin {sim.admin_url}/info" for sim in sims]
        lines.append(
            "  sync by hand (another shell, repository root):\n"
            f"    SECRETS_FILE={_shown(secrets_path)} {marquee_cmd} sync inventory "
            "--connector restline\n"
        )
    server = uvicorn.Server(
        uvicorn.Config(create_app(hub), host=host, port=port, log_level="warning")
    )
    # "Running" is said once the server answers, so every printed URL works when it is read.
    threading.Thread(
        target=_announce, args=(server, stop, "\n".join(lines)), daemon=True, name="banner"
    ).start()
    try:
        server.run()
    finally:
        stop.set()
        for sim in sims:
            sim.stop()


def _announce(server: Any, stop: threading.Event, text: str) -> None:
    while not server.started:
        if stop.wait(0.05):
            return
    typer.echo(text)
