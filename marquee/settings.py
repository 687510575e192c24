"""Settings from environment variables (prefix-free, as twelve-factor deployments expect).

One tree: `Settings` holds a group per concern (database, redis, worker, payments, security,
http, connectors, notifications, logging, rate limits, booking limits, files), each a
pydantic-settings class that reads its own flat variables: DATABASE_URL fills
`settings.database.url`, OUTBOX_MAX_ATTEMPTS fills `settings.worker.outbox_max_attempts`,
RATE_LIMIT_HOLD_PER_USER fills `settings.rate_limits.hold_per_user`. The root reads nothing from
the environment itself; it only gathers the groups, so a validation error names the group and
the variable at fault. Code may also pass the flat names as keywords
(`Settings(database_url=..., outbox_max_attempts=3)`): they go to their group, whose other fields
still come from the environment.

Every setting has an embedded default so `make demo` runs with nothing configured: a SQLite file
under var/, in-process tasks, in-process rate limits, the offline payment gateway.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEV_JWT_SECRET = "dev-only-change-me-0123456789abcdef"
MIN_SECRET_BYTES = 32


class _Group(BaseSettings):
    """A group of the tree: reads its flat environment names (field name, else `env_prefix` +
    field name, else the field's alias) and takes field names or flat names as keywords."""

    # Aliased fields are read by their alias alone: by name as well, `URL` or `ENV` in the
    # environment would fill DATABASE_URL or MARQUEE_ENV. Keywords may still use field names
    # (`DatabaseSettings(url=...)`): __init__ turns them into the aliases.
    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", validate_by_name=False, validate_by_alias=True
    )

    def __init__(self, **values: Any) -> None:
        aliases = type(self).aliases()
        super().__init__(**{aliases.get(key, key): value for key, value in values.items()})

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """Field name -> its environment alias, for the aliased fields."""
        return {
            name: info.validation_alias
            for name, info in cls.model_fields.items()
            if isinstance(info.validation_alias, str)
        }

    @classmethod
    def flat_names(cls) -> dict[str, str]:
        """Environment name (lower case) -> field name."""
        prefix = str(cls.model_config.get("env_prefix") or "")
        out: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            alias = info.validation_alias
            out[(alias if isinstance(alias, str) else prefix + name).lower()] = name
        return out


class DatabaseSettings(_Group):
    url: str = Field(default=f"sqlite:///{VAR / 'marquee.db'}", validation_alias="DATABASE_URL")
    # A streaming replica for reads that tolerate staleness (catalog, show lists); unused while
    # it lags more than replica_max_lag_seconds. Seat-selling decisions always use the primary.
    replica_url: str | None = Field(default=None, validation_alias="REPLICA_DATABASE_URL")
    replica_max_lag_seconds: float = Field(default=5.0, gt=0)


class RedisSettings(_Group):
    url: str | None = Field(
        default=None,
        validation_alias="REDIS_URL",
        description="Unset: in-process cache, rate limits and seat events",
    )


class WorkerSettings(_Group):
    """How the outbox is delivered: on a thread of the API process or by Celery workers."""

    task_mode: str = Field(default="inprocess", pattern="^(inprocess|celery)$")
    celery_broker_url: str | None = None
    outbox_max_attempts: int = Field(default=8, ge=1)
    # Backoff between attempts: base * 2^(attempt-1), capped.
    outbox_retry_base_seconds: float = Field(default=2.0, ge=0)
    outbox_retry_max_seconds: float = Field(default=600.0, ge=0)
    # How long a claimed row is ours. A relay or worker that dies gives the row back after this;
    # it must comfortably exceed one delivery (a slow POS call included).
    outbox_lease_seconds: float = Field(default=60.0, gt=0)
    outbox_batch: int = Field(default=100, ge=1)
    relay_interval_seconds: float = Field(default=1.0, gt=0)
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    # Redis redelivers a task a dead worker never acknowledged after this many seconds.
    celery_visibility_timeout: int = Field(default=300, ge=1)


class PaymentSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="STRIPE_")

    gateway: str = Field(default="offline", validation_alias="PAYMENT_GATEWAY")
    api_key: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    api_base: str | None = Field(default=None, description="Override for tests only")
    # Public (pk_...): the browser's Stripe.js uses it; card data goes to Stripe, never to us.
    publishable_key: str | None = None

    def missing(self) -> list[str]:
        """The settings the configured payment gateway needs and does not have (in any mode:
        Stripe without its keys cannot take a payment, nor can the browser pay it)."""
        if self.gateway != "stripe":
            return []
        needed = {
            "STRIPE_API_KEY": self.api_key,
            "STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "STRIPE_PUBLISHABLE_KEY": self.publishable_key,
        }
        return [name for name, value in needed.items() if not value]


class SecuritySettings(_Group):
    # `production` (the default) refuses to start on development secrets and denies loopback
    # connector endpoints; `make demo`, `marquee demo` and the tests set `development`.
    env: str = Field(
        default="production", pattern="^(production|development)$", validation_alias="MARQUEE_ENV"
    )
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

    @property
    def development(self) -> bool:
        return self.env == "development"

    def jwt_verify_secrets(self) -> list[str]:
        """The signing key first, then the previous keys still accepted during a rotation."""
        previous = self.jwt_previous_secrets.get_secret_value() if self.jwt_previous_secrets else ""
        return [self.jwt_secret.get_secret_value(), *_split(previous)]

    def encryption_key_value(self) -> str | None:
        return self.encryption_key.get_secret_value() if self.encryption_key else None

    def secrets_refusal(self) -> str | None:
        """Why production must not start on these secrets (None: it may). Development mode
        accepts the built-in ones."""
        if self.development:
            return None
        jwt = self.jwt_secret.get_secret_value()
        hint = "set it, or MARQUEE_ENV=development for a local try-out"
        if jwt == DEV_JWT_SECRET:
            return f"JWT_SECRET is unset or the built-in development value: {hint}"
        if len(jwt.encode()) < MIN_SECRET_BYTES:
            return f"JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes: {hint}"
        keys = _split(self.encryption_key_value() or "")
        if not keys:
            return f"ENCRYPTION_KEY is unset (its own secret, never derived in production): {hint}"
        if any(len(key.encode()) < MIN_SECRET_BYTES for key in keys):
            return f"ENCRYPTION_KEY has a key shorter than {MIN_SECRET_BYTES} bytes"
        if set(keys) & set(self.jwt_verify_secrets()):
            return "ENCRYPTION_KEY must be a secret of its own, not a JWT signing key"
        return None


class HttpSettings(_Group):
    trusted_proxies: str = Field(
        default="", description="Comma-separated proxy addresses whose X-Forwarded-For is believed"
    )
    cors_origins: list[str] = Field(default_factory=list)
    max_request_bytes: int = 1_000_000


class ConnectorSettings(_Group):
    secrets_file: Path | None = Field(default=None, description="JSON/YAML of connector secrets")
    mappings_dir: Path = ROOT / "mappings"
    allowed_networks: str = Field(
        default="",
        validation_alias="CONNECTOR_ALLOWED_NETWORKS",
        description="Comma-separated CIDRs a connector endpoint may reach (on-premise)",
    )
    # "module:callable" returning booking's TheatreLinkResolver; unset: the connectors' resolver
    # when it exists, else native theatres only.
    theatre_links: str | None = None


class NotificationSettings(_Group):
    smtp_host: str | None = None
    smtp_port: int = 25
    # A mail provider's submission port (587) wants STARTTLS and a login.
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "tickets@marquee.local"
    notify_dir: Path = VAR / "outbox-mail"


class LoggingSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="LOG_")

    level: str = "INFO"
    as_json: bool = Field(default=True, validation_alias="LOG_JSON")


