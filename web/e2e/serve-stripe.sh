#!/bin/sh
# The browser tests' demo server (e2e/serve.sh) with PAYMENT_GATEWAY=stripe, for the Stripe
# checkout's browser tests. Stripe's API is the fake one in simulators/stripe_api.py on loopback
# (STRIPE_API_BASE); it sends its signed events to this server's webhook. No legacy POS
# simulators: the tests use the partner theatre the setup project makes.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT="${E2E_PORT:-8791}"
STRIPE_PORT="${E2E_STRIPE_API_PORT:-8792}"
export PAYMENT_GATEWAY=stripe
export STRIPE_API_KEY="sk_test_browser_tests"
export STRIPE_PUBLISHABLE_KEY="pk_test_browser_tests"
export STRIPE_WEBHOOK_SECRET="whsec_browser_tests_$(date +%s)"
export STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT"
cd "$ROOT"
"$ROOT/.venv/bin/python" -m simulators.stripe_api --port "$STRIPE_PORT" \
  --webhook-url "http://127.0.0.1:$PORT/v1/webhooks/stripe" \
  --webhook-secret "$STRIPE_WEBHOOK_SECRET" &
STRIPE_PID=$!
E2E_PORT="$PORT" E2E_DEMO_ARGS="--no-legacy" sh "$HERE/serve.sh" &
PID=$!
trap 'kill $PID $STRIPE_PID 2>/dev/null' EXIT INT TERM
wait $PID
