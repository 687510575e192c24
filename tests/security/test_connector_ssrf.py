"""Connectors cannot be turned against the server (PostgreSQL, production mode).

Attacks replayed, as an admin (or whoever stole an admin token): a connector whose endpoint is
the cloud metadata service, the database port or a LAN host; whose token is `env:JWT_SECRET`
(sent to an endpoint the attacker reads); whose mapping is `/etc/passwd` or `../../`; and the
connector test used as a port scanner that reads back the raw network error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from connectors.secrets import MissingSecret, resolve
from marquee import devservers
from tests.api.conftest import Api, make_api

pytestmark = pytest.mark.postgres

RESTLINE = "mappings/restline/mapping.yaml"


def _module_api(pg_server: str, pg_template: str, **settings) -> Iterator[Api]:
    url = devservers.create_database(pg_server, template=make_url(pg_template).database)
    try:
        yield from make_api(url, **settings)
    finally:
        devservers.drop_database(pg_server, url)


@pytest.fixture(scope="module")
def prod(pg_server: str, pg_template: str) -> Iterator[Api]:
    yield from _module_api(
        pg_server, pg_template, marquee_env="production", connector_allowed_networks="10.20.0.0/16"
    )


@pytest.fixture(scope="module")
def admin(prod: Api) -> dict[str, str]:
    return prod.auth("admin@test.example")


def _create(api: Api, headers: dict[str, str], ident: str, **fields):
    body = {"id": ident, "adapter": "rest", "mapping": RESTLINE}
    body.update(fields)
    body.setdefault("endpoint", {"base_url": "https://pos.example.com"})
    return api.client.post("/v1/admin/connectors", headers=headers, json=body)


@pytest.mark.parametrize(
    "endpoint",
    [
        {"base_url": "http://169.254.169.254/latest/meta-data/"},  # cloud metadata
        {"base_url": "http://127.0.0.1:5432"},  # the database next door
        {"base_url": "http://localhost:6379"},
        {"base_url": "http://[::1]:8000"},
        {"base_url": "http://[::ffff:127.0.0.1]/"},
        {"base_url": "http://2130706433/"},  # 127.0.0.1 spelled as a number
        {"base_url": "http://0.0.0.0:8000"},
        {"base_url": "http://192.168.1.10/pos"},
        {"base_url": "https://pos.example.com", "wsdl_url": "http://10.0.0.7/svc?wsdl"},
        {"base_url": "file:///etc/passwd"},
        {"host": "127.0.0.1", "port": 22, "username": "x"},  # SFTP
    ],
)
def test_private_loopback_and_link_local_endpoints_are_refused(prod, admin, endpoint):
    r = _create(prod, admin, "ssrf-probe", endpoint=endpoint)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "connector_not_allowed"


def test_an_allow_listed_on_premise_network_is_accepted(prod, admin):
    r = _create(prod, admin, "onprem-pos", endpoint={"base_url": "http://10.20.3.4:8080"})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "mapping",
    [
        "/etc/passwd",
        "../../../../etc/passwd",
        "mappings/../pyproject.toml",
        "mappings/restline/../../README.md",
        "mappings/restline/samples",
    ],
)
def test_mapping_paths_stay_inside_the_mappings_folder(prod, admin, mapping):
    r = _create(prod, admin, "escape-map", mapping=mapping)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "connector_not_allowed"


@pytest.mark.parametrize("ref", ["env:JWT_SECRET", "env:DATABASE_URL", "env:STRIPE_API_KEY"])
def test_secret_refs_cannot_name_the_process_environment(prod, admin, ref):
    r = _create(prod, admin, "leaky", secret_refs={"token": ref})
    assert r.status_code == 422, r.text


def test_secrets_resolve_only_from_the_prefix_or_the_file(tmp_path):
    env = {"JWT_SECRET": "signing-key", "MARQUEE_SECRET_POS_TOKEN": "pos-token"}
    assert resolve({"token": "env:MARQUEE_SECRET_POS_TOKEN"}, environ=env) == {"token": "pos-token"}
    with pytest.raises(MissingSecret):
        resolve({"token": "env:JWT_SECRET"}, environ=env)
    with pytest.raises(MissingSecret):
        resolve({"token": "JWT_SECRET"}, environ=env)  # a bare name: the file only
    secrets = tmp_path / "secrets.json"
    secrets.write_text('{"JWT_SECRET": "from-the-file"}')
    assert resolve({"token": "JWT_SECRET"}, secrets, environ=env) == {"token": "from-the-file"}


def test_the_connector_test_does_not_read_back_network_errors(pg_server, pg_template):
    # Development mode lets the connector reach loopback, where nothing listens on port 9.
    for api in _module_api(pg_server, pg_template):
        admin = api.auth("admin@test.example")
        r = _create(api, admin, "port-scan", endpoint={"base_url": "http://127.0.0.1:9"})
        assert r.status_code == 201, r.text
        test = api.client.post("/v1/admin/connectors/port-scan/test", headers=admin).json()
        assert test["ok"] is False
        assert test["detail"] == "could not connect to the theatre system"
        health = api.client.get("/v1/admin/connectors/port-scan/health", headers=admin).json()
        for leaked in ("127.0.0.1", "Errno", "refused", "HTTPConnectionPool", "Error"):
            assert leaked not in test["detail"] and leaked not in str(health)
