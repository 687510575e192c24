"""One settings tree read from flat environment names, and one composition root that builds each
part once: the API and its in-process worker share one booking service."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from marquee.bootstrap import build_hub
from marquee.settings import SecuritySettings, Settings, WorkerSettings

# Names deployments, deploy/, docs and .env examples set: they must keep working unchanged.
FLAT_NAMES = {
    "DATABASE_URL": ("database", "url"),
    "REPLICA_DATABASE_URL": ("database", "replica_url"),
    "REDIS_URL": ("redis", "url"),
    "TASK_MODE": ("worker", "task_mode"),
    "OUTBOX_MAX_ATTEMPTS": ("worker", "outbox_max_attempts"),
    "PAYMENT_GATEWAY": ("payments", "gateway"),
    "STRIPE_PUBLISHABLE_KEY": ("payments", "publishable_key"),
    "MARQUEE_ENV": ("security", "env"),
    "TRUSTED_PROXIES": ("http", "trusted_proxies"),
    "CONNECTOR_ALLOWED_NETWORKS": ("connectors", "allowed_networks"),
    "THEATRE_LINKS": ("connectors", "theatre_links"),
    "SMTP_HOST": ("notifications", "smtp_host"),
    "LOG_LEVEL": ("logging", "level"),
    "RATE_LIMIT_HOLD_PER_USER": ("rate_limits", "hold_per_user"),
    "STUCK_AFTER_SECONDS": ("booking", "stuck_after_seconds"),
    "VAR_DIR": ("files", "var_dir"),
}
VALUES = {
    "OUTBOX_MAX_ATTEMPTS": "3",
    "MARQUEE_ENV": "development",
    "TASK_MODE": "celery",
    "RATE_LIMIT_HOLD_PER_USER": "7/minute",
    "STUCK_AFTER_SECONDS": "120",
    "VAR_DIR": "/srv/marquee",
}


def test_every_flat_environment_name_fills_its_group(monkeypatch: pytest.MonkeyPatch):
    for name in FLAT_NAMES:
        monkeypatch.setenv(name, VALUES.get(name, f"value-of-{name.lower()}"))
    settings = Settings()
    for name, (group, field) in FLAT_NAMES.items():
        value = getattr(getattr(settings, group), field)
        assert str(value) == VALUES.get(name, f"value-of-{name.lower()}"), name
    assert set(FLAT_NAMES) <= set(Settings.environment_names())


def test_flat_keywords_go_to_their_group_and_the_rest_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("OUTBOX_BATCH", "17")
    settings = Settings(database_url="sqlite:///x.db", outbox_max_attempts=2)
    assert settings.database.url == "sqlite:///x.db"
    assert settings.worker.outbox_max_attempts == 2
    assert settings.worker.outbox_batch == 17
    assert Settings(worker=WorkerSettings(outbox_lease_seconds=9)).worker.outbox_lease_seconds == 9


def test_only_the_documented_names_are_read(monkeypatch: pytest.MonkeyPatch):
    # A field's own name is no second variable: a stray ENV must not switch on development
    # mode, nor URL pick a database.
    for name, value in {
        "ENV": "development",
        "URL": "postgresql://127.0.0.1:1/elsewhere",
        "REPLICA_URL": "postgresql://127.0.0.1:1/replica",
        "GATEWAY": "stripe",
        "AS_JSON": "false",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("MARQUEE_ENV", "DATABASE_URL", "REDIS_URL", "REPLICA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("PAYMENT_GATEWAY", "LOG_JSON"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.security.env == "production"
    assert settings.database.url.startswith("sqlite:")
    assert settings.redis.url is None and settings.database.replica_url is None
    assert settings.payments.gateway == "offline" and settings.logging.as_json is True
    # Field names still work as keywords in code.
    assert SecuritySettings(env="development").env == "development"


def test_errors_name_the_group_and_unknown_names_are_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "0")
    with pytest.raises(ValidationError, match="WorkerSettings\n.*outbox_max_attempts"):
        Settings()
    monkeypatch.delenv("OUTBOX_MAX_ATTEMPTS")
    with pytest.raises(ValidationError, match="databse_url"):
        Settings(databse_url="sqlite://")


def test_the_hub_builds_each_part_once_even_when_asked_at_the_same_moment(sqlite_url: str):
    hub = build_hub(Settings(database_url=sqlite_url))
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(hub.booking)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(service) for service in seen}) == 1
    assert hub.runtime.services is hub.booking
    assert hub.booking.uow is hub.unit_of_work
    assert hub.runtime.engine is hub.engine is hub.stale_reads.primary
    hub.engine.dispose()


def test_the_api_and_its_in_process_worker_share_the_hubs_booking_service(
    sqlite_url: str, tmp_path: Path
):
    hub = build_hub(Settings(database_url=sqlite_url, notify_dir=tmp_path / "mail"))
    app = create_app(hub, run_worker=True)
    with TestClient(app):
        from marquee.worker import inprocess

        assert inprocess._runner is not None
        assert inprocess._runner.runtime is hub.runtime
        assert app.state.ctx.booking is hub.booking is hub.runtime.services
    hub.engine.dispose()


def test_the_hubs_connectors_take_their_secrets_from_the_secrets_file(
    sqlite_url: str, tmp_path: Path
):
    # The push and check-in routes build connectors through the Hub: a connector whose token is
    # in the secrets file must build there, not fail for want of the file.
    from connectors.connector import ConnectorConfig, forget, register

    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"filed": {"token": "from-the-file"}}))
    hub = build_hub(Settings(database_url=sqlite_url, secrets_file=secrets))
    register(
        hub.engine,
        ConnectorConfig(
            id="filed",
            adapter="rest",
            mapping="mappings/restline/mapping.yaml",
            endpoint={"base_url": "http://127.0.0.1:9"},
            secret_refs={"token": "file:filed.token"},
        ),
    )
    try:
        assert hub.connector("filed").config.id == "filed"
    finally:
        forget(hub.engine)
        hub.engine.dispose()
