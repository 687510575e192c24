"""booking/ is the domain: it must not reach for frameworks, SDKs or outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {
    "sqlalchemy",
    "fastapi",
    "stripe",
    "requests",
    "celery",
    "adapters",
    "connectors",
    "api",
    "store",
    "payments",
    "zeep",
    "httpx",
    "redis",
    "psycopg",
}


def test_booking_imports_nothing_outer():
    root = Path(__file__).resolve().parents[2] / "booking"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
