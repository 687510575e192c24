"""Stripe, through the real `stripe` SDK.

- One PaymentIntent per payment attempt, created with the attempt's idempotency key (Stripe
  stores the first answer per key; a fresh key per attempt avoids `idempotency_error` when a
  customer retries after a decline).
- With a PaymentMethod id in the request's details the intent is confirmed server-side at once;
  without one the browser confirms it with the client secret. Either way fulfilment of anything
  the browser did comes from webhooks, never from the browser's word.
- Webhooks are verified on the raw body with `stripe.Webhook.construct_event` (HMAC over
  "t.body", with a timestamp tolerance), then translated to a GatewayEvent.
- HTTP goes through `stripe.RequestsClient`, so tests intercept it with `responses`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

import stripe

from booking.errors import InvalidSignature, PaymentStateConflict
from booking.ports import (
    GatewayError,
    GatewayEvent,
    GatewayEventKind,
    GatewayResult,
    GatewayStatus,
    PaymentRequest,
    RefundResult,
)
from canonical.money import Money
from canonical.orders import PaymentMethod

log = logging.getLogger(__name__)

# Stripe method types per Marquee method. Wallets (Apple Pay, Google Pay) are card payments to
# Stripe; UPI is its own type where the account has it enabled.
METHOD_TYPES: dict[PaymentMethod, list[str]] = {
    PaymentMethod.CARD: ["card"],
    PaymentMethod.WALLET: ["card"],
    PaymentMethod.UPI: ["upi"],
}

_PI_EVENTS: dict[str, GatewayEventKind] = {
    "payment_intent.processing": GatewayEventKind.PROCESSING,
    "payment_intent.requires_action": GatewayEventKind.PROCESSING,
    "payment_intent.succeeded": GatewayEventKind.SUCCEEDED,
    "payment_intent.canceled": GatewayEventKind.FAILED,
    "payment_intent.payment_failed": GatewayEventKind.FAILED,
}


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        tolerance: int = stripe.Webhook.DEFAULT_TOLERANCE,
        methods: Iterable[PaymentMethod | str] = ("card", "wallet", "upi"),
        timeout: float = 15.0,
        max_network_retries: int = 1,
        return_url: str | None = None,
        **_: Any,
    ) -> None:
        self._secret = webhook_secret
        self._tolerance = tolerance
        self._return_url = return_url
        self.capabilities = frozenset(PaymentMethod(m) for m in methods)
        self.client = stripe.StripeClient(
            api_key,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
            base_addresses={"api": api_base} if api_base else None,
        )

    # --- payments ------------------------------------------------------------------------
    def create_payment(self, request: PaymentRequest) -> GatewayResult:
        params: dict[str, Any] = {
            "amount": request.amount.amount,
            "currency": request.amount.currency.lower(),
            "payment_method_types": METHOD_TYPES[request.method],
            "description": request.description or None,
            "metadata": {"payment_id": request.payment_id, "booking_id": request.booking_id},
        }
        pm = request.details.get("payment_method")
        if pm:
            params.update(payment_method=pm, confirm=True)
            if self._return_url or request.details.get("return_url"):
                params["return_url"] = request.details.get("return_url") or self._return_url
        params = {k: v for k, v in params.items() if v is not None}
        intent = self._call(
            lambda: self.client.v1.payment_intents.create(
                # Built as a plain dict (optional keys dropped); the SDK's TypedDict is the shape.
                params=cast("stripe.params.PaymentIntentCreateParams", params),
                options={"idempotency_key": request.idempotency_key},
            )
        )
        return intent if isinstance(intent, GatewayResult) else self._result(intent)

    def confirm_payment(
        self, gateway_ref: str, idempotency_key: str, details: Mapping[str, Any] | None = None
    ) -> GatewayResult:
        params: dict[str, Any] = {}
        if details and details.get("payment_method"):
            params["payment_method"] = details["payment_method"]
        intent = self._call(
            lambda: self.client.v1.payment_intents.confirm(
                gateway_ref,
                params=cast("stripe.params.PaymentIntentConfirmParams", params),
                options={"idempotency_key": idempotency_key},
            )
        )
        return intent if isinstance(intent, GatewayResult) else self._result(intent)

    def lookup(
        self, payment_id: str, idempotency_key: str, gateway_ref: str | None
    ) -> GatewayResult | None:
        """The PaymentIntent of an attempt whose answer was lost: by id when we have it, else
        by the payment id every intent carries in its metadata."""
        try:
            if gateway_ref:
                intent: Any = self.client.v1.payment_intents.retrieve(gateway_ref)
            else:
                found = self.client.v1.payment_intents.search(
                    params={"query": f"metadata['payment_id']:'{payment_id}'", "limit": 1}
                )
                data = _plain(found).get("data") or []
                if not data:
                    return None
                intent = data[0]
        except stripe.InvalidRequestError as err:
            if err.http_status == 404:
                return None
            raise GatewayError(f"stripe: {err.user_message or err}") from err
        except stripe.StripeError as err:
            raise GatewayError(f"stripe: {err.user_message or err}") from err
        return self._result(intent)

    def refund(self, gateway_ref: str, amount: Money, idempotency_key: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": gateway_ref, "amount": amount.amount},
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as err:
            raise GatewayError(f"stripe: {err.user_message or err}") from err
        except stripe.APIError as err:
            raise GatewayError(f"stripe: {err.user_message or err}") from err
        except stripe.InvalidRequestError as err:
            raise PaymentStateConflict(
                f"stripe refused the refund: {err.user_message or err}", stripe_code=err.code
            ) from err
        return RefundResult(refund_ref=refund.id, amount=amount, status=refund.status or "")

    def _call(self, fn) -> Any:
        try:
            return fn()
        except stripe.CardError as err:
            # A decline: Stripe answers 402 with the intent attached.
            error = _plain(err.error) if err.error else {}
            ref = (error.get("payment_intent") or {}).get("id", "")
            if ref:
                self._cancel_quietly(ref)
            return GatewayResult(
                status=GatewayStatus.FAILED,
                gateway_ref=ref,
                failure_code=err.code or "card_declined",
                failure_message=err.user_message or str(err),
            )
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as err:
            raise GatewayError(f"stripe: {err.user_message or err}") from err

    def _cancel_quietly(self, ref: str) -> None:
        """A declined attempt is over for us; cancel its intent so it cannot succeed later
        (a later attempt is a new intent with a new key)."""
        try:
            self.client.v1.payment_intents.cancel(ref, options={"idempotency_key": f"{ref}:cancel"})
        except stripe.StripeError as err:  # best effort: a late success is refunded anyway
            log.warning("could not cancel declined PaymentIntent %s: %s", ref, err)

    @staticmethod
    def _result(obj: Any) -> GatewayResult:
        intent = _plain(obj)
        status = intent.get("status")
        error = intent.get("last_payment_error") or {}
        if status == "succeeded":
            return GatewayResult(
                GatewayStatus.SUCCEEDED, intent["id"], client_secret=intent.get("client_secret")
            )
        if status == "processing":
            return GatewayResult(
                GatewayStatus.PROCESSING, intent["id"], client_secret=intent.get("client_secret")
            )
        if status == "canceled" or (status == "requires_payment_method" and error):
            return GatewayResult(
                GatewayStatus.FAILED,
                intent["id"],
                failure_code=error.get("code"),
                failure_message=error.get("message") or f"intent {status}",
            )
        next_action = intent.get("next_action") or {}
        action = (
            "3ds"
            if next_action.get("type") in ("use_stripe_sdk", "redirect_to_url")
            else "client_confirm"
        )
        return GatewayResult(
            GatewayStatus.REQUIRES_ACTION,
            intent["id"],
            client_secret=intent.get("client_secret"),
            action=action,
        )

    # --- webhooks ------------------------------------------------------------------------
    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        signature = next((v for k, v in headers.items() if k.lower() == "stripe-signature"), None)
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self._secret, tolerance=self._tolerance
            )
        except stripe.SignatureVerificationError as err:
            raise InvalidSignature(
                f"Stripe signature check failed: {err.user_message or err}"
            ) from err
        except ValueError as err:
            raise InvalidSignature(f"webhook body is not a Stripe event: {err}") from err
        obj = _plain(event.data.object)
        created = datetime.fromtimestamp(event.created, UTC)
        metadata = obj.get("metadata") or {}
        if event.type in _PI_EVENTS:
            kind = _PI_EVENTS[event.type]
            failure = None
            if event.type == "payment_intent.payment_failed":
                error = obj.get("last_payment_error") or {}
                failure = error.get("message") or "payment failed"
                if obj.get("status") != "canceled":
                    # The intent can still be paid (the browser may retry on it): not final.
                    kind = GatewayEventKind.PROCESSING
            return GatewayEvent(
                gateway=self.name,
                event_id=event.id,
                kind=kind,
                gateway_ref=obj.get("id"),
                created=created,
                type=event.type,
                payment_id=metadata.get("payment_id"),
                failure_message=failure,
            )
        if event.type == "charge.refunded":
            return GatewayEvent(
                gateway=self.name,
                event_id=event.id,
                kind=GatewayEventKind.REFUNDED,
                gateway_ref=obj.get("payment_intent"),
                created=created,
                type=event.type,
                payment_id=metadata.get("payment_id"),
                amount_refunded=obj.get("amount_refunded"),
            )
        if event.type == "charge.dispute.created":
            return GatewayEvent(
                gateway=self.name,
                event_id=event.id,
                kind=GatewayEventKind.DISPUTED,
                gateway_ref=obj.get("payment_intent"),
                created=created,
                type=event.type,
                payment_id=metadata.get("payment_id"),
            )
        return GatewayEvent(
            gateway=self.name,
            event_id=event.id,
            kind=GatewayEventKind.IGNORED,
            gateway_ref=obj.get("id"),
            created=created,
            type=event.type,
        )


def _plain(obj: Any) -> dict[str, Any]:
    """StripeObjects are not dicts (SDK 12+): read them as plain nested dicts."""
    if obj is None:
        return {}
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
