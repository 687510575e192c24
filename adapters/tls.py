"""What an HTTPS adapter trusts: shared by the rest and soap adapters, and by the admin API's
check of a connector's endpoint before it is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests


def ca_bundle(endpoint: dict[str, Any]) -> str | bool:
    """What HTTPS answers are verified against: the endpoint's `ca_bundle` (a PEM file of the
    certificate authorities that sign the POS's certificate: an on-premise POS behind its
    chain's own CA), else the usual public authorities. Verification is never turned off."""
    value = endpoint.get("ca_bundle")
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        raise ValueError("endpoint ca_bundle must be the path of a PEM file")
    path = Path(value)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        raise ValueError(f"endpoint ca_bundle {value!r} cannot be read") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError(f"endpoint ca_bundle {value!r} holds no PEM certificate")
    return str(path)


def untrusted(url: str) -> str:
    """The words of a failed certificate check (the connector test recognises them)."""
    return (
        f"{url}: the server's TLS certificate is not trusted "
        "(the endpoint's ca_bundle names the authorities trusted)"
    )


class TrustingSession(requests.Session):
    """A requests session that verifies against the endpoint's `ca_bundle` when it names one.
    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace a session's own `verify`; that
    must not undo a connector's trust setting (callers that pass `verify=` per request, as
    the rest adapter does, are not affected)."""

    def __init__(self, endpoint: dict[str, Any]) -> None:
        super().__init__()
        self.verify = ca_bundle(endpoint)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and isinstance(self.verify, str):
            settings["verify"] = self.verify
        return settings
