"""`/` answers with a landing page while the web app is not built, and with the app once it is."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers import web


def _client(dist: Path) -> TestClient:
    app = FastAPI()
    web.install(app, dist=dist)
    return TestClient(app)


def test_the_root_is_a_landing_page_while_the_app_is_not_built(tmp_path: Path):
    client = _client(tmp_path / "missing-dist")
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for link in ('href="/docs"', 'href="/redoc"', 'href="/openapi.json"', 'href="/health"'):
        assert link in page.text
    assert "://" not in page.text  # nothing fetched from elsewhere
    assert client.get("/v1/nothing-here").status_code == 404  # API paths stay problems


def test_the_built_app_replaces_the_landing_page(tmp_path: Path):
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    page = _client(tmp_path).get("/")
    assert page.status_code == 200 and "id=root" in page.text
