"""The Stripe webhook endpoint: the raw body is verified with the Stripe-Signature header by the
Stripe gateway (real SDK, no network needed for verification)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from tests.api.conftest import make_api

SECRET = "whsec_test_secret"


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    t = int(time.time())
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"}


def test_stripe_webhook_verifies_the_signature(sqlite_url):
    for api in make_api(
        sqlite_url,
        payment_gateway="stripe",
        stripe_api_key="sk_test_x",
        stripe_webhook_secret=SECRET,
    ):
        event = {
            "id": "evt_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": {"id": "pi_unknown", "object": "payment_intent", "metadata": {}}},
        }
        body = json.dumps(event).encode()
        forged = api.client.post(
            "/v1/webhooks/stripe", content=body, headers=_signed(body, "whsec_wrong")
        )
        assert forged.status_code == 400 and forged.json()["code"] == "invalid_signature"
        ok = api.client.post("/v1/webhooks/stripe", content=body, headers=_signed(body))
        # Verified, but no payment of ours has that intent: not recorded, so Stripe retries.
        assert ok.status_code == 200 and ok.json() == {"result": "unknown_payment"}
        metrics = api.client.get("/metrics").text
        assert 'marquee_webhooks_total{gateway="stripe",outcome="bad_signature"}' in metrics
