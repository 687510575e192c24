"""The README's API examples run as printed against `marquee demo`: every `sh` block that starts
with `API=http://127.0.0.1:8000`, on a fresh demo (another port), under `bash -e -o pipefail`,
so a jq filter that does not fit the answer (a page read as a bare list) fails the test."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.operating.test_demo_cli import _env, _free_port, _start_demo, _stop

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PRINTED_API = "API=http://127.0.0.1:8000"


def _api_blocks() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
    return [b for b in blocks if b.startswith(PRINTED_API + "\n")]


def test_the_readme_has_the_customer_partner_and_admin_examples():
    blocks = _api_blocks()
    assert len(blocks) >= 4
    assert any("customer@marquee.demo" in b and "/v1/checkout" in b for b in blocks)
    assert any("partner@marquee.demo" in b and "/v1/partner/" in b for b in blocks)
    assert any("admin@marquee.demo" in b and "ATOKEN" in b for b in blocks)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("jq") is None, reason="the README's examples use jq")
def test_the_readme_api_examples_run_as_printed_against_the_demo(tmp_path: Path):
    port = _free_port()
    proc, lines = _start_demo(_env(tmp_path), port)
    workdir = tmp_path / "shell"
    (workdir / "var").mkdir(parents=True)  # as at the repository root after `make demo`
    try:
        assert any("Marquee is running" in line for line in lines), "\n".join(lines)
        outputs = []
        for block in _api_blocks():
            script = block.replace(PRINTED_API, f"API=http://127.0.0.1:{port}", 1)
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", script],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert done.returncode == 0, f"{block}\n--- stdout\n{done.stdout}\n{done.stderr}"
            # A bare null is a jq path that found nothing in the answer.
            bare = [line for line in done.stdout.splitlines() if line.strip() == "null"]
            assert not bare, f"{block}\n--- stdout\n{done.stdout}"
            outputs.append(done.stdout)
    finally:
        _stop(proc)
    text = "\n".join(outputs)
    assert '{"status":"ok"}' in text
    assert '"status": "cancelled"' in text and '"refund_issued": true' in text
    assert (workdir / "var" / "ticket.png").read_bytes().startswith(b"\x89PNG")
    assert '"code": "show_overlap"' in text and '"status": "confirmed"' in text
    assert '"seats_sold":2' in text
    assert '{"id":"restline","status":"paused"}' in text
    assert '{"connector_id":"restline","ok":true' in text
    assert '{"path":"mappings/restline/mapping.yaml","fingerprint":"' in text
    assert '{"valid":true,"issues":[]}' in text
