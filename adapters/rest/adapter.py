"""REST/JSON adapter: one `requests.Session` per connector (connection reuse), explicit
connect/read timeouts, paging and cursors as the mapping's transport section describes, a
response size limit, and legacy "HTTP 200 with a Result code" answers turned into errors for
reads (operations return the raw body: their outcome is the mapping's to read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin

import requests

from adapters import push_auth
from adapters.base import (
    AdapterSpec,
    Payload,
    PayloadTooLarge,
    RemoteError,
    Sent,
    TransientError,
)
from adapters.mapping.body import BodyReader, InputError
from adapters.mapping.transport import Pagination, Paging, ResultCheck
from adapters.templates import fill
from adapters.tls import ca_bundle, untrusted


class RestAdapter:
    name = "rest"

    def __init__(self, spec: AdapterSpec) -> None:
        self.spec = spec
        self.mapping = spec.mapping
        base = spec.endpoint.get("base_url") or spec.endpoint.get("url")
        if not base:
            raise ValueError("a rest endpoint needs base_url")
        self.base_url = str(base).rstrip("/")
        self.session = requests.Session()
        # Passed with every request: a session's own `verify` loses to REQUESTS_CA_BUNDLE.
        self.verify = ca_bundle(spec.endpoint)
        self.timeout = (spec.connect_timeout, spec.read_timeout)

    # ------------------------------------------------------------------------------ plumbing
    def _headers(self, transport: Any) -> dict[str, str]:
        headers = {}
        if transport.auth_header:
            token = self.spec.secrets.get("token")
            if token:
                headers[transport.auth_header] = token
        return headers

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        # The endpoint may already include the mapping's base path (e.g. .../api/v1).
        return self.base_url + path

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str],
    ) -> tuple[int, bytes]:
        status, content, _ = self._exchange(method, url, params=params, body=body, headers=headers)
        return status, content

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str],
    ) -> tuple[int, bytes, Any]:
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        try:
            with self.session.request(
                method,
                url,
                params=params,
                data=body,
                headers=headers,
                timeout=self.timeout,
                stream=True,
                verify=self.verify,
            ) as response:
                content = self._read_limited(response)
                status = response.status_code
                answer_headers = response.headers
        except requests.exceptions.SSLError as exc:
            # Retrying does not make a certificate trusted: the endpoint's ca_bundle must.
            raise RemoteError(f"{method} {untrusted(url)}") from exc
        except requests.Timeout as exc:
            raise TransientError(f"{method} {url}: timed out") from exc
        except requests.ConnectionError as exc:
            raise TransientError(f"{method} {url}: cannot connect") from exc
        except requests.RequestException as exc:
            raise TransientError(f"{method} {url}: {type(exc).__name__}") from exc
        if status >= 500 or status in (408, 429):
            raise TransientError(f"{method} {url}: HTTP {status}")
        if status in (401, 403):
            raise RemoteError(f"{method} {url}: HTTP {status} (check the token)", str(status))
        if status >= 400:
            raise RemoteError(f"{method} {url}: HTTP {status}", str(status))
        return status, content, answer_headers

    def _read_limited(self, response: requests.Response) -> bytes:
        limit = self.spec.max_response_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"answer of {declared} bytes exceeds the {limit} byte limit")
        chunks, total = [], 0
        for chunk in response.iter_content(65536):
            total += len(chunk)
            if total > limit:
                raise PayloadTooLarge(f"answer exceeds the {limit} byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, body: BodyReader, content: bytes, what: str) -> Any:
        try:
            return body.parse(content)
        except InputError as exc:
            raise TransientError(f"{what}: the answer is not {body.format}: {exc}") from exc

    def _check_result(self, transport: Any, body: BodyReader, doc: Any, what: str) -> None:
        check_result(transport, self.mapping.result_codes, body, doc, what)

    # ------------------------------------------------------------------------------ reading
    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        vars = dict(vars or {})
        t = self.mapping.transport(entity)
        path = t.base_path + _quoted_fill(t.path, vars)
        url = self._url(path)
        params = {k: fill(v, vars) for k, v in t.query.items()}
        headers = {**self._headers(t), **{k: fill(v, vars) for k, v in t.headers.items()}}
        body = self.mapping.body_reader(entity)
        headers.setdefault("Accept", ACCEPT.get(body.format, "*/*"))
        pagination = t.pagination or _legacy_paging(t.paging)
        if pagination is not None:
            yield from self._pages(entity, t, pagination, body, url, path, params, headers, vars)
            return
        if t.cursor is not None:
            value = cursor if cursor is not None else t.cursor.first
            if value is not None:
                params[t.cursor.param] = value
        what = f"{entity} {path}"
        _, content = self._call(t.method, url, params=params, headers=headers)
        doc = self._parse(body, content, what)
        self._check_result(t, body, doc, what)
        next_cursor = None
        if t.cursor is not None:
            found = body.value(doc, t.cursor.field)
            next_cursor = None if found is None else str(found)
        yield Payload.of_bytes(what, content, vars=vars, cursor=next_cursor)

    def _pages(
        self,
        entity: str,
        t: Any,
        p: Pagination,
        body: BodyReader,
        url: str,
        path: str,
        params: dict[str, Any],
        headers: dict[str, str],
        vars: dict[str, Any],
    ) -> Iterator[Payload]:
        """Every page of a list, as the mapping's `pagination` says (see transport.Pagination).
        Pages are yielded as they arrive; the caller dedupes records two pages both hold."""
        value: Any = p.first
        if value is None and p.kind == "page":
            value = 1
        elif value is None and p.kind == "offset":
            value = 0
        seen: set[str] = set()
        link: str | None = None
        for number in range(1, p.max_pages + 2):
            if number > p.max_pages:
                raise RemoteError(
                    f"{entity} {path}: more than {p.max_pages} pages (pagination.max_pages); "
                    "the list was not read to its end"
                )
            query = {} if link else dict(params)
            if not link:
                if p.size_param:
                    query[p.size_param] = p.size
                if value is not None and p.param:
                    query[p.param] = value
            what = f"{entity} {path} page {number}"
            _, content, answer_headers = self._exchange(
                t.method, link or url, params=query, headers=headers
            )
            doc = self._parse(body, content, what)
            self._check_result(t, body, doc, what)
            records = body.count(doc, p.records)
            yield Payload.of_bytes(what, content, vars=dict(vars))
            if p.kind in ("cursor", "link"):
                found = self._next(p, body, doc, answer_headers)
                if found is None:
                    return
                if found in seen:
                    raise RemoteError(f"{what}: the next {p.kind} {found!r} repeats an earlier one")
                seen.add(found)
                if p.kind == "link":
                    link = urljoin(link or url, found)
                else:
                    value = found
                continue
            if records == 0:
                return
            total = body.value(doc, p.total_pages) if p.total_pages else None
            if total is not None:
                if number >= int(total):
                    return
            elif p.size_param and records < p.size:
                return
            value = int(value) + (records if p.kind == "offset" else 1)

    def _next(self, p: Pagination, body: BodyReader, doc: Any, headers: Any) -> str | None:
        if p.next_header:
            raw = headers.get(p.next_header)
            if raw and p.next_header.lower() == "link":
                raw = _link_next(raw)
            return str(raw).strip() or None if raw else None
        if p.next:
            found = body.value(doc, p.next)
            return None if found is None else str(found)
        return None

    # ------------------------------------------------------------------------------ sending
    def send(self, operation: str, rendered: Any) -> Sent:
        t = self.mapping.transport(operation)
        method = rendered.method or t.method
        body = rendered.body if method.upper() not in ("GET", "DELETE") else None
        status, content = self._call(
            method,
            self._url(rendered.path),
            params=rendered.query,
            body=body,
            headers=self._headers(t),
        )
        return Sent(content, status)

    def verify_push(self, entity: str, headers: dict[str, str], body: bytes) -> bool:
        t = self.mapping.transport(entity)
        return push_auth.verify(
            headers,
            body,
            self.spec.secrets.get("push_secret", ""),
            signature_header=t.signature_header,
            key_header=None if t.signature_header else t.auth_header,
        )

    def acknowledge(self, payload: Payload) -> None:
        return None

    def close(self) -> None:
        self.session.close()


ACCEPT = {"json": "application/json", "xml": "application/xml, text/xml", "csv": "text/csv"}


def _legacy_paging(paging: Paging | None) -> Pagination | None:
    """The older `paging:` section is page pagination with Restline's field names."""
    if paging is None:
        return None
    return Pagination(
        kind="page",
        param=paging.page_param,
        size_param=paging.size_param,
        size=paging.page_size,
        first=paging.first_page,
        total_pages=paging.total_pages_field,
        records=paging.items_field,
    )


