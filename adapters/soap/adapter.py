"""SOAP adapter: zeep builds every request from the system's WSDL; answers are read raw (the
mapping reads the XML) after a fault check with a hardened parser.

Hardening: zeep's own parsing (the WSDL, any XML it reads) runs with entity resolution, DTDs,
external resources and huge trees forbidden; answers above `max_response_bytes` are refused
while streaming, before any parsing; our fault check parses with resolve_entities=False,
no_network=True, load_dtd=False, huge_tree=False. The WSDL is loaded on first use, inside the
connector's breaker, so a system that is down when Marquee starts is just a transient failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import requests
from lxml import etree

from adapters import push_auth
from adapters.base import AdapterSpec, Payload, PayloadTooLarge, RemoteError, Sent, TransientError
from adapters.templates import fill
from adapters.tls import TrustingSession, untrusted

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
    )


def _limited_transport(
    session: requests.Session, timeout: float, operation_timeout: float, limit: int
) -> Any:
    from zeep.transports import Transport

    class LimitedTransport(Transport):
        """zeep transport that refuses answers larger than `limit` bytes."""

        def post(self, address: str, message: Any, headers: dict[str, str]) -> Any:
            response = self.session.post(
                address, data=message, headers=headers, timeout=self.operation_timeout, stream=True
            )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                response.close()
                raise PayloadTooLarge(f"SOAP answer of {declared} bytes exceeds {limit}")
            chunks, total = [], 0
            for chunk in response.iter_content(65536):
                total += len(chunk)
                if total > limit:
                    response.close()
                    raise PayloadTooLarge(f"SOAP answer exceeds the {limit} byte limit")
                chunks.append(chunk)
            response._content = b"".join(chunks)  # noqa: SLF001 - requests' own cache slot
            return response

    return LimitedTransport(session=session, timeout=timeout, operation_timeout=operation_timeout)


class SoapAdapter:
    name = "soap"

    def __init__(self, spec: AdapterSpec) -> None:
        self.spec = spec
        self.mapping = spec.mapping
        base = str(spec.endpoint.get("base_url") or "").rstrip("/")
        defaults = self.mapping.transport(next(iter(self.mapping.entities)))
        self.wsdl_url = spec.endpoint.get("wsdl_url") or (base + (defaults.wsdl or ""))
        if not self.wsdl_url:
            raise ValueError("a soap endpoint needs wsdl_url or base_url")
        self.session = TrustingSession(spec.endpoint)
        self._client: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------ zeep
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from zeep import Client, Settings

                settings = Settings(
                    strict=False,
                    xml_huge_tree=False,
                    forbid_entities=True,
                    forbid_external=True,
                    forbid_dtd=True,
                )
                transport = _limited_transport(
                    self.session,
                    self.spec.connect_timeout + self.spec.read_timeout,
                    self.spec.read_timeout,
                    self.spec.max_response_bytes,
                )
                try:
                    self._client = Client(self.wsdl_url, settings=settings, transport=transport)
                except requests.exceptions.SSLError as exc:
                    raise RemoteError(untrusted(self.wsdl_url)) from exc
                except requests.RequestException as exc:
                    raise TransientError(f"cannot load the WSDL: {type(exc).__name__}") from exc
            return self._client

    def _headers(self, transport: Any) -> dict[str, str]:
        # Soapbox-style systems authenticate callbacks with the key; requests carry it too
        # when a token secret is configured.
        token = self.spec.secrets.get("token")
        return {transport.auth_header: token} if transport.auth_header and token else {}

    def _invoke(self, operation: str, args: dict[str, Any], transport: Any) -> bytes:
        client = self.client()
        try:
            with client.settings(raw_response=True, extra_http_headers=self._headers(transport)):
                response = client.service[operation](**args)
        except PayloadTooLarge:
            raise
        except requests.exceptions.SSLError as exc:
            # Retrying does not make a certificate trusted: the endpoint's ca_bundle must.
            raise RemoteError(f"{operation}: {untrusted(self.wsdl_url)}") from exc
        except requests.Timeout as exc:
            raise TransientError(f"{operation}: timed out") from exc
        except requests.ConnectionError as exc:
            raise TransientError(f"{operation}: cannot connect") from exc
        except requests.RequestException as exc:
            raise TransientError(f"{operation}: {type(exc).__name__}") from exc
        except (TypeError, ValueError) as exc:
            raise RemoteError(f"{operation}: arguments do not fit the WSDL: {exc}") from exc
        status, content = response.status_code, response.content
        if status >= 500 and b"Fault" not in content[:4096]:
            raise TransientError(f"{operation}: HTTP {status}")
        return content

    @staticmethod
    def fault(content: bytes) -> tuple[str, str] | None:
        """(faultcode, faultstring) if the answer is a SOAP fault."""
        try:
            root = etree.fromstring(content, hardened_parser())
        except etree.XMLSyntaxError as exc:
            raise TransientError(f"unreadable SOAP answer: {exc}") from exc
        fault = root.find(f".//{{{SOAP_ENV}}}Fault")
        if fault is None:
            return None
        return (fault.findtext("faultcode") or "").strip(), (
            fault.findtext("faultstring") or ""
        ).strip()

    # ------------------------------------------------------------------------------ reading
    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        vars = dict(vars or {})
        t = self.mapping.transport(entity)
        args = {k: fill(v, vars) for k, v in t.arguments.items()}
        content = self._invoke(t.operation, args, t)
        fault = self.fault(content)
        if fault is not None:
            code, text = fault
            message = f"{t.operation}: fault {code}: {text}"
            if code.endswith("Server"):
                raise TransientError(message)
            raise RemoteError(message, code)
        yield Payload.of_bytes(f"{entity} {t.operation}", content, vars=vars)

    # ------------------------------------------------------------------------------ sending
    def send(self, operation: str, rendered: Any) -> Sent:
        t = self.mapping.transport(operation)
        args = rendered.data if isinstance(rendered.data, dict) else {}
        return Sent(self._invoke(rendered.soap_operation or t.operation, args, t))

    def verify_push(self, entity: str, headers: dict[str, str], body: bytes) -> bool:
        t = self.mapping.transport(entity)
        return push_auth.verify(
            headers,
            body,
            self.spec.secrets.get("push_secret", ""),
            signature_header=t.signature_header if hasattr(t, "signature_header") else None,
            key_header=t.auth_header,
        )

    def acknowledge(self, payload: Payload) -> None:
        return None

    def close(self) -> None:
        self.session.close()
