from __future__ import annotations

import typer

app = typer.Typer()


def refuse_unsafe_start() -> None:
    """Stop here, with one line, when production would start on development secrets."""
    from marquee.settings import get_settings

    reason = get_settings().start_refusal()
    if reason:
        typer.echo(f"marquee: refusing to start: {reason}", err=True)
        raise typer.Exit(2)


@app.callback(invoke_without_command=True)
def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, reload: bool = False
) -> None:
    """Serve the HTTP API with uvicorn."""
    refuse_unsafe_start()
    from marquee.preflight import PreflightError, check_database_url, check_port_free
    from marquee.settings import get_settings

    try:
        check_database_url(get_settings().database.url)
        check_port_free(host, port)
    except PreflightError as exc:
        typer.echo(f"marquee serve: {exc}", err=True)
        raise typer.Exit(1) from None
    import uvicorn

    # X-Forwarded-For is believed only from the configured proxies (TRUSTED_PROXIES); with none,
    # the peer address is the client (uvicorn would otherwise trust 127.0.0.1 by default).
    proxies = get_settings().http.trusted_proxies.strip()
    from marquee.observability import prepare_multiprocess_dir

    prepare_multiprocess_dir()
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
