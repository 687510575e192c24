"""A small stand-in for Stripe's API on loopback, for browser tests of the Stripe checkout.

It speaks the parts of Stripe's HTTP API that Marquee's gateway (the real `stripe` SDK, pointed
here with STRIPE_API_BASE) and a browser's Stripe.js use, in Stripe's JSON shapes:

- `POST /v1/payment_intents`: a new intent, `requires_payment_method` (paid at once with
  `confirm=true` and a `payment_method`);
- `GET /v1/payment_intents/{id}`, `GET /v1/payment_intents/search` (by
  `metadata['payment_id']:'...'`);
- `POST /v1/payment_intents/{id}/confirm`: pays it with a test card (below);
- `POST /v1/payment_intents/{id}/cancel`;
- `POST /v1/payment_intents/{id}/authenticate` (not Stripe's): the 3-D Secure challenge's
  answer, `result=succeed` or `fail`;
- `POST /v1/refunds`: a `succeeded` refund of a paid intent.

Test cards (`payment_method_data[card][number]`, or Stripe's test PaymentMethod ids):
4242424242424242 (`pm_card_visa`) succeeds; 4000000000000002 (`pm_card_chargeDeclined`) is
declined (402 `card_error`, the intent back to `requires_payment_method`, payable again);
4000002760003184 (`pm_card_authenticationRequired`) is `requires_action` (`use_stripe_sdk`)
until authenticated.

Every change of an intent's outcome sends its event (`payment_intent.succeeded`,
`payment_intent.payment_failed`, `payment_intent.canceled`, `charge.refunded`) to the webhook
URL, signed as Stripe signs (`Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.body")`, through
the SDK's own `stripe.WebhookSignature`), a little later and from another thread, as Stripe
does. Answers allow any origin: Stripe.js calls the API from the shop's page, with simple
form posts (no preflight).

Run it: `python -m simulators.stripe_api --port 8792 --webhook-url
http://127.0.0.1:8000/v1/webhooks/stripe --webhook-secret whsec_...`.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qsl

import stripe

from simulators.httpserver import LoopbackHTTPServer, Request, Response

log = logging.getLogger(__name__)

CARD_SUCCESS = "4242424242424242"
CARD_DECLINE = "4000000000000002"
CARD_3DS = "4000002760003184"
TEST_PAYMENT_METHODS = {
    "pm_card_visa": CARD_SUCCESS,
    "pm_card_chargeDeclined": CARD_DECLINE,
    "pm_card_authenticationRequired": CARD_3DS,
}
DECLINE_MESSAGE = "Your card was declined."

_INTENT = re.compile(r"^/v1/payment_intents/(?P<id>pi_[A-Za-z0-9]+)(?:/(?P<verb>[a-z_]+))?$")


def decode_form(body: bytes) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[payment_id]=x`, `payment_method_types[0]=card`) as
    nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(node, list):
                if last:
                    node.append(value)
                else:
                    node.append({})
                    node = node[-1]
                continue
            if last:
                node[part] = value
            else:
                nxt = parts[index + 1]
                node = node.setdefault(part, [] if nxt.isdigit() else {})
    return root


def _error(status: int, kind: str, message: str, **extra: Any) -> Response:
    return _answer({"error": {"type": kind, "message": message, **extra}}, status)


def _answer(payload: Any, status: int = 200) -> Response:
    response = Response.json(payload, status)
    response.headers.update(
        {"Access-Control-Allow-Origin": "*", "Request-Id": f"req_{secrets.token_hex(7)}"}
    )
    return response


class FakeStripe:
    """The intents and refunds it has made, and where it sends events."""

    def __init__(
        self,
        webhook_url: str | None = None,
        webhook_secret: str = "whsec_test",
        *,
        webhook_delay: float = 0.5,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_delay = webhook_delay
        self.intents: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, Response] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []  # (method, path, params)
        self.deliveries: list[tuple[str, int | str]] = []  # (event type, webhook status)
        self._lock = threading.Lock()
        self.server = LoopbackHTTPServer(self.handle, host, port)

    @property
    def base(self) -> str:
        return self.server.base

    def start(self) -> FakeStripe:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    # --- HTTP ------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        params = decode_form(request.body) if request.method == "POST" else {}
        if request.method == "GET":
            params = {k: v[0] for k, v in request.query.items() if v}
        with self._lock:
            self.requests.append((request.method, request.path, params))
            key = request.headers.get("Idempotency-Key")
            if key and request.method == "POST" and f"{request.path}|{key}" in self.by_key:
                return self.by_key[f"{request.path}|{key}"]
            response = self._route(request.method, request.path, params)
            if key and request.method == "POST":
                self.by_key[f"{request.path}|{key}"] = response
            return response

    def _route(self, method: str, path: str, params: dict[str, Any]) -> Response:
        if method == "POST" and path == "/v1/payment_intents":
            return self._create(params)
        if method == "GET" and path == "/v1/payment_intents/search":
            return self._search(params.get("query", ""))
        if method == "POST" and path == "/v1/refunds":
            return self._refund(params)
        found = _INTENT.match(path)
        if not found:
            return _error(404, "invalid_request_error", f"Unrecognized request URL ({path})")
        intent = self.intents.get(found["id"])
        if intent is None:
            return _error(
                404,
                "invalid_request_error",
                f"No such payment_intent: '{found['id']}'",
                code="resource_missing",
            )
        verb = found["verb"]
        if verb is None and method == "GET":
            if params.get("client_secret") not in (None, intent["client_secret"]):
                return _error(403, "invalid_request_error", "client_secret does not match")
            return _answer(intent)
        if method != "POST":
            return _error(405, "invalid_request_error", "method not allowed")
        if verb == "confirm":
            return self._confirm(intent, params)
        if verb == "cancel":
            return self._cancel(intent)
        if verb == "authenticate":
            return self._authenticate(intent, params.get("result") == "succeed")
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({path})")

    # --- intents ---------------------------------------------------------------------------
    def _create(self, params: dict[str, Any]) -> Response:
        pid = f"pi_{secrets.token_hex(12)}"
        intent: dict[str, Any] = {
            "id": pid,
            "object": "payment_intent",
            "amount": int(params.get("amount", 0)),
            "currency": params.get("currency", "inr"),
            "status": "requires_payment_method",
            "client_secret": f"{pid}_secret_{secrets.token_hex(12)}",
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "payment_method": None,
            "next_action": None,
            "last_payment_error": None,
            "livemode": False,
            "created": int(time.time()),
        }
        self.intents[pid] = intent
        if params.get("confirm") == "true":
            return self._confirm(intent, params)
        return _answer(intent)

    def _search(self, query: str) -> Response:
        wanted = re.search(r"metadata\['payment_id'\]:'([^']*)'", query)
        data = [
            i
            for i in self.intents.values()
            if wanted and i["metadata"].get("payment_id") == wanted.group(1)
        ]
        return _answer(
            {"object": "search_result", "data": data, "has_more": False, "url": "/v1/search"}
        )

    def _confirm(self, intent: dict[str, Any], params: dict[str, Any]) -> Response:
        if intent["status"] in ("succeeded", "canceled", "processing"):
            return _error(
                400,
                "invalid_request_error",
                f"This PaymentIntent's status is {intent['status']}: it cannot be confirmed.",
                code="payment_intent_unexpected_state",
                payment_intent=intent,
            )
        if "client_secret" in params and params["client_secret"] != intent["client_secret"]:
            return _error(403, "invalid_request_error", "client_secret does not match")
        pm = params.get("payment_method")
        card = TEST_PAYMENT_METHODS.get(pm or "") or (
            ((params.get("payment_method_data") or {}).get("card") or {}).get("number", "")
        )
        card = re.sub(r"\D", "", card or "")
        if not card:
            return _error(
                400,
                "invalid_request_error",
                "You must provide a payment method.",
                code="payment_intent_unexpected_state",
            )
        intent["payment_method"] = pm or f"pm_{secrets.token_hex(12)}"
        if params.get("return_url"):
            intent["return_url"] = params["return_url"]
        if card == CARD_DECLINE:
            return self._decline(intent)
        if card == CARD_3DS:
            intent.update(
                status="requires_action",
                last_payment_error=None,
                next_action={
                    "type": "use_stripe_sdk",
                    "use_stripe_sdk": {"type": "three_d_secure_redirect"},
                },
            )
            return _answer(intent)
        self._succeed(intent)
        return _answer(intent)

    def _authenticate(self, intent: dict[str, Any], passed: bool) -> Response:
        if intent["status"] != "requires_action":
            return _error(
                400,
                "invalid_request_error",
                "nothing to authenticate",
                code="payment_intent_unexpected_state",
            )
        intent["next_action"] = None
        if not passed:
            intent.update(
                status="requires_payment_method",
                last_payment_error={
                    "type": "card_error",
                    "code": "payment_intent_authentication_failure",
                    "message": "We are unable to authenticate your payment method.",
                },
            )
            self._send_event("payment_intent.payment_failed", intent)
            return _answer(intent)
        self._succeed(intent)
        return _answer(intent)

    def _decline(self, intent: dict[str, Any]) -> Response:
        error = {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": DECLINE_MESSAGE,
        }
        intent.update(status="requires_payment_method", last_payment_error=error, next_action=None)
        self._send_event("payment_intent.payment_failed", intent)
        # As Stripe answers a declined confirmation: 402 with the intent attached.
        return _answer({"error": {**error, "payment_intent": dict(intent)}}, 402)

    def _succeed(self, intent: dict[str, Any]) -> None:
        intent.update(status="succeeded", last_payment_error=None, next_action=None)
        intent["latest_charge"] = f"ch_{secrets.token_hex(12)}"
        self._send_event("payment_intent.succeeded", intent)

    def _cancel(self, intent: dict[str, Any]) -> Response:
        if intent["status"] == "succeeded":
            return _error(
                400,
                "invalid_request_error",
                "a succeeded PaymentIntent cannot be canceled",
                code="payment_intent_unexpected_state",
            )
        intent.update(status="canceled", next_action=None)
        self._send_event("payment_intent.canceled", intent)
        return _answer(intent)

    def _refund(self, params: dict[str, Any]) -> Response:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return _error(
                400,
                "invalid_request_error",
                "This PaymentIntent has no charge to refund.",
                code="charge_not_refundable",
            )
        amount = int(params.get("amount") or intent["amount"])
        refunded = intent.get("amount_refunded", 0) + amount
        if refunded > intent["amount"]:
            return _error(
                400,
                "invalid_request_error",
                "Refund amount is greater than the charge.",
                code="amount_too_large",
            )
        intent["amount_refunded"] = refunded
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        charge = {
            "id": intent.get("latest_charge"),
            "object": "charge",
            "payment_intent": intent["id"],
            "amount": intent["amount"],
            "amount_refunded": refunded,
            "refunded": refunded == intent["amount"],
            "metadata": intent["metadata"],
        }
        self._send_event("charge.refunded", charge)
        return _answer(refund)

    # --- webhooks --------------------------------------------------------------------------
    def _send_event(self, kind: str, obj: dict[str, Any]) -> None:
        if not self.webhook_url:
            return
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "api_version": "2024-06-20",
            "livemode": False,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        threading.Thread(
            target=self._deliver, args=(event,), daemon=True, name=f"stripe-event-{kind}"
        ).start()

    def signed(self, payload: str) -> str:
        """The Stripe-Signature header of a body, as Stripe computes it."""
        return stripe.WebhookSignature.generate_signature_header(payload, self.webhook_secret)

    def _deliver(self, event: dict[str, Any]) -> None:
        """Delivery with retries, as Stripe retries an event that was not answered 2xx (an
        event about a payment the API does not know yet is answered so, and retried)."""
        time.sleep(self.webhook_delay)
        payload = json.dumps(event)
        assert self.webhook_url is not None
        status: int | str = "not sent"
        for attempt in range(8):
            request = urllib.request.Request(
                self.webhook_url,
                data=payload.encode(),
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": self.signed(payload),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
                    status = answer.status
                    body = json.loads(answer.read() or b"{}")
                if body.get("result") != "unknown_payment":
                    break
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError as err:
                status = f"unreachable: {err}"
            time.sleep(0.5 * (attempt + 1))
        with self._lock:
            self.deliveries.append((event["type"], status))
        log.info("event %s delivered: %s", event["type"], status)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Stripe API on loopback, for tests")
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default="whsec_test")
    parser.add_argument("--webhook-delay", type=float, default=0.5)
    args = parser.parse_args(argv)
    fake = FakeStripe(
        args.webhook_url, args.webhook_secret, webhook_delay=args.webhook_delay, port=args.port
    ).start()
    print(f"fake Stripe API on {fake.base}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