def _link_next(header: str) -> str | None:
    """The rel="next" target of an RFC 8288 Link header."""
    for part in header.split(","):
        target, _, params = part.partition(";")
        if re.search(r'rel\s*=\s*"?next"?', params):
            return target.strip().strip("<>")
    return None


def check_result(
    transport: Any, result_codes: dict[str, str], body: BodyReader, doc: Any, what: str
) -> None:
    """Errors inside a 200: the body's flag or code decides, for lists as for single
    answers (a failed page must fail the call, never map to nothing). The recorded adapter
    applies the same check when it replays a recording."""
    check = transport.result
    if check is None and transport.result_field and body.format != "csv":
        check = ResultCheck(path=transport.result_field, message="ErrorDescription")
        if body.format == "json" and not (isinstance(doc, dict) and check.path in doc):
            return
    if check is None:
        return
    raise_for_result(check, result_codes, body, doc, what)


def raise_for_result(
    check: ResultCheck, result_codes: dict[str, str], body: BodyReader, doc: Any, what: str
) -> None:
    """Raise the adapter error a body's result flag or code means (nothing when it is ok)."""
    code = body.value(doc, check.path)
    if code is None:
        if check.required:
            raise RemoteError(f"{what}: the answer has no result at {check.path!r}")
        return
    text = str(code).lower() if isinstance(code, bool) else str(code)
    if check.ok:
        allowed = {str(v).lower() if isinstance(v, bool) else str(v) for v in check.ok}
        meaning = "ok" if text in allowed else result_codes.get(text, "invalid")
    else:
        meaning = result_codes.get(text, "invalid")
    if meaning == "ok":
        return
    detail = body.value(doc, check.message) if check.message else None
    message = f"{what}: result {text} ({meaning}) {detail or ''}".strip()
    if meaning == "transient":
        raise TransientError(message)
    raise RemoteError(message, text)


def _quoted_fill(template: str, vars: dict[str, Any]) -> str:
    return fill(template, {k: quote(str(v), safe="") for k, v in vars.items()})
