#!/bin/sh
# The demo with PAYMENT_GATEWAY=stripe, on a throwaway SQLite database of its own, for the Stripe
# checkout's browser tests. Stripe's API is the fake one in simulators/stripe_api.py on loopback
# (STRIPE_API_BASE); it sends its signed events to this server's webhook. No legacy POS
# simulators: the tests use the partner theatre the setup project makes.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT="${E2E_PORT:-8791}"
STRIPE_PORT="${E2E_STRIPE_API_PORT:-8792}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
export DATABASE_URL="sqlite:///$TMP/marquee.db"
export MARQUEE_ENV=development
export JWT_SECRET="browser-tests-$(date +%s)-0123456789abcdef0123456789"
export NOTIFY_DIR="$TMP/mail"
export RATE_LIMIT_LOGIN_PER_IP=1000/minute RATE_LIMIT_LOGIN_PER_ACCOUNT=1000/minute
export RATE_LIMIT_HOLD_PER_USER=1000/minute RATE_LIMIT_HOLD_PER_IP=5000/minute
export RATE_LIMIT_CHECKOUT_PER_USER=1000/minute RATE_LIMIT_CHECKOUT_PER_IP=5000/minute
export VAR_DIR="$TMP/var" SECRETS_FILE="$TMP/demo-secrets.json"
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
"$ROOT/.venv/bin/python" -c "from marquee.cli import app; app()" demo --port "$PORT" --no-legacy &
PID=$!
trap 'kill $PID $STRIPE_PID 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
wait $PID
