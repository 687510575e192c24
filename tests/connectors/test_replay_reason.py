"""A replay that fails again keeps the dead letter's original reason next to the new one, and
later replays keep that original rather than nesting reasons."""

from __future__ import annotations

from connectors.catalog import import_catalog
from connectors.replay import replay_dead_letter
from store import operations
from tests.connectors.test_replay import _open, broken_copy, connect_with_mapping


def test_failed_replays_keep_the_original_reason(engine, restline_sim, tmp_path):
    mapping, _ = broken_copy(tmp_path, "restline", "path: Showtime", "path: ShowTimeX")
    import_catalog(connect_with_mapping(engine, restline_sim, mapping))
    letter = _open(engine)[0]
    original = letter["reason"]
    assert original and "replay failed" not in original
    first = replay_dead_letter(engine, letter["id"])
    second = replay_dead_letter(engine, letter["id"])
    for result in (first, second):
        assert result.status == "failed"
        assert result.reason.startswith("replay failed: ")
        assert result.reason.endswith("original reason: " + original)
    assert second.reason.count("original reason:") == 1
    with engine.connect() as conn:
        assert operations.get_dead_letter(conn, letter["id"])["reason"] == second.reason
