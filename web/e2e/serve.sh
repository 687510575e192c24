#!/bin/sh
# The demo (API, web app, legacy POS simulators) on a throwaway SQLite database, for the browser
# tests.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
export DATABASE_URL="sqlite:///$TMP/marquee.db"
export MARQUEE_ENV=development
export JWT_SECRET="browser-tests-$(date +%s)-0123456789abcdef0123456789"
export NOTIFY_DIR="${E2E_MAIL_DIR:-$TMP/mail}"
# The tests sign many customers up from one address: the login limits would refuse them.
export RATE_LIMIT_LOGIN_PER_IP=1000/minute RATE_LIMIT_LOGIN_PER_ACCOUNT=1000/minute
export RATE_LIMIT_HOLD_PER_USER=1000/minute RATE_LIMIT_HOLD_PER_IP=5000/minute
export RATE_LIMIT_CHECKOUT_PER_USER=1000/minute RATE_LIMIT_CHECKOUT_PER_IP=5000/minute
export VAR_DIR="$TMP/var" SECRETS_FILE="$TMP/demo-secrets.json"
cd "$ROOT"
# `marquee demo`: migrations, demo data, the legacy POS simulators on loopback and their
# theatres imported, the in-process worker; exactly what a person runs.
# E2E_DEMO_ARGS: more `marquee demo` options (e2e/serve-stripe.sh passes --no-legacy).
# shellcheck disable=SC2086
"$ROOT/.venv/bin/python" -c "from marquee.cli import app; app()" demo --port "${E2E_PORT:-8790}" \
  ${E2E_DEMO_ARGS:-} &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
wait $PID
