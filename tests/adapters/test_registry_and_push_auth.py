"""Adapters are found by name through the `marquee.adapters` entry points; push auth."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from adapters import push_auth, registry
from adapters.base import AdapterSpec
from adapters.mapping import load_mapping
from adapters.templates import TemplateError, fill


def test_the_three_families_are_entry_points():
    names = {ep.name for ep in entry_points(group=registry.GROUP)}
    assert {"rest", "soap", "csv_sftp"} <= names
    assert registry.get_factory("rest").__name__ == "RestAdapter"
    with pytest.raises(registry.UnknownAdapter):
        registry.get_factory("carrier-pigeon")


def test_an_sftp_endpoint_must_pin_the_host_key():
    mapping = load_mapping("mappings/reelfeed/mapping.yaml")
    with pytest.raises(ValueError, match="pin the host key"):
        registry.create("csv_sftp", AdapterSpec(mapping, {"host": "127.0.0.1"}, {}))


def test_push_signatures_and_keys():
    body = b'{"EventType":"SeatsChanged"}'
    good = push_auth.sign(body, "s3")
    assert push_auth.verify({"X-Sig": good}, body, "s3", signature_header="X-Sig")
    assert not push_auth.verify({"X-Sig": good}, body + b" ", "s3", signature_header="X-Sig")
    assert not push_auth.verify({}, body, "s3", signature_header="X-Sig")
    assert push_auth.verify({"x-key": "k"}, body, "k", key_header="X-Key")
    assert not push_auth.verify({"X-Key": "k"}, body, "", key_header="X-Key")


def test_templates():
    assert fill("/cinemas/{$cinema_id}/x", {"cinema_id": "C01"}) == "/cinemas/C01/x"
    assert fill("req_{request_id}.csv", data={"request_id": "r1"}) == "req_r1.csv"
    with pytest.raises(TemplateError):
        fill("/cinemas/{$cinema_id}", {})
