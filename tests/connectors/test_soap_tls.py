"""A SOAP POS behind HTTPS with a certificate from its own authority: the soap adapter, like
the rest adapter, trusts it only through the endpoint's `ca_bundle`, for the WSDL and for every
call, and never by turning verification off."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import trustme

from adapters.base import RemoteError
from connectors import simulated
from connectors.catalog import import_catalog
from connectors.connector import forget, get_connector, register
from simulators.soapbox import SoapboxSimulator
from tests.connectors.conftest import FAST
from tests.connectors.helpers import snapshot


@pytest.fixture
def tls_soapbox(tmp_path: Path) -> Iterator[tuple[SoapboxSimulator, Path]]:
    """The soapbox simulator serving HTTPS with a certificate for 127.0.0.1 from an authority
    of its own, and that authority's PEM file."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "pos-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    sim = SoapboxSimulator(seed=4, cinemas=1, screens=1, shows_per_day=2, days=1)
    sim.http.ssl_context = context
    with sim:
        yield sim, bundle


def connect(engine, sim: SoapboxSimulator, **endpoint):
    config = simulated.soapbox(sim, **FAST)
    config = replace(config, endpoint={**config.endpoint, **endpoint})
    register(engine, config)
    return get_connector(engine, "soapbox")


def test_the_pos_authority_in_ca_bundle_is_trusted(engine, tls_soapbox, monkeypatch):
    """Also when the environment names another bundle: requests would let REQUESTS_CA_BUNDLE
    replace the session's own trust."""
    sim, bundle = tls_soapbox
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    assert sim.wsdl_url.startswith("https://127.0.0.1:")
    report = import_catalog(connect(engine, sim, ca_bundle=str(bundle)))
    assert report.dead_letters == 0 and report.counts["show"]["created"] == 2


def test_without_the_pos_authority_nothing_is_read(engine, tls_soapbox, tmp_path):
    sim, _ = tls_soapbox
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    before = snapshot(engine)
    for endpoint in ({}, {"ca_bundle": str(other)}):
        forget(engine)
        connector = connect(engine, sim, **endpoint)
        with pytest.raises(RemoteError, match="TLS certificate is not trusted"):
            import_catalog(connector)
    assert snapshot(engine) == before
