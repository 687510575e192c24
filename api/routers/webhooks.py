"""Payment gateway webhooks. The raw body is read untouched (a signature covers exact bytes) and
handed to the gateway's own verification; nothing is trusted before it passes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.context import Ctx
from api.problems import ApiProblem
from api.schemas_booking import WebhookOut
from booking.errors import InvalidSignature, UnknownGateway
from marquee import observability

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post(
    "/stripe",
    operation_id="webhooks_stripe_webhook",
    response_model=WebhookOut,
    summary="Stripe events (Stripe-Signature verified with the webhook secret)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def stripe_webhook(request: Request, ctx: Ctx) -> WebhookOut:
    payload = await request.body()
    headers = {k: v for k, v in request.headers.items()}
    try:
        # Sync service call from an async endpoint: run it off the event loop.
        from starlette.concurrency import run_in_threadpool

        result = await run_in_threadpool(
            ctx.booking.handle_gateway_event, "stripe", payload, headers
        )
    except UnknownGateway:
        observability.WEBHOOKS.labels("stripe", "not_configured").inc()
        raise ApiProblem(
            404, "gateway_not_configured", "the Stripe gateway is not configured on this hub"
        ) from None
    except InvalidSignature:
        observability.WEBHOOKS.labels("stripe", "bad_signature").inc()
        raise
    observability.WEBHOOKS.labels("stripe", result).inc()
    return WebhookOut(result=result)
