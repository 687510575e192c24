"""Settings from environment variables (prefix-free, as twelve-factor deployments expect).

Every setting has an embedded default so `make demo` runs with nothing configured: a SQLite file
under var/, in-process tasks, in-process rate limits, the offline payment gateway.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
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


@lru_cache
def get_settings() -> Settings:
    return Settings()
