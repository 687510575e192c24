"""`marquee worker`: run the Celery worker, or do one round of its work by hand."""

from __future__ import annotations

import json

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def run(
    concurrency: int = typer.Option(2, help="Worker processes."),
    beat: bool = typer.Option(True, help="Also run the beat schedule (relay, expiry sweep)."),
    loglevel: str = typer.Option("INFO"),
) -> None:
    """Run a Celery worker on Redis (broker: CELERY_BROKER_URL or REDIS_URL)."""
    from marquee.commands.serve import refuse_unsafe_start

    refuse_unsafe_start()
    from marquee.worker.celery_app import app as celery

    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
    if beat:
        argv.append("--beat")
    celery.worker_main(argv)


@app.command("relay-once")
def relay_once(limit: int = typer.Option(100, help="Rows to claim per batch.")) -> None:
    """Deliver every due outbox row inline (no Celery), then print what happened."""
    from marquee.bootstrap import build_hub

    report = build_hub().runtime.relay.drain(limit)
    typer.echo(json.dumps(vars(report)))


@app.command()
def sweep() -> None:
    """Expire due holds now (what beat does every 30 seconds)."""
    from marquee.bootstrap import build_hub

    typer.echo(json.dumps({"expired": build_hub().runtime.sweep()}))


@app.command()
def status() -> None:
    """Outbox rows pending, delivered and failed."""
    from marquee.bootstrap import build_hub
    from store import outbox

    with build_hub().engine.connect() as conn:
        typer.echo(json.dumps(outbox.counts(conn)))


@app.command()
def failed(limit: int = typer.Option(50)) -> None:
    """Outbox rows that ran out of attempts, with their last error."""
    from marquee.bootstrap import build_hub
    from store import outbox

    with build_hub().engine.connect() as conn:
        for m in outbox.failed(conn, limit):
            typer.echo(
                json.dumps(
                    {
                        "id": m.id,
                        "event_id": m.event_id,
                        "topic": m.topic,
                        "attempts": m.attempts,
                        "failed_at": str(m.failed_at),
                        "error": m.last_error,
                    }
                )
            )


@app.command()
def requeue(message_id: int) -> None:
    """Send a failed outbox row round again with a fresh attempt budget."""
    from datetime import UTC, datetime

    from marquee.bootstrap import build_hub
    from store import outbox

    with build_hub().engine.begin() as conn:
        done = outbox.requeue(conn, message_id, now=datetime.now(UTC))
    if not done:
        typer.echo(f"outbox row {message_id} is not a failed row", err=True)
        raise typer.Exit(1)
    typer.echo(f"requeued {message_id}")
