"""Typed transport sections: what a protocol adapter needs to fetch an entity or send an
operation. Values are templates: `{name}` reads the outbound request (or an entity's call
variables), `{$name}` a context variable."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _T(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paging(_T):
    page_param: str = "Page"
    size_param: str = "PageSize"
    page_size: int = Field(default=100, ge=1)
    first_page: int = 1
    total_pages_field: str = "TotalPages"
    items_field: str = "Items"


class Cursor(_T):
    param: str = Field(description="Query parameter that sends the cursor, e.g. Since")
    field: str = Field(description="Response field holding the next cursor, e.g. Cursor")
    first: str | None = Field(default=None, description="Sent when no cursor is stored yet")


class Pagination(_T):
    """How a list is paged. `cursor`: the answer names the next cursor, sent back in `param`
    (the first request sends none unless `first` is set). `page`/`offset`: a counter in
    `param` starting at `first` (1 / 0), stopping at `total_pages`, an empty page, or a page
    shorter than `size`. `link`: the answer names the next URL (a body path or a `Link:
    <...>; rel="next"` header). A null or empty next value ends the list; more pages than
    `max_pages`, or a cursor that repeats, fails the call (a truncated list must never look
    complete: the schedule sweep would cancel the shows it did not see)."""

    kind: Literal["cursor", "page", "offset", "link"]
    param: str | None = None
    next: str | None = Field(default=None, description="Body path of the next cursor / link")
    next_header: str | None = Field(default=None, description="Header of the next cursor/link")
    first: str | int | None = None
    size_param: str | None = None
    size: int = Field(default=100, ge=1)
    total_pages: str | None = None
    records: str | None = Field(default=None, description="Body path of the page's records")
    max_pages: int = Field(default=1000, ge=1)


class ResultCheck(_T):
    """An "error inside a 200": the body's flag or code at `path` decides whether the call
    worked. `ok` lists the values meaning success (compared as text, `true`/`false` for
    booleans); without `ok` the mapping's `result_codes` decide. `message` is the path of the
    error text. A body without the flag is fine unless `required`."""

    path: str
    ok: list[str | int | bool] = []
    message: str | None = None
    required: bool = False


class RestTransport(_T):
    kind: Literal["rest"] = "rest"
    base_path: str = ""
    auth_header: str | None = None
    signature_header: str | None = None
    method: str = "GET"
    path: str
    query: dict[str, str] = {}
    paging: Paging | None = None
    cursor: Cursor | None = None
    pagination: Pagination | None = None
    result_field: str | None = "Result"
    result: ResultCheck | None = None
    headers: dict[str, str] = {}


class SoapTransport(_T):
    kind: Literal["soap"] = "soap"
    service_path: str = ""
    wsdl: str | None = None
    namespace: str | None = None
    auth_header: str | None = None
    operation: str
    arguments: dict[str, str] = {}


class CsvTransport(_T):
    kind: Literal["csv_sftp"] = "csv_sftp"
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    header: bool = True
    line_terminator: str = "\r\n"
    temp_suffix: str = ".tmp"
    # inbound (POS -> Marquee)
    folder: str | None = None
    file_glob: str | None = None
    filename_vars: str | None = Field(
        default=None, description="Regex with named groups: values become context vars"
    )
    select: Literal["all", "newest"] = "all"
    after_read: Literal["leave", "move", "delete"] = "leave"
    archive_folder: str | None = None
    result: ResultCheck | None = None
    # outbound (Marquee -> POS)
    request_folder: str | None = None
    request_filename: str | None = None
    ack_folder: str | None = None
    ack_filename: str | None = None


Transport = RestTransport | SoapTransport | CsvTransport
_KINDS: dict[str, type[_T]] = {
    "rest": RestTransport,
    "soap": SoapTransport,
    "csv_sftp": CsvTransport,
}


def build_transport(
    protocol: str, defaults: dict[str, Any], own: dict[str, Any], source: dict[str, Any]
) -> Transport:
    data = {**defaults, **own}
    if protocol == "csv_sftp":
        for key in ("encoding", "delimiter", "quotechar", "header"):
            if key in source and key not in data:
                data[key] = source[key]
    return _KINDS[protocol].model_validate(data)
