"""Pagination as configuration and errors inside a 200, against a loopback HTTP server that
pages a list the way vendors do: a cursor in a JSON or XML body, a cursor header, an RFC 8288
Link header, numbered pages and offsets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.base import AdapterSpec, RemoteError
from adapters.mapping import load_mapping
from adapters.rest.adapter import RestAdapter
from simulators.httpserver import LoopbackHTTPServer, Request, Response

JSON_CURSOR = "{kind: cursor, param: cursor, next: meta.next, size_param: limit, size: 3}"
ITEMS = [{"id": f"S{i:03d}"} for i in range(1, 8)]  # 7 records


class Vendor:
    """Serves ITEMS three at a time in the style `mode` names; records every query."""

    def __init__(self, mode: str, fail_page: int | None = None) -> None:
        self.mode, self.fail_page = mode, fail_page
        self.queries: list[dict[str, str]] = []
        self.server = LoopbackHTTPServer(self.handle)

    def handle(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        self.queries.append(query)
        size = int(query.get("limit", 3))
        if self.mode in ("page", "xml_page", "page_without_total"):
            start = (int(query.get("page", 1)) - 1) * size
        elif self.mode == "offset":
            start = int(query.get("offset", 0))
        else:
            start = int(query.get("cursor") or query.get("after") or 0)
        items = ITEMS[start : start + size]
        number = start // size + 1
        nxt = str(start + size) if start + size < len(ITEMS) else None
        ok = number != self.fail_page
        if self.mode.startswith("xml"):
            rows = "".join(f"<Item><Id>{i['id']}</Id></Item>" for i in items)
            paging = f"<Paging><Next>{nxt or ''}</Next><Pages>3</Pages></Paging>"
            status = '<Status ok="true"/>' if ok else '<Status ok="false">busy</Status>'
            body = f"<Answer>{status}<Items>{rows}</Items>{paging}</Answer>".encode()
            return Response(200, body, "application/xml")
        doc: dict = {"ok": ok, "data": {"items": items}}
        headers: dict[str, str] = {}
        if self.mode == "json_cursor":
            doc["meta"] = {"next": nxt}
        elif self.mode == "header" and nxt:
            headers["X-Next-Cursor"] = nxt
        elif self.mode == "link" and nxt:
            headers["Link"] = f'<{self.server.base}/list?after={nxt}&limit={size}>; rel="next"'
        elif self.mode == "body_link" and nxt:
            doc["links"] = {"next": f"/list?after={nxt}&limit={size}"}  # relative to the page
        elif self.mode == "page":
            doc["pages"] = 3
        if not ok:
            doc["error"] = "backend busy"
        response = Response.json(doc)
        response.headers.update(headers)
        return response


@pytest.fixture
def vendor(request) -> Iterator[Vendor]:
    v = Vendor(*request.param) if isinstance(request.param, tuple) else Vendor(request.param)
    v.server.start()
    yield v
    v.server.stop()


def adapter_for(tmp_path, vendor: Vendor, pagination: str, fmt: str = "json") -> RestAdapter:
    records = "//Item" if fmt == "xml" else "data.items[*]"
    result = (
        '{path: "Status/@ok", ok: ["true"], message: "Status"}'
        if fmt == "xml"
        else "{path: ok, ok: [true], message: error}"
    )
    text = f"""
version: 2
system: pager
protocol: rest
source: {{format: {fmt}}}
entities:
  theatre:
    source: {{records: "{records}"}}
    transport:
      path: /list
      result: {result}
      pagination: {pagination}
    fields:
      id: {{derive: thr, from: {"Id" if fmt == "xml" else "id"}}}
      name: {{value: x}}
      city: {{value: x}}
      country: {{value: IN}}
      timezone: {{value: Asia/Kolkata}}
      currency: {{value: INR}}
