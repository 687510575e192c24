"""Theatre links the domain owns: native theatres forward nothing; a static table resolves."""

from __future__ import annotations

from booking.links import NullTheatreLink, StaticLinks, native_only
from canonical.catalog import Theatre


def _theatre(theatre_id: str, connector_id: str | None = None) -> Theatre:
    return Theatre(
        id=theatre_id,
        name="Plaza",
        city="Chennai",
        country="IN",
        timezone="Asia/Kolkata",
        currency="INR",
        connector_id=connector_id,
    )


def test_a_native_theatre_link_agrees_with_everything_and_keeps_our_references():
    link = NullTheatreLink()
    held = link.hold(show=None, seats=[], hold_seconds=60, idempotency_key="hold-1")
    assert held.ref == "hold-1"
    assert link.confirm(None, "hold-1", "K7M2QX9P", None, "key") == "K7M2QX9P"
    assert link.release(None, None, "key") is None
    assert link.cancel(None, "hold-1", "key") is None


def test_native_only_resolves_no_theatre():
    assert native_only(_theatre("thr_a", connector_id="restline")) is None


def test_static_links_prefer_the_theatre_then_its_connector():
    by_theatre, by_connector = NullTheatreLink(), NullTheatreLink()
    links = StaticLinks(by_theatre={"thr_a": by_theatre}, by_connector={"restline": by_connector})
    assert links(_theatre("thr_a", connector_id="restline")) is by_theatre
    assert links(_theatre("thr_b", connector_id="restline")) is by_connector
    assert links(_theatre("thr_c", connector_id="soapbox")) is None
    assert links(_theatre("thr_d")) is None
    assert StaticLinks()(_theatre("thr_a", connector_id="restline")) is None
