"""The banner `marquee demo` prints: its logins sign in with the role it names, its theatres are
the ones the demo serves (native or legacy POS, with the POS kind), and its URLs follow --port."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import accounts
from api.security.passwords import hash_password
from marquee.bootstrap import Hub, build_hub
from marquee.demo_banner import POS_KINDS, demo_banner
from marquee.demo_data import load_demo
from marquee.settings import Settings
from store import users
from tests.operating.test_demo_cli import _demo_fails, _env, _free_port, _start_demo, _stop

LOGIN = re.compile(r"^\s+(?:sign in\s+)?(customer|partner|admin)\s+(\S+@\S+)\s+(\S+)(.*)$")
ROLE_SCOPE = {"customer": "bookings", "partner": "partner:read", "admin": "admin:read"}


def _logins(banner: str) -> list[tuple[str, str, str, str]]:
    return [m.groups() for line in banner.splitlines() if (m := LOGIN.match(line))]


def _section(banner: str, title: str) -> list[str]:
    """The lines under a "  title..." header, up to the next header at that indent."""
    lines = banner.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  " + title))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        body.append(line)
    return body


def _theatre_names(text: str) -> set[str]:
    found = re.finditer(r"([^,]+?) \([^)]+\)(?:,|$)", text.strip())
    return {m.group(1).strip() for m in found}


@pytest.fixture
def demo_hub(sqlite_url: str) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=sqlite_url))
    load_demo(hub.engine, days=1)
    yield hub
    hub.engine.dispose()


def test_every_login_the_banner_prints_signs_in_with_the_role_it_names(demo_hub: Hub, tmp_path):
    banner = demo_banner(demo_hub, "http://127.0.0.1:8000", tmp_path)
    logins = _logins(banner)
    assert sorted(role for role, *_ in logins) == ["admin", "customer", "partner"]
    with TestClient(create_app(demo_hub, run_worker=False)) as client:
        for role, email, password, _note in logins:
            r = client.post(
                "/v1/auth/token",
                data={"grant_type": "password", "username": email, "password": password},
            )
            assert r.status_code == 200, (email, r.text)
            assert ROLE_SCOPE[role] in r.json()["scope"].split()


def test_a_demo_password_changed_in_the_database_is_said_to_be_changed(demo_hub: Hub, tmp_path):
    ctx = create_app(demo_hub, run_worker=False).state.ctx
    with demo_hub.engine.begin() as conn:
        row = accounts.authenticate(conn, ctx.cipher, "partner@marquee.demo", "partner-demo-pass")
        assert row is not None
        users.update_user(conn, row.id, password_hash=hash_password("someone else's now"))
    banner = demo_banner(demo_hub, "http://127.0.0.1:8000", tmp_path)
    notes = {role: note for role, _email, _password, note in _logins(banner)}
    assert "password was changed" in notes["partner"]
    assert "password was changed" not in notes["customer"] + notes["admin"]


def test_without_a_built_web_app_the_banner_says_so(demo_hub: Hub, tmp_path):
    missing = demo_banner(demo_hub, "http://127.0.0.1:8000", tmp_path)
    (tmp_path / "index.html").write_text("<!doctype html>")
    built = demo_banner(demo_hub, "http://127.0.0.1:8000", tmp_path)
    assert "web app     not built" in missing
    assert "web app     http://127.0.0.1:8000/ " in built


def _get(url: str, token: str | None = None) -> object:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def _every(base: str, path: str, token: str | None = None) -> list[dict]:
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = _get(base + path + (f"{sep}cursor={cursor}" if cursor else ""), token)
        assert isinstance(page, dict)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


@pytest.mark.slow
def test_the_running_demo_matches_its_banner_on_the_port_asked_for(tmp_path: Path):
    port = _free_port()
    proc, lines = _start_demo(_env(tmp_path), port)
    try:
        banner = "\n".join(lines)
        base = f"http://127.0.0.1:{port}"
        assert f"Marquee is running on {base}" in banner, banner
        assert f"API docs    {base}/docs" in banner
        with urllib.request.urlopen(base + "/", timeout=30) as page:
            assert page.status == 200

        tokens = {}
        for role, email, password, _note in _logins(banner):
            form = urllib.parse.urlencode(
                {"grant_type": "password", "username": email, "password": password}
            ).encode()
            with urllib.request.urlopen(base + "/v1/auth/token", form, timeout=30) as answer:
                body = json.load(answer)
            assert ROLE_SCOPE[role] in body["scope"].split()
            tokens[role] = body["access_token"]
        assert set(tokens) == {"customer", "partner", "admin"}

        served = _every(base, "/v1/theatres?limit=100")
        native = _theatre_names(" ".join(_section(banner, "native theatres")))
        assert native == {t["name"] for t in served if not t["legacy"]}
        legacy_lines = _section(banner, "legacy-POS theatres")
        connectors = {c["id"]: c for c in _every(base, "/v1/admin/connectors", tokens["admin"])}
        groups: dict[str, str] = {}
        for line in legacy_lines:
            if line.startswith("     "):  # a long list goes on under its connector
                groups[list(groups)[-1]] += " " + line.strip()
                continue
            connector_id, rest = line.split(maxsplit=1)
            kind = POS_KINDS[connectors[connector_id]["adapter"]]
            assert rest.startswith(kind), line
            groups[connector_id] = rest.removeprefix(kind)
        assert set(groups) == set(connectors)
        listed = set().union(*(_theatre_names(names) for names in groups.values()))
        assert listed == {t["name"] for t in served if t["legacy"]}
    finally:
        _stop(proc)


def test_make_demo_passes_port_on():
    dry = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert "marquee demo --port 8123" in dry.stdout


def test_a_port_in_use_names_a_free_port_to_pick_instead(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _demo_fails(_env(tmp_path), "--port", str(port))
        suggested = re.search(r"make demo PORT=(\d+) \(marquee demo --port (\d+)\)", line)
        assert suggested is not None, line
        assert suggested.group(1) == suggested.group(2) != str(port)
        with socket.socket() as probe:  # the suggestion is a port one can listen on
            probe.bind(("127.0.0.1", int(suggested.group(1))))
