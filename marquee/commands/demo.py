from __future__ import annotations

import typer

from marquee.settings import get_settings

app = typer.Typer()


@app.callback(invoke_without_command=True)
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Migrate the embedded SQLite database, load demo data and serve the API."""
    import uvicorn

    from api.app import create_app
    from marquee.bootstrap import build_hub
    from marquee.demo_data import load_demo
    from store.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    hub = build_hub(settings)
    counts = load_demo(hub.engine)
    typer.echo(f"demo data: {counts}")
    base = f"http://{host}:{port}"
    typer.echo(
        "\nMarquee is running. Open:\n"
        f"  {base}/health                       liveness\n"
        f"  {base}/docs                         the API, interactive\n"
        f"  {base}/v1/theatres?city=Chennai     theatres in a city\n"
        f"  {base}/v1/movies?city=Chennai       movies now showing\n"
        f"  {base}/v1/shows?theatre_id=thr_chennai_marina\n"
        f"  {base}/v1/shows/<show id>/seat-map  a live seat map\n"
    )
    uvicorn.run(create_app(hub), host=host, port=port, log_level="warning")
