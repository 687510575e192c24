from __future__ import annotations

import os
import threading
from typing import Any

import typer

from marquee.settings import get_settings

app = typer.Typer()


def start_legacy_theatres(engine: Any, base: str) -> tuple[list[Any], dict[str, Any]]:
    """Start the three POS simulators in-process, register a connector for each, import their
    catalogs and point their pushes at our webhook. Returns the simulators and the reports."""
    from connectors import simulated
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
        register(engine, config)
        connector = get_connector(engine, config.id)
        report = import_catalog(connector, days=7)
        import_localization(connector)
        reports[config.id] = {k: v["created"] + v["unchanged"] for k, v in report.counts.items()}
        if config.id != "reelfeed":
            secret = connector.secrets.get("push_secret", "")
            sim.set_push_target(f"{base}/webhooks/connectors/{config.id}", secret)
    return sims, reports


def _watch_files(engine: Any, stop: threading.Event, every: float = 2.0) -> None:
    """The SFTP folder watch: poll reelfeed's seat snapshots every few seconds."""
    from connectors.connector import get_connector
    from connectors.inventory import poll_inventory

    while not stop.wait(every):
        try:
            poll_inventory(get_connector(engine, "reelfeed"))
        except Exception as exc:  # noqa: BLE001 - the demo keeps running; the next poll repairs
            typer.echo(f"reelfeed poll failed: {exc}", err=True)


@app.callback(invoke_without_command=True)
def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    legacy: bool = typer.Option(True, help="Start the three legacy POS simulators"),
) -> None:
    """Migrate the embedded SQLite database, load demo data, start the legacy POS simulators,
    import their catalogs and serve the API."""
    import uvicorn

    from api.app import create_app
    from marquee.bootstrap import build_hub
    from marquee.demo_data import load_demo
    from store.migrate import upgrade

    # The demo runs on the built-in secrets and loopback simulators: development mode.
    os.environ["MARQUEE_ENV"] = "development"
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    hub = build_hub(settings)
    counts = load_demo(hub.engine)
    typer.echo(f"demo data: {counts}")
    base = f"http://{host}:{port}"
    sims: list[Any] = []
    stop = threading.Event()
    if legacy:
        sims, reports = start_legacy_theatres(hub.engine, base)
        typer.echo(f"legacy theatres imported: {reports}")
        threading.Thread(
            target=_watch_files, args=(hub.engine, stop), daemon=True, name="reelfeed-watch"
        ).start()
    typer.echo(
        "\nMarquee is running. Open:\n"
        f"  {base}/health                       liveness\n"
        f"  {base}/docs                         the API, interactive\n"
        f"  {base}/v1/theatres?city=Chennai     theatres in a city\n"
        f"  {base}/v1/movies?city=Chennai       movies now showing\n"
        f"  {base}/v1/shows?theatre_id=thr_chennai_marina\n"
        f"  {base}/v1/shows/<show id>/seat-map  a live seat map\n"
    )
    if sims:
        typer.echo("Legacy POS simulators (sell at their box office to see seats vanish):")
        for sim in sims:
            typer.echo(f"  {sim.system:9} admin {sim.admin_url}/info")
        typer.echo("  sync by hand: marquee sync inventory --connector restline\n")
    try:
        uvicorn.run(create_app(hub), host=host, port=port, log_level="warning")
    finally:
        stop.set()
        for sim in sims:
            sim.stop()
