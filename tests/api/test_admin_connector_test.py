"""The admin API's connector test counts records, not pages: a restline theatre list read in
pages of two (three cinemas: two pages) reports three theatre records, and the records the
mapping rejects; nothing is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors import connector as connector_mod
from connectors.resilience import reset_breakers
from simulators.restline import RestlineSimulator
from store.tables import dead_letters, theatres
from tests.connectors.test_replay import broken_copy, connect_with_mapping


def _stored(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(theatres)).scalar(),
            conn.execute(select(func.count()).select_from(dead_letters)).scalar(),
        )


def test_the_connector_test_counts_records_not_pages(api, tmp_path):
    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    before = _stored(engine)
    with RestlineSimulator(seed=3, cinemas=3, screens=1, shows_per_day=1, days=1) as sim:
        try:
            mapping, _ = broken_copy(tmp_path, "restline", "page_size: 100", "page_size: 2")
            connect_with_mapping(engine, sim, mapping)
            test = c.post("/v1/admin/connectors/restline/test", headers=admin)
            assert test.status_code == 200, test.text
            body = test.json()
            assert body["ok"] is True and body["records"] == 3
            assert body["entities"] == {"theatre": {"payloads": 2, "records": 3, "dead_letters": 0}}
            assert body["detail"] == "read 3 theatre records from 2 payloads"

            # A mapping that rejects every cinema: counted, not stored.
            mapping.write_text(
                mapping.read_text().replace("timezone: TimeZone", "timezone: TimeZoneX")
            )
            connector_mod.forget(engine)
            rejected = c.post("/v1/admin/connectors/restline/test", headers=admin).json()
            assert rejected["ok"] is True and rejected["records"] == 0
            assert rejected["entities"]["theatre"] == {
                "payloads": 2,
                "records": 0,
                "dead_letters": 3,
            }
            assert rejected["detail"].endswith("; the mapping rejects 3 records")
            assert _stored(engine) == before
        finally:
            connector_mod.forget(engine)
            reset_breakers()


def test_a_ca_bundle_must_be_a_pem_file(api, tmp_path):
    import trustme

    c, admin = api.client, api.auth("admin@test.example")
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    for bad in ("/nonexistent/ca.pem", str(not_pem), False):
        r = c.post(
            "/v1/admin/connectors",
            headers=admin,
            json={
                "id": "pos-ca",
                "adapter": "rest",
                "mapping": "mappings/restline/mapping.yaml",
                "endpoint": {"base_url": "https://127.0.0.1:9", "ca_bundle": bad},
            },
        )
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == "body.endpoint.ca_bundle"
        assert "readable PEM file of CA certificates" in error["message"]
    sftp = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "pos-ca",
            "adapter": "csv_sftp",
            "mapping": "mappings/reelfeed/mapping.yaml",
            "endpoint": {"host": "127.0.0.1", "port": 22, "ca_bundle": "/x.pem"},
        },
    )
    assert sftp.status_code == 422 and "rest and soap adapters only" in sftp.text
    assert c.get("/v1/admin/connectors/pos-ca", headers=admin).status_code == 404
    bundle = tmp_path / "pos-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    soap = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "pos-ca-soap",
            "adapter": "soap",
            "mapping": "mappings/soapbox/mapping.yaml",
            "endpoint": {"base_url": "https://127.0.0.1:9", "ca_bundle": str(bundle)},
        },
    )
    assert soap.status_code == 201, soap.text
    r = c.post(
        "/v1/admin/connectors",
        headers=admin,
        json={
            "id": "pos-ca",
            "adapter": "rest",
            "mapping": "mappings/restline/mapping.yaml",
            "endpoint": {"base_url": "https://127.0.0.1:9", "ca_bundle": str(bundle)},
        },
    )
    assert r.status_code == 201, r.text


def test_the_connector_test_names_an_untrusted_certificate(api, tmp_path, monkeypatch):
    import ssl

    import trustme

    from tests.connectors.test_rest_csv_tls import MAPPING, CsvVendor, connect

    c, admin = api.client, api.auth("admin@test.example")
    engine = api.hub.engine
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "pos-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    mapping = tmp_path / "csvrest.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    vendor = CsvVendor(context)
    vendor.server.start()
    try:
        connect(engine, mapping, vendor, monkeypatch)
        refused = c.post("/v1/admin/connectors/csvrest/test", headers=admin).json()
        assert refused["ok"] is False
        assert refused["detail"] == (
            "the theatre system's TLS certificate is not trusted (check the endpoint's ca_bundle)"
        )
        connector_mod.forget(engine)
        connect(engine, mapping, vendor, monkeypatch, ca_bundle=str(bundle))
        trusted = c.post("/v1/admin/connectors/csvrest/test", headers=admin).json()
        assert trusted["ok"] is True, trusted
        assert trusted["detail"] == "read 2 theatre records from 1 payload"
    finally:
        vendor.server.stop()
        connector_mod.forget(engine)
        reset_breakers()
