"""booking/ stays in small modules named for what they hold: a module past the limit is a sign
that two concerns share it, and it is split rather than the limit raised."""

from __future__ import annotations

from pathlib import Path

import booking

MAX_LINES = 350
BOOKING = Path(booking.__file__).parent


def _modules() -> list[Path]:
    return sorted(BOOKING.rglob("*.py"))


def test_booking_has_modules_to_measure():
    # A wrong path would measure nothing and pass.
    assert len(_modules()) > 20


def test_every_booking_module_is_under_the_limit():
    too_long = {
        str(path.relative_to(BOOKING.parent)): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_LINES
    }
    assert not too_long, f"split these modules (at most {MAX_LINES - 1} lines): {too_long}"