"""
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    mapping = load_mapping(path)
    return RestAdapter(AdapterSpec(mapping, {"base_url": vendor.server.base}, {}))


def ids(adapter: RestAdapter) -> list[str]:
    out = []
    for payload in adapter.fetch("theatre"):
        result = adapter.mapping.read("theatre", payload.read(), {"connector_id": "c"})
        assert not result.dead_letters
        out.extend(r.external_refs[0].external_id for r in result.records if r.external_refs)
        out.extend(r.id for r in result.records if not r.external_refs)
    return out


@pytest.mark.parametrize("vendor", ["json_cursor"], indirect=True)
def test_cursor_in_a_json_body_first_request_without_cursor(tmp_path, vendor):
    adapter = adapter_for(tmp_path, vendor, JSON_CURSOR)
    assert len(ids(adapter)) == 7
    assert "cursor" not in vendor.queries[0]  # no cursor=0 on the first call
    assert [q.get("cursor") for q in vendor.queries] == [None, "3", "6"]
    assert all(q["limit"] == "3" for q in vendor.queries)


@pytest.mark.parametrize("vendor", ["xml_cursor"], indirect=True)
def test_cursor_at_an_xpath_of_an_xml_body(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path,
        vendor,
        "{kind: cursor, param: after, next: Paging/Next, size_param: limit, size: 3}",
        fmt="xml",
    )
    assert len(ids(adapter)) == 7
    assert len(vendor.queries) == 3  # the empty <Next/> on page 3 ends the list


@pytest.mark.parametrize("vendor", ["header"], indirect=True)
def test_cursor_in_a_response_header(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path,
        vendor,
        "{kind: cursor, param: cursor, next_header: X-Next-Cursor, size_param: limit, size: 3}",
    )
    assert len(ids(adapter)) == 7
    assert len(vendor.queries) == 3


@pytest.mark.parametrize("vendor", ["link"], indirect=True)
def test_link_header_rel_next(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path, vendor, "{kind: link, next_header: Link, size_param: limit, size: 3}"
    )
    assert len(ids(adapter)) == 7
    assert [q.get("after") for q in vendor.queries] == [None, "3", "6"]


@pytest.mark.parametrize("vendor", ["body_link"], indirect=True)
def test_next_link_at_a_path_of_the_body(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path, vendor, "{kind: link, next: links.next, size_param: limit, size: 3}"
    )
    assert len(ids(adapter)) == 7
    # The link is followed as given (resolved against the page's URL), adding nothing.
    assert vendor.queries == [
        {"limit": "3"},
        {"after": "3", "limit": "3"},
        {"after": "6", "limit": "3"},
    ]


@pytest.mark.parametrize("vendor", ["page_without_total"], indirect=True)
def test_numbered_pages_without_a_total_stop_on_an_empty_page(tmp_path, vendor):
    """No page count and no page size asked for: a short page may not be the last, so only
    an empty page ends the list."""
    adapter = adapter_for(tmp_path, vendor, "{kind: page, param: page}")
    assert len(ids(adapter)) == 7
    assert [q["page"] for q in vendor.queries] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("vendor", ["page"], indirect=True)
def test_numbered_pages_stop_at_total(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path,
        vendor,
        "{kind: page, param: page, size_param: limit, size: 3, total_pages: pages}",
    )
    assert len(ids(adapter)) == 7
    assert [q["page"] for q in vendor.queries] == ["1", "2", "3"]


@pytest.mark.parametrize("vendor", ["offset"], indirect=True)
def test_offsets_stop_on_a_short_page(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path, vendor, "{kind: offset, param: offset, size_param: limit, size: 3}"
    )
    assert len(ids(adapter)) == 7
    assert [q["offset"] for q in vendor.queries] == ["0", "3", "6"]


@pytest.mark.parametrize("vendor", ["json_cursor"], indirect=True)
def test_safety_cap_fails_instead_of_truncating(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path,
        vendor,
        "{kind: cursor, param: cursor, next: meta.next, size_param: limit, size: 3, max_pages: 2}",
    )
    with pytest.raises(RemoteError, match="more than 2 pages"):
        ids(adapter)


@pytest.mark.parametrize("vendor", [("json_cursor", 2)], indirect=True)
def test_error_inside_200_on_a_list_page_fails_the_call(tmp_path, vendor):
    adapter = adapter_for(tmp_path, vendor, JSON_CURSOR)
    with pytest.raises(RemoteError, match="backend busy"):
        ids(adapter)


@pytest.mark.parametrize("vendor", [("xml_cursor", 1)], indirect=True)
def test_error_flag_in_an_xml_attribute(tmp_path, vendor):
    adapter = adapter_for(
        tmp_path,
        vendor,
        "{kind: cursor, param: after, next: Paging/Next, size_param: limit, size: 3}",
        fmt="xml",
    )
    with pytest.raises(RemoteError, match=r"result false \(invalid\) busy"):
        ids(adapter)


def test_a_repeating_cursor_fails(tmp_path):
    server = LoopbackHTTPServer(
        lambda r: Response.json({"ok": True, "data": {"items": ITEMS[:1]}, "meta": {"next": "A"}})
    )
    server.start()
    try:
        vendor = Vendor("json_cursor")
        vendor.server = server
        adapter = adapter_for(tmp_path, vendor, "{kind: cursor, param: cursor, next: meta.next}")
        with pytest.raises(RemoteError, match="repeats"):
            ids(adapter)
    finally:
        server.stop()


def test_link_header_parsing():
    from adapters.rest.adapter import _link_next

    header = '<https://x/a?p=1>; rel="prev", <https://x/a?p=3>; rel="next"'
    assert _link_next(header) == "https://x/a?p=3"
    assert _link_next('<https://x/a?p=1>; rel="prev"') is None
