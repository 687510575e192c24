"""The signed-in hint cookie: the page reads it to decide whether a refresh may succeed, so a
first visit never asks `/v1/session/refresh` for a 401."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD
from tests.web.test_session import _csrf, _sign_in, browser, hub  # noqa: F401 (fixtures)


def _set_cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}


def test_a_visitor_who_never_signed_in_gets_no_hint(browser: TestClient) -> None:  # noqa: F811
    _csrf(browser)
    assert "mq_signed_in" not in browser.cookies
    assert browser.get("/v1/session").json()["user"] is None


def test_sign_in_sets_a_readable_hint_that_lives_as_long_as_the_refresh_cookie(
    browser: TestClient,  # noqa: F811
) -> None:
    csrf = _csrf(browser)
    r = browser.post(
        "/v1/session/sign-in",
        json={"email": "cust-a@test.example", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    cookies = _set_cookies(r)
    hint = cookies["mq_signed_in"]
    assert hint.startswith("mq_signed_in=1")
    assert "httponly" not in hint and "path=/" in hint and "samesite=lax" in hint
    refresh_age = cookies["mq_refresh"].split("max-age=")[1].split(";")[0]
    assert f"max-age={refresh_age}" in hint
    # The hint grants nothing: alone it signs no one in.
    browser.cookies.clear()
    browser.cookies.set("mq_signed_in", "1", domain="127.0.0.1", path="/")
    assert browser.get("/v1/session").json()["user"] is None


def test_refresh_renews_the_hint_and_sign_out_clears_it(browser: TestClient) -> None:  # noqa: F811
    csrf = _sign_in(browser)
    r = browser.post("/v1/session/refresh", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert _set_cookies(r)["mq_signed_in"].startswith("mq_signed_in=1")
    r = browser.post("/v1/session/sign-out", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    cleared = _set_cookies(r)["mq_signed_in"]
    assert "max-age=0" in cleared or "expires=thu, 01 jan 1970" in cleared
    assert "mq_signed_in" not in browser.cookies


def test_the_session_read_makes_the_hint_follow_the_refresh_cookie(
    browser: TestClient,  # noqa: F811
) -> None:
    _sign_in(browser)
    refresh = browser.cookies["mq_refresh"]
    # A session begun before the hint existed: the refresh cookie alone.
    browser.cookies.delete("mq_signed_in")
    r = browser.get("/v1/session")
    assert _set_cookies(r)["mq_signed_in"].startswith("mq_signed_in=1")
    assert browser.cookies["mq_refresh"] == refresh
    # The refresh cookie gone (expired): the hint goes with it.
    browser.cookies.delete("mq_refresh", domain="127.0.0.1", path="/v1/session")
    r = browser.get("/v1/session")
    assert "max-age=0" in _set_cookies(r)["mq_signed_in"]
    assert "mq_signed_in" not in browser.cookies
    # Neither cookie: nothing to say.
    assert "mq_signed_in" not in _set_cookies(browser.get("/v1/session"))
