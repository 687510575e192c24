"""The admin panel's mapping editor, through the API: an admin reads a connector's mapping as text
with its ETag, validates a candidate (line and field of each problem), dry-runs it on a pasted
payload, and saves it as a new file beside the old one that the connector then uses, audited;
the next import records the new revision. A bad text, a stale or missing ETag, a path or lookup
outside the mappings folder, a call past the connector's endpoint, and a caller who is not an
admin all change nothing."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import pytest

from adapters.mapping import load_mapping
from connectors import jobs
from connectors.connector import ConnectorConfig, get_connector, register
from marquee.settings import ROOT

ADMIN = "admin@test.example"
RESTLINE = ROOT / "mappings/restline/mapping.yaml"
PUSH = (ROOT / "mappings/restline/samples/push.json").read_text()
# The seat push reads `Status`; an admin's fix after someone changed it to a field restline
# does not send.
GOOD_STATUS = "status: {path: Status, transforms: [{status_map: seat}]}"
BAD_STATUS = "status: {path: SeatStatus, transforms: [{status_map: seat}]}"


@pytest.fixture
def folder() -> Iterator[str]:
    """A mapping folder of the test's own inside mappings/ (connector mappings must live there),
    holding a copy of restline's mapping; its lookup tables are the shipped ones beside it."""
    relative = f"mappings/test-editor-{uuid.uuid4().hex[:10]}"
    (ROOT / relative).mkdir()
    shutil.copy(RESTLINE, ROOT / relative / "mapping.yaml")
    try:
        yield relative
    finally:
        shutil.rmtree(ROOT / relative, ignore_errors=True)


@pytest.fixture
def admin(api, folder) -> dict[str, str]:
    headers = api.auth(ADMIN)
    for ident in ("editor-a", "editor-b"):  # two connectors share the file
        r = api.client.post(
            "/v1/admin/connectors",
            headers=headers,
            json={
                "id": ident,
                "adapter": "rest",
                "mapping": f"{folder}/mapping.yaml",
                "endpoint": {"base_url": "http://127.0.0.1:9"},  # nothing listens there
                "settings": {"read_timeout": 1, "connect_timeout": 1, "attempts": 1},
            },
        )
        assert r.status_code == 201, r.text
    return headers


URL = "/v1/admin/connectors/editor-a/mapping"


def _files(folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ROOT / folder).iterdir())}


def _audit(api, admin) -> list[dict]:
    items = api.client.get("/v1/admin/audit-log", headers=admin).json()["items"]
    return [e for e in items if e["target"] == "editor-a"]


def _connector(api, admin, ident: str = "editor-a") -> dict:
    return api.client.get(f"/v1/admin/connectors/{ident}", headers=admin).json()


