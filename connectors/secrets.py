"""Connector secrets: the database stores only their *names*; values come from the
environment or from the secrets file (JSON or YAML, path in settings.secrets_file).

`secret_refs` maps a role to a reference: {"token": "env:RESTLINE_TOKEN",
"push_secret": "file:restline.webhook"} ("NAME" alone means the environment, then the file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any


class MissingSecret(LookupError):
    pass


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
) -> dict[str, str]:
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for role, ref in (refs or {}).items():
        kind, _, name = str(ref).partition(":") if ":" in str(ref) else ("", "", str(ref))
        value: str | None = None
        if kind in ("", "env"):
            value = env.get(name)
        if value is None and kind in ("", "file"):
            value = _from_file(name, secrets_file)
        if value is None:
            raise MissingSecret(
                f"secret {role!r} ({ref}) is not set in the environment or the secrets file"
            )
        out[role] = value
    return out
