from __future__ import annotations

import typer

app = typer.Typer()


@app.callback(invoke_without_command=True)
def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, reload: bool = False
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        access_log=False,
    )
