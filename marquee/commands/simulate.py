"""`marquee simulate rest|soap|sftp`: run one legacy POS simulator in the foreground."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)

Port = Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port)")]
AdminPort = Annotated[int, typer.Option(help="Admin port (/_sim/...); 0: any free port")]
Seed = Annotated[int, typer.Option(help="Seed of the generated catalog")]
Cinemas = Annotated[int, typer.Option(help="Number of cinemas / sites")]
Screens = Annotated[int, typer.Option(help="Screens per cinema")]
Shows = Annotated[int, typer.Option(help="Shows per screen per day")]
Days = Annotated[int, typer.Option(help="Days of sessions from today")]
Latency = Annotated[int, typer.Option(help="Added latency per call, in ms")]
ErrorRate = Annotated[float, typer.Option(help="Share of calls that fail (0..1)")]
Down = Annotated[bool, typer.Option(help="Start down (not accepting connections)")]
PushUrl = Annotated[str | None, typer.Option(help="Push target (webhook / callback URL)")]
PushSecret = Annotated[str, typer.Option(help="Shared secret for pushes")]


def _run(sim: Any, latency_ms: int, error_rate: float, down: bool) -> None:
    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # stop cleanly (temp dirs, ports) on SIGTERM too

    signal.signal(signal.SIGTERM, _terminate)
    sim.start()
    sim.set_knobs(latency_ms=latency_ms, error_rate=error_rate, down=down)
    typer.echo(json.dumps(sim.describe(), indent=2, ensure_ascii=False))
    typer.echo("Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


def _size(
    seed: int, cinemas: int, screens: int, shows_per_day: int, days: int, port: int, admin_port: int
) -> dict[str, int]:
    return {
        "seed": seed,
        "cinemas": cinemas,
        "screens": screens,
        "shows_per_day": shows_per_day,
        "days": days,
        "port": port,
        "admin_port": admin_port,
    }


@app.command("rest")
def rest(
    port: Port = 8081,
    admin_port: AdminPort = 0,
    seed: Seed = 1,
    cinemas: Cinemas = 2,
    screens: Screens = 2,
    shows_per_day: Shows = 4,
    days: Days = 7,
    token: Annotated[str, typer.Option(help="X-Restline-Token value")] = "",
    push_url: PushUrl = None,
    push_secret: PushSecret = "",
    latency_ms: Latency = 0,
    error_rate: ErrorRate = 0.0,
    down: Down = False,
) -> None:
    """restline: the REST/JSON POS."""
    from simulators.restline import DEFAULT_TOKEN, RestlineSimulator

    sim = RestlineSimulator(
        token=token or DEFAULT_TOKEN,
        **_size(seed, cinemas, screens, shows_per_day, days, port, admin_port),
    )
    sim.set_push_target(push_url, push_secret)
    _run(sim, latency_ms, error_rate, down)


@app.command("soap")
def soap(
    port: Port = 8082,
    admin_port: AdminPort = 0,
    seed: Seed = 1,
    cinemas: Cinemas = 2,
    screens: Screens = 2,
    shows_per_day: Shows = 4,
    days: Days = 7,
    key: Annotated[str, typer.Option(help="X-Soapbox-Key sent with callbacks")] = "",
    push_url: PushUrl = None,
    latency_ms: Latency = 0,
    error_rate: ErrorRate = 0.0,
    down: Down = False,
) -> None:
    """soapbox: the SOAP 1.1 POS (WSDL at ?wsdl)."""
    from simulators.soapbox import SoapboxSimulator

    sim = SoapboxSimulator(**_size(seed, cinemas, screens, shows_per_day, days, port, admin_port))
    sim.set_push_target(push_url, key or sim.push_secret)
    _run(sim, latency_ms, error_rate, down)


@app.command("sftp")
def sftp(
    port: Port = 2222,
    admin_port: AdminPort = 0,
    seed: Seed = 1,
    cinemas: Cinemas = 2,
    screens: Screens = 2,
    shows_per_day: Shows = 4,
    days: Days = 7,
    root: Annotated[Path | None, typer.Option(help="Directory served (default: temp)")] = None,
    username: Annotated[str, typer.Option()] = "reelfeed",
    password: Annotated[str, typer.Option()] = "reelfeed-secret",
    host_key: Annotated[Path | None, typer.Option(help="PEM host key (default: new)")] = None,
    authorized_key: Annotated[
        list[Path] | None,
        typer.Option(help="Public key file (OpenSSH one-line format) allowed to log in"),
    ] = None,
    snapshot_seconds: Annotated[float, typer.Option(help="Seat snapshot period")] = 1.0,
    latency_ms: Latency = 0,
    error_rate: ErrorRate = 0.0,
    down: Down = False,
) -> None:
    """reelfeed: CSV files over SFTP."""
    from simulators.reelfeed import ReelfeedSimulator

    sim = ReelfeedSimulator(
        root=root,
        username=username,
        password=password,
        host_key_file=host_key,
        authorized_key_files=authorized_key or [],
        snapshot_seconds=snapshot_seconds,
        **_size(seed, cinemas, screens, shows_per_day, days, port, admin_port),
    )
    _run(sim, latency_ms, error_rate, down)
