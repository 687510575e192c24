"""GET /v1/payments/config: what the checkout page needs to pay with the configured gateway.
Public (the page asks before anyone signs in), and never a secret."""

from __future__ import annotations

from marquee.settings import Settings
from tests.api.conftest import make_api


def test_offline_gateway_has_no_publishable_key(sqlite_url):
    for api in make_api(sqlite_url, stripe_publishable_key="pk_test_unused"):
        answer = api.client.get("/v1/payments/config")
        assert answer.status_code == 200
        assert answer.json() == {"gateway": "offline", "publishable_key": None}


def test_stripe_gateway_gives_the_publishable_key_only(sqlite_url):
    for api in make_api(
        sqlite_url,
        payment_gateway="stripe",
        stripe_api_key="sk_test_secret_key",
        stripe_webhook_secret="whsec_secret",
        stripe_publishable_key="pk_test_public",
    ):
        answer = api.client.get("/v1/payments/config")
        assert answer.status_code == 200
        assert answer.json() == {"gateway": "stripe", "publishable_key": "pk_test_public"}
        assert "sk_test" not in answer.text and "whsec" not in answer.text


def test_stripe_without_its_keys_refuses_to_start_even_in_development():
    settings = Settings(marquee_env="development", payment_gateway="stripe", stripe_api_key="sk")
    refusal = settings.start_refusal()
    assert refusal is not None
    assert "STRIPE_WEBHOOK_SECRET" in refusal and "STRIPE_PUBLISHABLE_KEY" in refusal
    assert "STRIPE_API_KEY" not in refusal
    complete = Settings(
        marquee_env="development",
        payment_gateway="stripe",
        stripe_api_key="sk",
        stripe_webhook_secret="whsec",
        stripe_publishable_key="pk_test_x",
    )
    assert complete.start_refusal() is None
    assert Settings(marquee_env="development").start_refusal() is None