class RateLimitSettings(_Group):
    """The `limits` notation: "120/minute", "10 per second", several joined by ";". Counted in
    Redis when REDIS_URL is set, so they hold across every API process."""

    model_config = SettingsConfigDict(env_prefix="RATE_LIMIT_")

    login_per_ip: str = "30/minute"
    login_per_account: str = "10/minute"  # failures per (account, client address)
    login_account_ceiling: str = "100/hour"  # failures per account, from anywhere
    hold_per_user: str = "30/minute"
    hold_per_ip: str = "120/minute"
    checkout_per_user: str = "20/minute"
    checkout_per_ip: str = "60/minute"

    @field_validator("*")
    @classmethod
    def _parses(cls, value: str) -> str:
        # Fail at start-up on a typo, not with a 500 on the first login.
        try:
            parse_many(value)
        except ValueError as err:
            raise ValueError(f"not a rate limit: {value!r} (e.g. '120/minute')") from err
        return value


class BookingSettings(_Group):
    # How long a full read of a show's seat states may refuse later hold requests without the
    # database (booking/availability.py): never accepts, so never oversells; 0 turns it off.
    availability_snapshot_seconds: float = Field(default=0.25, ge=0, le=5)
    # Per-customer hold caps: seats held on one show across all the customer's holds (unset:
    # the theatre's max seats per hold) and live holds anywhere.
    max_seats_held_per_show: int | None = Field(default=None, ge=1, le=500)
    max_live_holds_per_customer: int = Field(default=5, ge=1, le=100)
    # The stuck sweep settles payment attempts and pending bookings older than this.
    stuck_after_seconds: int = Field(default=900, ge=60, le=86400)


class FileSettings(_Group):
    # The hub's runtime files (the SQLite demo database's folder, beat's schedule, demo secrets).
    var_dir: Path = VAR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    connectors: ConnectorSettings = Field(default_factory=ConnectorSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    booking: BookingSettings = Field(default_factory=BookingSettings)
    files: FileSettings = Field(default_factory=FileSettings)

    _flat: ClassVar[dict[str, tuple[str, str]] | None] = None

    def __init__(self, **values: Any) -> None:
        super().__init__(**self._grouped(values))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The groups read the environment; the root would otherwise also take variables named
        # like a group (DATABASE, LOGGING) for JSON.
        return (init_settings,)

    @classmethod
    def groups(cls) -> dict[str, type[_Group]]:
        out: dict[str, type[_Group]] = {}
        for name, info in cls.model_fields.items():
            assert isinstance(info.annotation, type) and issubclass(info.annotation, _Group)
            out[name] = info.annotation
        return out

    @classmethod
    def flat_names(cls) -> dict[str, tuple[str, str]]:
        """Environment name (lower case) -> (group, field)."""
        if cls._flat is None:
            cls._flat = {
                flat: (group, field)
                for group, model in cls.groups().items()
                for flat, field in model.flat_names().items()
            }
        return cls._flat

    @classmethod
    def environment_names(cls) -> list[str]:
        """Every variable the settings read (DATABASE_URL, OUTBOX_MAX_ATTEMPTS, ...)."""
        return sorted(name.upper() for name in cls.flat_names())

    @classmethod
    def _grouped(cls, values: dict[str, Any]) -> dict[str, Any]:
        groups = cls.groups()
        flat = cls.flat_names()
        given: dict[str, dict[str, Any]] = {}
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key in groups:
                if isinstance(value, dict):
                    given.setdefault(key, {}).update(value)
                else:
                    out[key] = value
            elif key.lower() in flat:
                group, field = flat[key.lower()]
                given.setdefault(group, {})[field] = value
            else:
                out[key] = value  # refused below: extra="forbid" names it
        for group, fields in given.items():
            if group in out:
                raise TypeError(f"settings: {group} given both as a group and by its fields")
            # Constructed here, not validated from a dict, so the group's other fields still
            # come from the environment.
            out[group] = groups[group](**fields)
        return out

    def start_refusal(self) -> str | None:
        """Why a server or worker must not start with these settings (None: it may). Development
        mode accepts the built-in secrets; production needs real ones."""
        missing = self.payments.missing()
        if missing:
            return f"PAYMENT_GATEWAY={self.payments.gateway} needs {', '.join(missing)}"
        return self.security.secrets_refusal()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
