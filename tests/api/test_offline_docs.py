"""/docs and /redoc work without the internet: every script, style and icon is ours."""

from __future__ import annotations

import re

import pytest

from api.app import create_app
from marquee.bootstrap import build_hub
from marquee.settings import Settings


@pytest.fixture
def client(sqlite_url: str):
    from fastapi.testclient import TestClient

    hub = build_hub(Settings(database_url=sqlite_url))
    with TestClient(create_app(hub, run_worker=False)) as client:
        yield client
    hub.engine.dispose()


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ],
)
def test_docs_pages_load_every_asset_from_the_api_itself(client, page: str, assets: set[str]):
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    urls += re.findall(r"""(?:url|spec-url)\s*:\s*["']([^"']+)["']""", html.text)
    assert urls, html.text
    assert not [u for u in urls if "://" in u or u.startswith("//")], urls
    found = {u.rsplit("/", 1)[-1] for u in urls if u.startswith("/docs/static/")}
    assert found == assets
    for name in assets:
        asset = client.get(f"/docs/static/{name}")
        assert asset.status_code == 200 and len(asset.content) > 1000
    assert "cdn.jsdelivr" not in html.text and "fonts.googleapis" not in html.text


def test_the_openapi_document_is_still_served(client):
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "Marquee"
    assert "/docs" not in doc["paths"] and "/redoc" not in doc["paths"]
