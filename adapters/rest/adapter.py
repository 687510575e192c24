"""REST/JSON adapter: one `requests.Session` per connector (connection reuse), explicit
connect/read timeouts, paging and cursors as the mapping's transport section describes, a
response size limit, and legacy "HTTP 200 with a Result code" answers turned into errors for
reads (operations return the raw body: their outcome is the mapping's to read).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

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
from adapters.templates import fill


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
        self.session.headers["Accept"] = "application/json"
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
            ) as response:
                content = self._read_limited(response)
                status = response.status_code
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
        return status, content

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

    def _check_result(self, transport: Any, content: bytes, what: str) -> dict[str, Any]:
        try:
            doc = json.loads(content)
        except ValueError as exc:
            raise TransientError(f"{what}: the answer is not JSON") from exc
        field = transport.result_field
        if field and isinstance(doc, dict) and field in doc:
            code = str(doc[field])
            meaning = self.mapping.result_codes.get(code, "invalid")
            if meaning != "ok":
                text = doc.get("ErrorDescription") or doc.get("Message") or ""
                message = f"{what}: result {code} ({meaning}) {text}".strip()
                if meaning == "transient":
                    raise TransientError(message)
                raise RemoteError(message, code)
        return doc if isinstance(doc, dict) else {}

    # ------------------------------------------------------------------------------ reading
    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        vars = dict(vars or {})
        t = self.mapping.transport(entity)
        path = t.base_path + _quoted_fill(t.path, vars)
        url = self._url(path)
        params = {k: fill(v, vars) for k, v in t.query.items()}
        if t.cursor is not None:
            params[t.cursor.param] = cursor or "0"
        headers = self._headers(t)
        if t.paging is None:
            _, content = self._call(t.method, url, params=params, headers=headers)
            doc = self._check_result(t, content, f"{entity} {path}")
            next_cursor = (
                str(doc.get(t.cursor.field)) if t.cursor and t.cursor.field in doc else None
            )
            yield Payload.of_bytes(f"{entity} {path}", content, vars=vars, cursor=next_cursor)
            return
        page = t.paging.first_page
        while True:
            query = {**params, t.paging.page_param: page, t.paging.size_param: t.paging.page_size}
            _, content = self._call(t.method, url, params=query, headers=headers)
            doc = self._check_result(t, content, f"{entity} {path} page {page}")
            yield Payload.of_bytes(f"{entity} {path} page {page}", content, vars=vars)
            total = doc.get(t.paging.total_pages_field)
            items = doc.get(t.paging.items_field) or []
            last = (
                page - t.paging.first_page + 1 >= int(total)
                if isinstance(total, int)
                else len(items) < t.paging.page_size
            )
            if last or not items:
                return
            page += 1

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


def _quoted_fill(template: str, vars: dict[str, Any]) -> str:
    return fill(template, {k: quote(str(v), safe="") for k, v in vars.items()})
