"""No production start on development secrets; PII keys rotate without losing data.

Attack replayed: an operator runs `marquee serve` (or the Celery worker) with nothing set, so every
token is signed with the public development key and anyone can mint an admin token.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from marquee.pii import PiiCipher
from marquee.settings import DEV_JWT_SECRET, SecuritySettings, Settings

ROOT = Path(__file__).resolve().parents[2]
MARQUEE = [sys.executable, "-m", "marquee.cli"]
GOOD_JWT = "j" * 40
GOOD_KEY = "k" * 40


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("MARQUEE_ENV", "JWT_SECRET")}
    clean.update(env)
    return subprocess.run(
        [*MARQUEE, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker", "run"]])
@pytest.mark.parametrize(
    "env",
    [
        {},  # nothing set: the built-in development key
        {"JWT_SECRET": DEV_JWT_SECRET, "ENCRYPTION_KEY": GOOD_KEY},
        {"JWT_SECRET": "short-secret", "ENCRYPTION_KEY": GOOD_KEY},
        {"JWT_SECRET": GOOD_JWT},  # no encryption key of its own
        {"JWT_SECRET": GOOD_JWT, "ENCRYPTION_KEY": GOOD_JWT},  # the same secret twice
    ],
    ids=["unset", "dev-value", "short", "no-encryption-key", "key-is-jwt"],
)
def test_production_refuses_development_secrets(command: list[str], env: dict[str, str]):
    done = _run(command, MARQUEE_ENV="production", **env)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr  # one clear line, no traceback
    assert lines[0].startswith("marquee: refusing to start:")


def test_real_secrets_or_development_mode_may_start():
    prod = {"marquee_env": "production"}
    assert Settings(jwt_secret=GOOD_JWT, encryption_key=GOOD_KEY, **prod).start_refusal() is None
    assert Settings(marquee_env="development").start_refusal() is None
    assert Settings(**prod).start_refusal() is not None
    assert SecuritySettings.model_fields["env"].default == "production"


def test_encryption_key_rotation_keeps_old_data_readable():
    old = PiiCipher("old-key-" + "o" * 32)
    stored = old.encrypt("fan@example.com")
    rotated = PiiCipher("new-key-" + "n" * 32 + ",old-key-" + "o" * 32)
    assert rotated.decrypt(stored) == "fan@example.com"
    # Lookups keep working through the rotation, and re-keyed rows need only the new key.
    assert rotated.email_hash("Fan@Example.com") == old.email_hash("fan@example.com")
    rekeyed = rotated.rotate(stored)
    assert PiiCipher("new-key-" + "n" * 32).decrypt(rekeyed) == "fan@example.com"
    with pytest.raises(ValueError):
        old.decrypt(rekeyed)


def _uvicorn(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if k not in ("MARQUEE_ENV", "JWT_SECRET")}
    clean.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'marquee.db'}",
        VAR_DIR=str(tmp_path),
        TASK_MODE="celery",  # no in-process worker: only the start-up check is exercised
        **env,
    )
    cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)]
    try:
        return subprocess.run(cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as err:  # still serving: the refusal did not happen
        raise AssertionError(f"uvicorn kept serving: {err.stderr!r}") from None


def test_plain_uvicorn_also_refuses_development_secrets(tmp_path: Path):
    done = _uvicorn(tmp_path, MARQUEE_ENV="production")
    assert done.returncode != 0
    assert "marquee: refusing to start: JWT_SECRET is unset" in done.stderr
