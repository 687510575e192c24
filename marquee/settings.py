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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(default=f"sqlite:///{VAR / 'marquee.db'}")
    redis_url: str | None = Field(default=None, description="Unset: in-process cache and limits")
    task_mode: str = Field(default="inprocess", pattern="^(inprocess|celery)$")
    celery_broker_url: str | None = None

    payment_gateway: str = "offline"
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = Field(default=None, description="Override for tests only")

    jwt_secret: SecretStr = SecretStr("dev-only-change-me-0123456789abcdef")
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    encryption_key: SecretStr | None = Field(
        default=None, description="Fernet key for PII at rest; derived from jwt_secret if unset"
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

    # Rate limits (the `limits` notation: "120/minute", "10 per second", several joined by ";").
    # Counted in Redis when REDIS_URL is set, so they hold across every API process.
    rate_limit_login_per_ip: str = "30/minute"
    rate_limit_login_per_account: str = "10/minute"
    rate_limit_hold_per_user: str = "30/minute"
    rate_limit_hold_per_ip: str = "120/minute"
    rate_limit_checkout_per_user: str = "20/minute"
    rate_limit_checkout_per_ip: str = "60/minute"

    @field_validator(
        "rate_limit_login_per_ip",
        "rate_limit_login_per_account",
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


@lru_cache
def get_settings() -> Settings:
    return Settings()
