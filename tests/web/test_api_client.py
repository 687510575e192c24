"""The web app's typed API client is generated from the OpenAPI document: fail when stale."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from api.main import app

SCHEMA = Path(__file__).resolve().parents[2] / "web/src/api/schema.d.ts"


def test_committed_client_matches_the_openapi_document() -> None:
    # The same serialisation as web/scripts/gen-api.mjs, which writes the digest it saw.
    doc = json.dumps(app.openapi(), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(doc.encode()).hexdigest()
    header = SCHEMA.read_text().splitlines()[1]
    match = re.fullmatch(r"// openapi-sha256: ([0-9a-f]{64})", header)
    assert match, f"{SCHEMA.name} has no openapi-sha256 header"
    assert match.group(1) == digest, (
        "web/src/api/schema.d.ts is stale: run `npm run gen:api` in web/ and commit it"
    )


def test_operation_ids_are_stable_names() -> None:
    ops = [
        op["operationId"]
        for item in app.openapi()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert "catalog_seat_map" in ops
    assert "session_sign_in" in ops
    assert len(ops) == len(set(ops))
