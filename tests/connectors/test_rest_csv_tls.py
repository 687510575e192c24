"""A POS that answers CSV over HTTP, read by the REST adapter (its CSV source options, a key
header), and the same POS behind HTTPS with a certificate from its own authority: the
connector trusts it only through the endpoint's `ca_bundle`, never by turning verification
off."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from sqlalchemy import select

from adapters.base import RemoteError
from connectors import catalog
from connectors.connector import ConnectorConfig, get_connector, register
from simulators.httpserver import LoopbackHTTPServer, Request, Response
from store.tables import dead_letters, movie_translations, theatres

KEY = "csv-vendor-key"
SITES = (
    "Code;Name;City;Country;Zone;Currency;Lang\r\n"
    "LY1;Théâtre Lumière;Lyon;fr;Europe/Paris;EUR;fr-FR\r\n"
    "LI2;Ciné Nord;Lille;fr;Europe/Paris;EUR;fr-FR\r\n"
)
FILMS = "Film;Title;Lang;Minutes\r\nF01;Le Fabuleux Destin;fr-FR;122\r\nF02;Été 85;fr-FR;100\r\n"
MAPPING = """
version: 2
system: csvrest
protocol: rest
description: CSV exports served over HTTP(S), Latin-1, `;`.
source: {format: csv, delimiter: ";", encoding: latin-1}
transport: {auth_header: X-Key}
entities:
  theatre:
    transport: {path: /export/sites.csv}
    fields:
      id: {derive: thr, from: Code}
      name: Name
      city: City
      country: {path: Country, transforms: [upper]}
      timezone: Zone
      currency: Currency
      default_language: Lang
      external_refs: {ref: Code}
  movie:
    transport: {path: /export/films.csv}
    fields:
      id: {derive: mov, from: Film}
      title: {localized: {language: Lang, text: Title}}
      original_language: Lang
      runtime_minutes: {path: Minutes, transforms: [int]}
      external_refs: {ref: Film}
"""


class CsvVendor:
    """Serves the two exports as Latin-1 CSV to callers sending the key; records each path
    and the Accept header asked with."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.asked: list[tuple[str, str]] = []
        self.server = LoopbackHTTPServer(self.handle, ssl_context=ssl_context)

    def handle(self, request: Request) -> Response:
        self.asked.append((request.path, request.headers.get("Accept", "")))
        if request.headers.get("X-Key") != KEY:
            return Response(401, b"key required", "text/plain")
        files = {"/export/sites.csv": SITES, "/export/films.csv": FILMS}
        if request.path not in files:
            return Response(404, b"no such export", "text/plain")
        return Response(200, files[request.path].encode("latin-1"), "text/csv; charset=latin-1")


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "csvrest.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def authority(tmp_path: Path) -> Iterator[tuple[ssl.SSLContext, Path]]:
    """A certificate authority of the POS's own, its certificate for 127.0.0.1 loaded into a
    server context, and the authority's PEM file (what the connector is told to trust)."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    bundle = tmp_path / "pos-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    yield server, bundle


def connect(engine, mapping: Path, vendor: CsvVendor, monkeypatch, **endpoint):
    monkeypatch.setenv("MARQUEE_SECRET_CSVREST_KEY", KEY)
    register(
        engine,
        ConnectorConfig(
            id="csvrest",
            adapter="rest",
            mapping=str(mapping),
            endpoint={"base_url": vendor.server.base, **endpoint},
            secret_refs={"token": "env:MARQUEE_SECRET_CSVREST_KEY"},
            settings={"attempts": 1, "read_timeout": 3.0},
        ),
    )
    return get_connector(engine, "csvrest")


def imported(engine) -> tuple[list[str], list[str]]:
    with engine.connect() as conn:
        names = sorted(conn.execute(select(theatres.c.name)).scalars())
        titles = sorted(conn.execute(select(movie_translations.c.title)).scalars())
    return names, titles


def test_csv_over_http_through_the_rest_adapter(engine, mapping, monkeypatch):
    vendor = CsvVendor()
    vendor.server.start()
    try:
        connector = connect(engine, mapping, vendor, monkeypatch)
        report = catalog.import_catalog(connector, entities=("theatre", "movie"))
    finally:
        vendor.server.stop()
    assert report.dead_letters == 0
    assert report.counts["theatre"]["created"] == 2 and report.counts["movie"]["created"] == 2
    assert imported(engine) == (
        ["Ciné Nord", "Théâtre Lumière"],  # Latin-1 bytes read as the mapping says
        ["Le Fabuleux Destin", "Été 85"],
    )
    assert ("/export/sites.csv", "text/csv") in vendor.asked  # asked for CSV by its type


def test_https_with_the_pos_authority_in_the_endpoint_ca_bundle(
    engine, mapping, authority, monkeypatch
):
    context, bundle = authority
    vendor = CsvVendor(context)
    vendor.server.start()
    try:
        assert vendor.server.base.startswith("https://127.0.0.1:")
        connector = connect(engine, mapping, vendor, monkeypatch, ca_bundle=str(bundle))
        report = catalog.import_catalog(connector, entities=("theatre", "movie"))
    finally:
        vendor.server.stop()
    assert report.dead_letters == 0 and report.counts["theatre"]["created"] == 2
    assert imported(engine)[0] == ["Ciné Nord", "Théâtre Lumière"]


def test_https_without_the_pos_authority_is_refused(
    engine, mapping, authority, monkeypatch, tmp_path
):
    """Without the bundle (the public authorities) or with another authority's, the
    certificate is not trusted: the call fails, nothing is imported, and the key header
    never reached the server."""
    from connectors.connector import forget

    context, _ = authority
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    vendor = CsvVendor(context)
    vendor.server.start()
    try:
        for endpoint in ({}, {"ca_bundle": str(other)}):
            forget(engine)
            connector = connect(engine, mapping, vendor, monkeypatch, **endpoint)
            with pytest.raises(RemoteError, match="TLS certificate is not trusted"):
                catalog.import_catalog(connector, entities=("theatre",))
    finally:
        vendor.server.stop()
    assert vendor.asked == [] and imported(engine) == ([], [])
    with engine.connect() as conn:
        reasons = list(conn.execute(select(dead_letters.c.reason)).scalars())
    assert len(reasons) == 2 and all("not trusted" in r for r in reasons)  # the failed calls


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("/nonexistent/ca.pem", "cannot be read"),
        (False, "must be the path of a PEM file"),
        ("NOT_PEM", "holds no PEM certificate"),
    ],
)
def test_a_bad_ca_bundle_is_refused_when_the_connector_is_built(
    engine, mapping, monkeypatch, tmp_path, value, error
):
    if value == "NOT_PEM":
        value = str(tmp_path / "not.pem")
        Path(value).write_text("not a certificate")
    vendor = CsvVendor()
    with pytest.raises(ValueError, match=error):
        connect(engine, mapping, vendor, monkeypatch, ca_bundle=value)