def test_an_admin_reads_the_mapping_with_its_etag_fingerprint_and_who_shares_it(api, admin, folder):
    r = api.client.get(URL, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["text"] == RESTLINE.read_text()
    assert body["path"] == f"{folder}/mapping.yaml"
    assert r.headers["ETag"] == body["etag"]
    assert body["fingerprint"] == load_mapping(ROOT / body["path"]).fingerprint
    assert (body["system"], body["language_version"], body["valid"]) == ("restline", 2, True)
    assert body["issues"] == []
    assert body["shared_with"] == ["editor-b"]


def test_a_save_is_a_new_file_the_connector_uses_audited_and_recorded_by_the_next_run(
    api, admin, folder
):
    c = api.client
    original = _files(folder)
    read = c.get(URL, headers=admin).json()
    text = read["text"].replace("path: /films\n", "path: /films  # every film\n")
    assert text != read["text"]

    r = c.put(URL, headers={**admin, "If-Match": read["etag"]}, json={"text": text})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["path"] == f"{folder}/mapping.editor-a.v1.yaml"
    assert saved["text"] == text and saved["valid"] and r.headers["ETag"] == saved["etag"]
    assert saved["etag"] != read["etag"] and saved["fingerprint"] != read["fingerprint"]
    assert saved["shared_with"] == []
    # The shared file is untouched and the other connector keeps it; the new file is the text.
    assert _files(folder) == {**original, "mapping.editor-a.v1.yaml": text.encode()}
    assert _connector(api, admin)["mapping"] == saved["path"]
    assert _connector(api, admin, "editor-b")["mapping"] == f"{folder}/mapping.yaml"
    assert get_connector(api.hub.engine, "editor-a").mapping.fingerprint == saved["fingerprint"]
    entry = _audit(api, admin)[0]
    assert entry["action"] == "connector.mapping_save"
    assert entry["detail"] == {
        "from": f"{folder}/mapping.yaml",
        "to": saved["path"],
        "fingerprint": saved["fingerprint"],
    }

    # The next save builds on that one, with its ETag.
    again = text.replace("# every film", "# every film, every language")
    r = c.put(URL, headers={**admin, "If-Match": saved["etag"]}, json={"text": again})
    assert r.status_code == 200, r.text
    assert r.json()["path"] == f"{folder}/mapping.editor-a.v2.yaml"

    # The next import runs with the new revision and records it.
    url = api.hub.settings.database.url
    try:
        with pytest.raises(Exception):  # noqa: B017 - nothing listens on port 9
            jobs.sync_catalog("editor-a", url)
    finally:
        jobs.engine_for(url).dispose()
    run = c.get("/v1/admin/connectors/editor-a/runs", headers=admin).json()[0]
    assert run["mapping_path"] == r.json()["path"]
    assert run["mapping_fingerprint"] == r.json()["fingerprint"]
    assert _connector(api, admin)["last_run"]["mapping_fingerprint"] == r.json()["fingerprint"]


BAD_TEXTS = [
    # (what is wrong, replace this, with this, the field the problem names, its message)
    ("not YAML", "entities:\n", "entities: [\n", "", "not valid YAML"),
    (
        "a mistyped key",
        "where: {path: EventType",
        "whre: {path: EventType",
        "entities.seat_push.whre",
        "unknown key `whre`",
    ),
    (
        "a lookup table outside mappings/",
        "../lookups/formats.yaml",
        "../../pyproject.toml",
        "lookups.formats",
        "outside the mappings/ folder",
    ),
    (
        "a call past the connector's endpoint",
        "base_path: /api/v1",
        'base_path: "@169.254.169.254/latest"',
        "transport.base_path",
        "must start with `/`",
    ),
    (
        "an absolute URL",
        "      path: /films\n",
        '      base_path: ""\n      path: http://10.0.0.1/films\n',
        "entities.movie.transport.path",
        "must start with `/`",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"), [b[1:] for b in BAD_TEXTS], ids=[b[0] for b in BAD_TEXTS]
)
def test_an_invalid_mapping_is_a_422_with_its_line_and_changes_nothing(
    api, admin, folder, old, new, field, message
):
    c = api.client
    read = c.get(URL, headers=admin).json()
    assert old in read["text"]
    text = read["text"].replace(old, new, 1)
    before = (_files(folder), _connector(api, admin), _audit(api, admin))

    checked = c.post(f"{URL}/validate", headers=admin, json={"text": text})
    assert checked.status_code == 200, checked.text
    assert checked.json()["valid"] is False
    issues = checked.json()["issues"]
    assert any(i["path"] == field and message in i["message"] for i in issues), issues
    issue = next(i for i in issues if i["path"] == field)
    if field:  # the line the problem is on
        assert text.splitlines()[issue["line"] - 1].strip().startswith(field.split(".")[-1])

    r = c.put(URL, headers={**admin, "If-Match": read["etag"]}, json={"text": text})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "invalid_mapping"
    assert any(message in e["message"] and e["line"] > 0 for e in problem["errors"]), problem
    assert (_files(folder), _connector(api, admin), _audit(api, admin)) == before


def test_a_valid_mapping_of_another_protocol_or_fewer_capabilities_does_not_fit(api, admin):
    c = api.client
    read = c.get(URL, headers=admin).json()
    soapbox = (ROOT / "mappings/soapbox/mapping.yaml").read_text()
    r = c.put(URL, headers={**admin, "If-Match": read["etag"]}, json={"text": soapbox})
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["field"] == "body.text.protocol" and "rest adapter" in error["message"]
    assert error["line"] == soapbox[: soapbox.index("protocol:")].count("\n") + 1

    # The connector sells live through the POS: a mapping whose POS cannot sell does not fit.
    r = c.patch(
        "/v1/admin/connectors/editor-a", headers=admin, json={"settings": {"online_sales": "live"}}
    )
    assert r.status_code == 200, r.text
    export_only = read["text"].replace(
        "capabilities: [hold, sell, release, cancel, export]", "capabilities: [export]"
    )
    export_only = export_only[: export_only.index("\noperations:")] + "\n"
    checked = c.post(f"{URL}/validate", headers=admin, json={"text": export_only}).json()
    assert checked["valid"] is False
    (issue,) = checked["issues"]
    assert issue["path"] == "capabilities" and "live" in issue["message"]
    r = c.put(URL, headers={**admin, "If-Match": read["etag"]}, json={"text": export_only})
    assert r.status_code == 422 and r.json()["code"] == "invalid_mapping"
    assert _connector(api, admin)["mapping"] == read["path"]


def test_validate_answers_what_a_valid_text_holds(api, admin):
    text = api.client.get(URL, headers=admin).json()["text"]
    r = api.client.post(f"{URL}/validate", headers=admin, json={"text": text})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] is True and body["issues"] == []
    assert "seat_push" in body["entities"] and "hold" in body["operations"]


def test_a_stale_etag_is_a_412_a_missing_one_a_428_and_neither_writes(api, admin, folder):
    c = api.client
    first = c.get(URL, headers=admin).json()
    second = c.get(URL, headers=api.auth(ADMIN)).json()  # another admin reads the same
    mine = first["text"].replace("path: /films\n", "path: /films  # mine\n")
    theirs = second["text"].replace("path: /films\n", "path: /films  # theirs\n")
    assert c.put(URL, headers={**admin, "If-Match": first["etag"]}, json={"text": mine}).is_success
    files = _files(folder)
    after_mine = c.get(URL, headers=admin).json()

    r = c.put(URL, headers={**admin, "If-Match": second["etag"]}, json={"text": theirs})
    assert r.status_code == 412, r.text
    assert r.json()["code"] == "mapping_changed"
    assert r.headers["ETag"] == after_mine["etag"]
    r = c.put(URL, headers=admin, json={"text": theirs})
    assert r.status_code == 428 and r.json()["code"] == "precondition_required"
    assert _files(folder) == files
    assert c.get(URL, headers=admin).json() == after_mine

    # A change of the file on disk makes the ETag stale too.
    path = ROOT / after_mine["path"]
    path.write_text(after_mine["text"] + "# edited on the server\n")
    r = c.put(URL, headers={**admin, "If-Match": after_mine["etag"]}, json={"text": theirs})
    assert r.status_code == 412
    # And the same text again is nothing to save.
    now = c.get(URL, headers=admin).json()
    r = c.put(URL, headers={**admin, "If-Match": now["etag"]}, json={"text": now["text"]})
    assert r.status_code == 422 and r.json()["code"] == "nothing_to_change"


def test_a_mapping_outside_the_mappings_folder_is_not_read_or_written(api, admin, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    outside = tmp_path / "elsewhere" / "mapping.yaml"
    shutil.copy(RESTLINE, outside)
    register(
        api.hub.engine,
        ConnectorConfig(
            id="editor-outside",
            adapter="rest",
            mapping=str(outside),  # registered in code: the API would have refused it
            endpoint={"base_url": "http://127.0.0.1:9"},
        ),
    )
    url = "/v1/admin/connectors/editor-outside/mapping"
    r = api.client.get(url, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "mapping_not_editable"
    text = RESTLINE.read_text() + "# changed\n"
    r = api.client.put(url, headers={**admin, "If-Match": "*"}, json={"text": text})
    assert r.status_code == 409, r.text
    assert [p.name for p in outside.parent.iterdir()] == ["mapping.yaml"]
    assert outside.read_text() == RESTLINE.read_text()


def test_a_folder_that_cannot_be_written_is_a_503_and_leaves_nothing(api, admin, folder):
    read = api.client.get(URL, headers=admin).json()
    shutil.rmtree(ROOT / folder)  # the folder went away under the connector
    gone = api.client.get(URL, headers=admin).json()
    assert gone["valid"] is False and gone["text"] == ""
    r = api.client.put(
        URL, headers={**admin, "If-Match": gone["etag"]}, json={"text": read["text"]}
    )
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "mapping_not_writable"
    assert not (ROOT / folder).exists()
    assert _connector(api, admin)["mapping"] == read["path"]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("cust-a@test.example", 403), ("staff-a@test.example", 403)],
)
def test_only_admins_read_check_or_save_mappings(api, admin, folder, who, status):
    c = api.client
    headers = api.auth(who) if who else {}
    read = c.get(URL, headers=admin).json()
    text = read["text"] + "# not theirs\n"
    files = _files(folder)
    assert c.get(URL, headers=headers).status_code == status
    assert c.post(f"{URL}/validate", headers=headers, json={"text": text}).status_code == status
    body = {"text": text, "entity": "seat_push", "payload": PUSH}
    assert c.post(f"{URL}/dry-run", headers=headers, json=body).status_code == status
    r = c.put(URL, headers={**headers, "If-Match": read["etag"]}, json={"text": text})
    assert r.status_code == status
    assert _files(folder) == files
    assert _connector(api, admin)["mapping"] == read["path"]


def test_a_dry_run_maps_a_pasted_payload_with_the_candidate(api, admin, folder):
    c = api.client
    text = c.get(URL, headers=admin).json()["text"]
    files = _files(folder)
    url = f"{URL}/dry-run"

    r = c.post(url, headers=admin, json={"text": text, "entity": "seat_push", "payload": PUSH})
    assert r.status_code == 200, r.text
    (record,) = r.json()["records"]
    assert [s["status"] for s in record["changes"]] == ["sold", "sold"]
    assert r.json()["dead_letters"] == []

    broken = text.replace(GOOD_STATUS, BAD_STATUS)
    r = c.post(url, headers=admin, json={"text": broken, "entity": "seat_push", "payload": PUSH})
    assert r.status_code == 200, r.text
    assert r.json()["records"] == []
    (dead,) = r.json()["dead_letters"]
    assert dead["field_path"] == "changes.0.status" and "required" in dead["reason"]

    r = c.post(url, headers=admin, json={"text": text, "entity": "seat_pushes", "payload": PUSH})
    assert r.status_code == 422 and r.json()["code"] == "unknown_entity"
    assert "seat_push" in r.json()["detail"]
    r = c.post(url, headers=admin, json={"text": "a: [", "entity": "seat_push", "payload": PUSH})
    assert r.status_code == 422 and r.json()["code"] == "invalid_mapping"
    assert _files(folder) == files


def test_two_saves_at_once_from_the_same_read_one_wins_and_one_file_is_left(api, admin, folder):
    from concurrent.futures import ThreadPoolExecutor

    read = api.client.get(URL, headers=admin).json()
    texts = [read["text"] + f"# save {n}\n" for n in range(2)]
    headers = {**admin, "If-Match": read["etag"]}
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda t: api.client.put(URL, headers=headers, json={"text": t}), texts)
        )
    assert sorted(r.status_code for r in answers) == [200, 412], [r.text for r in answers]
    (won,) = [r.json() for r in answers if r.status_code == 200]
    # Whichever step refused the other (the ETag, or the conditional update after its file was
    # written), only the winner's file is left and the connector names it.
    assert sorted(_files(folder)) == sorted(["mapping.yaml", won["path"].rsplit("/", 1)[-1]])
    assert _connector(api, admin)["mapping"] == won["path"]
    assert (ROOT / won["path"]).read_text() == won["text"]
    assert [e["action"] for e in _audit(api, admin)].count("connector.mapping_save") == 1
