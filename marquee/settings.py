"""Settings from environment variables (prefix-free, as twelve-factor deployments expect).

Every setting has an embedded default so `make demo` runs with nothing configured: a SQLite file
under var/, in-process tasks, in-process rate limits, the offline payment gateway.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEV_JWT_SECRET = "dev-only-change-me-0123456789abcdef"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(default=f"sqlite:///{VAR / 'marquee.db'}")
    # A streaming replica for reads that tolerate staleness (catalog, show lists); unused while
    # it lags more than replica_max_lag_seconds. Seat-selling decisions always use the primary.
    replica_database_url: str | None = None
    replica_max_lag_seconds: float = Field(default=5.0, gt=0)
    redis_url: str | None = Field(default=None, description="Unset: in-process cache and limits")
    task_mode: str = Field(default="inprocess", pattern="^(inprocess|celery)$")
    celery_broker_url: str | None = None

    payment_gateway: str = "offline"
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = Field(default=None, description="Override for tests only")
    # Public (pk_...): the browser's Stripe.js uses it; card data goes to Stripe, never to us.
    stripe_publishable_key: str | None = None

    # `production` (the default) refuses to start on development secrets and denies loopback
    # connector endpoints; `make demo`, `marquee demo` and the tests set `development`.
    marquee_env: str = Field(default="production", pattern="^(production|development)$")
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_previous_secrets: SecretStr | None = Field(
        default=None, description="Comma-separated old signing keys that still verify (rotation)"
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet key(s) for PII at rest, comma-separated, newest first; required in "
        "production (development derives one from jwt_secret)",
    )
    metrics_token: SecretStr | None = Field(default=None, description="Bearer token for /metrics")
    trusted_proxies: str = Field(
        default="", description="Comma-separated proxy addresses whose X-Forwarded-For is believed"
    )
    connector_allowed_networks: str = Field(
        default="", description="Comma-separated CIDRs a connector endpoint may reach (on-premise)"
    )
    cors_origins: list[str] = Field(default_factory=list)
    max_request_bytes: int = 1_000_000

    secrets_file: Path | None = Field(default=None, description="JSON/YAML of connector secrets")
    mappings_dir: Path = ROOT / "mappings"
    var_dir: Path = VAR

    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "tickets@marquee.local"
    notify_dir: Path = VAR / "outbox-mail"

    log_level: str = "INFO"
    log_json: bool = True

    # How long a full read of a show's seat states may refuse later hold requests without the
    # database (booking/availability.py): never accepts, so never oversells; 0 turns it off.
    availability_snapshot_seconds: float = Field(default=0.25, ge=0, le=5)
    # Per-customer hold caps: seats held on one show across all the customer's holds (unset:
    # the theatre's max seats per hold) and live holds anywhere.
    max_seats_held_per_show: int | None = Field(default=None, ge=1, le=500)
    max_live_holds_per_customer: int = Field(default=5, ge=1, le=100)
    # The stuck sweep settles payment attempts and pending bookings older than this.
    stuck_after_seconds: int = Field(default=900, ge=60, le=86400)

    # Rate limits (the `limits` notation: "120/minute", "10 per second", several joined by ";").
    # Counted in Redis when REDIS_URL is set, so they hold across every API process.
    rate_limit_login_per_ip: str = "30/minute"
    rate_limit_login_per_account: str = "10/minute"  # failures per (account, client address)
    rate_limit_login_account_ceiling: str = "100/hour"  # failures per account, from anywhere
    rate_limit_hold_per_user: str = "30/minute"
    rate_limit_hold_per_ip: str = "120/minute"
    rate_limit_checkout_per_user: str = "20/minute"
    rate_limit_checkout_per_ip: str = "60/minute"

    @field_validator(
        "rate_limit_login_per_ip",
        "rate_limit_login_per_account",
        "rate_limit_login_account_ceiling",
        "rate_limit_hold_per_user",
        "rate_limit_hold_per_ip",
        "rate_limit_checkout_per_user",
        "rate_limit_checkout_per_ip",
    )
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        # Fail at start-up on a typo, not with a 500 on the first login.
        try:
            parse_many(value)
        except ValueError as err:
            raise ValueError(f"not a rate limit: {value!r} (e.g. '120/minute')") from err
        return value

    @property
    def development(self) -> bool:
        return self.marquee_env == "development"

    def jwt_verify_secrets(self) -> list[str]:
        """The signing key first, then the previous keys still accepted during a rotation."""
        previous = self.jwt_previous_secrets.get_secret_value() if self.jwt_previous_secrets else ""
        return [self.jwt_secret.get_secret_value(), *_split(previous)]

    def start_refusal(self) -> str | None:
        """Why a server or worker must not start with these settings (None: it may). Development
        mode accepts the built-in secrets; production needs real ones."""
        missing = self.missing_gateway_settings()
        if missing:
            return f"PAYMENT_GATEWAY={self.payment_gateway} needs {', '.join(missing)}"
        if self.development:
            return None
        jwt = self.jwt_secret.get_secret_value()
        hint = "set it, or MARQUEE_ENV=development for a local try-out"
        if jwt == DEV_JWT_SECRET:
            return f"JWT_SECRET is unset or the built-in development value: {hint}"
        if len(jwt.encode()) < MIN_SECRET_BYTES:
            return f"JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes: {hint}"
        keys = _split(self.encryption_key.get_secret_value()) if self.encryption_key else []
        if not keys:
            return f"ENCRYPTION_KEY is unset (its own secret, never derived in production): {hint}"
        if any(len(key.encode()) < MIN_SECRET_BYTES for key in keys):
            return f"ENCRYPTION_KEY has a key shorter than {MIN_SECRET_BYTES} bytes"
        if set(keys) & set(self.jwt_verify_secrets()):
            return "ENCRYPTION_KEY must be a secret of its own, not a JWT signing key"
        return None

    def missing_gateway_settings(self) -> list[str]:
        """The settings the configured payment gateway needs and does not have (in any mode:
        Stripe without its keys cannot take a payment, nor can the browser pay it)."""
        if self.payment_gateway != "stripe":
            return []
        needed = {
            "STRIPE_API_KEY": self.stripe_api_key,
            "STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret,
            "STRIPE_PUBLISHABLE_KEY": self.stripe_publishable_key,
        }
        return [name for name, value in needed.items() if not value]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
