"""ASGI entry point for uvicorn workers: `uvicorn api.main:app`. It refuses to start serving
on development secrets outside development mode, as `marquee serve` does."""

from api.app import create_app

app = create_app(check_secrets=True)
