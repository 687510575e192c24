"""What a connector may be pointed at, checked before it is stored.

A connector makes the server call out: to its endpoint (URLs and SFTP hosts), with its secrets,
reading its mapping file. Whoever defines one must not be able to turn that against the server:
- endpoints must not reach private, loopback, link-local or otherwise reserved addresses (the
  cloud metadata service, the database, the admin ports of the hosts next door) unless the
  address is in CONNECTOR_ALLOWED_NETWORKS (an on-premise POS on the theatre's LAN). Development
  mode also allows loopback, where the simulators listen. Host names are resolved and every
  address they resolve to must pass;
- secret references name only MARQUEE_SECRET_* variables or the secrets file
  (connectors/secrets.py);
- the mapping is a relative path inside the mappings directory, never absolute, never `..`;
- the connector test answers in categories, never with the raw network error (which would make
  the server a port scanner with a readable answer).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from api.problems import ApiProblem
from connectors.secrets import ForbiddenSecretRef, MissingSecret, check_refs
from marquee.settings import ROOT, Settings

log = logging.getLogger("marquee.connectors")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
URL_SCHEMES = ("http", "https")
HOST_KEYS = ("host", "hostname")


def _refuse(field: str, detail: str) -> ApiProblem:
    return ApiProblem(
        422,
        "connector_not_allowed",
        detail,
        errors=[{"field": f"body.{field}", "message": detail, "type": "not_allowed"}],
    )


def allowed_networks(settings: Settings) -> list[Network]:
    out: list[Network] = []
    for part in settings.connectors.allowed_networks.split(","):
        if part.strip():
            out.append(ipaddress.ip_network(part.strip(), strict=False))
    return out


def address_allowed(address: Address, settings: Settings) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in net for net in allowed_networks(settings)):
        return True
    if address.is_loopback:
        return settings.security.development
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int | None) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _check_host(field: str, host: str, port: int | None, settings: Settings) -> None:
    addresses = _addresses(host, port)
    if not addresses:
        raise _refuse(field, f"host {host!r} does not resolve")
    for address in addresses:
        if not address_allowed(address, settings):
            raise _refuse(
                field,
                f"host {host!r} is a private, loopback or reserved address; allow its network "
                "with CONNECTOR_ALLOWED_NETWORKS if it is an on-premise system",
            )


def check_endpoint(endpoint: dict[str, Any], settings: Settings) -> None:
    for key, value in endpoint.items():
        field = f"endpoint.{key}"
        if key == "ca_bundle":
            _check_ca_bundle(field, endpoint)
        elif key in HOST_KEYS:
            port = endpoint.get("port")
            _check_host(field, str(value), port if isinstance(port, int) else None, settings)
        elif isinstance(value, str) and "://" in value:
            parts = urlsplit(value)
            if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
                raise _refuse(field, "endpoint URLs must be http:// or https:// with a host")
            try:
                port = parts.port
            except ValueError:
                raise _refuse(field, "the URL's port is not a number") from None
            _check_host(field, parts.hostname, port, settings)


def _check_ca_bundle(field: str, endpoint: dict[str, Any]) -> None:
    from adapters.tls import ca_bundle

    try:
        ca_bundle(endpoint)
    except ValueError:
        # One answer for a missing file and a file that is not PEM: the API does not tell
        # which files exist on the server.
        raise _refuse(
            field, "ca_bundle must be the path of a readable PEM file of CA certificates"
        ) from None


def mappings_root(settings: Settings) -> Path:
    return Path(settings.connectors.mappings_dir).resolve()


def mapping_file(mapping: str, settings: Settings) -> Path:
    """The file a connector's mapping path names, if it is a relative path inside the
    mappings folder (a 422 problem otherwise); it need not exist yet."""
    path = PurePosixPath(mapping.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or Path(mapping).is_absolute() or ":" in mapping:
        raise _refuse("mapping", "the mapping must be a relative path inside the mappings folder")
    root = mappings_root(settings)
    # connectors/ resolves relative mapping paths from the project root.
    target = (ROOT / path).resolve()
    if not target.is_relative_to(root):
        raise _refuse("mapping", f"the mapping must be inside {root.name}/")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise _refuse("mapping", "a mapping file is a .yaml or .yml file")
    return target


def check_mapping_path(mapping: str, settings: Settings) -> None:
    if not mapping_file(mapping, settings).is_file():
        raise _refuse("mapping", "no such mapping file")


def check_connector(body: Any, settings: Settings) -> None:
    """Everything above for a ConnectorIn; raises a 422 problem naming the field."""
    check_mapping_path(body.mapping, settings)
    if "ca_bundle" in body.endpoint and body.adapter not in ("rest", "soap"):
        raise _refuse("endpoint.ca_bundle", "ca_bundle is read by the rest and soap adapters only")
    check_endpoint(body.endpoint, settings)
    try:
        check_refs(body.secret_refs)
    except ForbiddenSecretRef as err:
        raise _refuse("secret_refs", str(err)) from None


def describe_failure(exc: BaseException) -> str:
    """A connector test's failure in words an admin can act on, without the raw error text
    (the full error goes to the server log). The adapters wrap transport errors, so the whole
    chain of causes is looked at, outermost first."""
    log.warning("connector test failed", exc_info=exc)
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(type(err).__name__ in ("SSLError", "SSLCertVerificationError") for err in chain):
        return (
            "the theatre system's TLS certificate is not trusted (check the endpoint's ca_bundle)"
        )
    for err in chain:
        answer = _category(err)
        if answer:
            return answer
    return "the test failed; the server log has the details"


def _category(exc: BaseException) -> str | None:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, MissingSecret):
        return "a secret the connector needs is not configured"
    if "CircuitOpen" in names or "CircuitBreakerError" in names:
        return "paused by the circuit breaker after repeated failures"
    if names & {"Timeout", "ReadTimeout", "ConnectTimeout", "TimeoutError", "timeout"}:
        return "the theatre system did not answer in time"
    if names & {"ConnectionError", "ConnectionRefusedError", "SSHException", "SSLError"}:
        return "could not connect to the theatre system"
    if names & {"RemoteError", "HTTPError", "Fault", "AuthenticationException"}:
        return "the theatre system refused the request (check the credentials and endpoint)"
    if names & {"PayloadTooLarge", "InputError", "MappingError", "FieldError"}:
        return "the answer could not be read with the connector's mapping"
    return None
