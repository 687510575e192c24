"""Connector secrets: the database stores only their *names*; values come from the
environment or from the secrets file (JSON or YAML, path in settings.secrets_file).

`secret_refs` maps a role to a reference: {"token": "env:MARQUEE_SECRET_RESTLINE_TOKEN",
"push_secret": "file:restline.webhook"} ("NAME" alone means the environment, then the file).

Only environment variables named `MARQUEE_SECRET_*` can be referenced: whoever may define a
connector must not be able to read the process's other variables (the database URL, the JWT or
Stripe key) by naming them as a connector's token and pointing its endpoint at themselves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_PREFIX = "MARQUEE_SECRET_"


class MissingSecret(LookupError):
    pass


class ForbiddenSecretRef(MissingSecret):
    """A reference to an environment variable outside ENV_PREFIX."""


def check_refs(refs: Mapping[str, str], env_prefix: str = ENV_PREFIX) -> None:
    """Refuse references that may not be resolved (before a connector is stored)."""
    for role, ref in (refs or {}).items():
        kind, name = _split(ref)
        if kind == "env" and not name.startswith(env_prefix):
            raise ForbiddenSecretRef(
                f"secret {role!r}: environment references must name a {env_prefix}* variable"
            )
        if kind not in ("", "env", "file") or not name:
            raise ForbiddenSecretRef(f"secret {role!r}: use env:NAME, file:NAME or NAME")


def _split(ref: str) -> tuple[str, str]:
    text = str(ref)
    if ":" not in text:
        return "", text
    kind, _, name = text.partition(":")
    return kind, name


@lru_cache(maxsize=8)
def _file(path: str, mtime: float) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith((".yaml", ".yml")):
        from ruamel.yaml import YAML

        data = YAML(typ="safe").load(text) or {}
    else:
        data = json.loads(text or "{}")
    if not isinstance(data, dict):
        raise MissingSecret(f"secrets file {path} is not a mapping")
    return data


def _from_file(name: str, secrets_file: Path | None) -> str | None:
    if secrets_file is None or not Path(secrets_file).exists():
        return None
    data: Any = _file(str(secrets_file), Path(secrets_file).stat().st_mtime)
    for part in name.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return None if data is None else str(data)


def resolve(
    refs: Mapping[str, str],
    secrets_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    env_prefix: str = ENV_PREFIX,
) -> dict[str, str]:
    env = os.environ if environ is None else environ
    check_refs(refs, env_prefix)
    out: dict[str, str] = {}
    for role, ref in (refs or {}).items():
        kind, name = _split(ref)
        value: str | None = None
        # A bare NAME reads the environment only under the prefix, else only the file.
        if kind in ("", "env") and name.startswith(env_prefix):
            value = env.get(name)
        if value is None and kind in ("", "file"):
            value = _from_file(name, secrets_file)
        if value is None:
            raise MissingSecret(
                f"secret {role!r} ({ref}) is not set in the environment or the secrets file"
            )
        out[role] = value
    return out
