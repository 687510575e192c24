"""Bad payloads become dead letters: nothing applied, nothing crashes, nothing dropped."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from pathlib import Path

from adapters.mapping import DeadLetter

SAMPLES = Path(__file__).resolve().parents[2] / "mappings"
CTX = {
    "connector_id": "t",
    "now": "2026-11-26T13:00:00Z",
    "theatres": {
        "C01": {"timezone": "Asia/Kolkata", "currency": "INR"},
        "1001": {"timezone": "Asia/Kolkata", "currency": "INR"},
        "1002": {"timezone": "Europe/London", "currency": "GBP"},
        "PAR01": {"timezone": "Europe/Paris", "currency": "EUR"},
        "ZRH02": {"timezone": "Europe/Zurich", "currency": "CHF"},
    },
}


def sessions_doc():
    return json.loads((SAMPLES / "restline/samples/sessions.json").read_text())


def test_malformed_json(restline):
    result = restline.read("show", b'{"Result":0,"Items":[{"SessionId": "1",', CTX)
    assert result.records == [] and len(result.dead_letters) == 1
    letter = result.dead_letters[0]
    assert letter.reason.startswith("malformed JSON") and letter.field_path == "$"
    assert letter.system == "restline" and letter.mapping_version == 2
    assert letter.entity == "show" and letter.payload.startswith('{"Result":0')


def test_one_bad_record_means_nothing_applied(restline):
    doc = sessions_doc()
    doc["Items"][1]["Prices"][0]["PriceInCents"] = "lots"
    result = restline.read("show", json.dumps(doc).encode(), CTX)
    assert result.records == []
    [letter] = result.dead_letters
    assert letter.field_path == "ticket_types.0.price"
    assert "'lots' is not a minor-unit amount" in letter.reason
    assert letter.record_index == 1
    assert json.loads(letter.payload)["SessionId"] == "14165"  # the record's own slice
    partial = restline.read("show", json.dumps(doc).encode(), CTX, partial=True)
    assert len(partial.records) == 1 and len(partial.dead_letters) == 1


def test_missing_and_wrongly_typed_fields(restline):
    doc = sessions_doc()
    del doc["Items"][0]["Showtime"]
    doc["Items"][1]["Format"] = "8K"
    result = restline.read("show", json.dumps(doc), CTX)
    assert result.records == []
    by_index = {d.record_index: d for d in result.dead_letters}
    assert by_index[0].field_path == "start"
    assert "no value" in by_index[0].reason or "required" in by_index[0].reason.lower()
    assert by_index[1].field_path == "format"
    assert "'8K' is not in lookup table 'formats'" in by_index[1].reason


def test_items_of_the_wrong_shape(restline):
    result = restline.read("show", {"Result": 0, "Items": ["oops", 42, None]}, CTX)
    assert result.records == [] and len(result.dead_letters) == 3
    assert all(isinstance(d, DeadLetter) for d in result.dead_letters)


def test_canonical_rule_violation_names_the_field(restline):
    doc = sessions_doc()
    doc["Items"][0]["EndTime"] = doc["Items"][0]["Showtime"]
    [letter] = restline.read("show", json.dumps(doc), CTX).dead_letters
    assert "a show must end after it starts" in letter.reason


def test_unknown_theatre_zone_is_a_dead_letter(restline):
    doc = sessions_doc()
    doc["Items"][0]["CinemaId"] = "C99"
    [letter] = restline.read("show", json.dumps(doc), CTX).dead_letters
    assert "no currency for theatre 'C99'" in letter.reason or "C99" in letter.reason


def test_malformed_xml(soapbox):
    result = soapbox.read("show", b"<soap:Envelope><Sessions><Session>", CTX)
    assert result.records == [] and result.dead_letters[0].reason.startswith("malformed XML")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Sessions xmlns="urn:soapbox:ticketing:2"><Session><SessionId>&lol9;</SessionId></Session>
</Sessions>"""


def test_entity_expansion_is_a_dead_letter_not_a_blowup(soapbox):
    tracemalloc.start()
    started = time.perf_counter()
    result = soapbox.read("show", BILLION_LAUGHS, CTX)
    streamed = list(soapbox.stream("show", io.BytesIO(BILLION_LAUGHS), CTX))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 20 * 1024 * 1024
    assert result.records == [] and len(result.dead_letters) == 1
    assert "DTD or entity declarations is refused" in result.dead_letters[0].reason
    assert len(streamed) == 1 and isinstance(streamed[0], DeadLetter)


def test_external_entity_is_refused(soapbox):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<Sessions xmlns="urn:soapbox:ticketing:2"><Session><SessionId>&e;</SessionId>'
        b"</Session></Sessions>"
    )
    result = soapbox.read("show", xxe, CTX)
    assert result.records == [] and "refused" in result.dead_letters[0].reason
    assert "root:" not in result.dead_letters[0].payload.split("]>")[-1]


def test_bad_local_time_in_a_dst_gap_is_a_dead_letter(reelfeed):
    header = "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
    row = "RF1|202603290230|3;PAR01;RF1;3;202603290230;100;fr;2D;ADU:STD:12.50\r\n"
    [letter] = reelfeed.read("show", (header + row).encode("latin-1"), CTX).dead_letters
    assert letter.field_path == "start" and "does not exist in Europe/Paris" in letter.reason
    assert letter.payload == header + row.strip()  # with its header row: replayable alone


def test_malformed_csv(reelfeed):
    text = (
        "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
        'RF1|202603282030|3;PAR01;"RF1;3;202603282030;100;fr;2D;ADU:STD:12.50\r\n'
    )
    result = reelfeed.read("show", text.encode("latin-1"), CTX)
    assert result.records == [] and len(result.dead_letters) == 1
    assert "CSV" in result.dead_letters[0].reason or "columns" in result.dead_letters[0].reason


def test_csv_row_with_missing_columns(reelfeed):
    text = (
        "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
        "RF1|202603282030|3;PAR01;RF1;3;202603282030;100;fr;2D;ADU:STD:12.50\r\n"
        "RF2|202603282030|3;PAR01;RF2\r\n"
    )
    result = reelfeed.read("show", text.encode("latin-1"), CTX)
    assert result.records == []
    [letter] = result.dead_letters
    assert letter.reason == "line 3 has 3 columns, the header has 9"
    assert letter.payload == (
        "ShowID;SiteCode;FilmCode;Aud;Start;Minutes;Lang;Format;Prices\r\n"
        "RF2|202603282030|3;PAR01;RF2"
    )


def test_wrong_encoding(reelfeed, write_mapping, tmp_path):
    # UTF-16 text is not Latin-1 CSV: refused as a whole, not misread.
    utf16 = "SiteCode;SiteName;Town;Country;TZ;Currency;Lang\r\n".encode("utf-16")
    result = reelfeed.read("theatre", utf16, CTX)
    assert result.records == [] and "NUL" in result.dead_letters[0].reason
    # A mapping that declares UTF-8 refuses each line holding Latin-1 bytes, naming the line;
    # the lines that are valid UTF-8 still map (one bad line never costs the whole file).
    text = (
        (SAMPLES / "reelfeed/mapping.yaml")
        .read_text()
        .replace("encoding: latin-1", "encoding: utf-8")
        .replace("../lookups/", str(SAMPLES / "lookups") + "/")
    )
    from adapters.mapping import load_mapping

    utf8 = load_mapping(write_mapping(text))
    sites = (SAMPLES / "reelfeed/samples/sites.csv").read_bytes()
    result = utf8.read("theatre", sites, CTX, partial=True)
    bad = [line for line in sites.split(b"\r\n")[1:] if line and not line.isascii()]
    assert bad and len(result.dead_letters) == len(bad)
    assert all("is not valid utf-8" in d.reason for d in result.dead_letters)
    assert "\\x" in result.dead_letters[0].payload  # the bad bytes, shown, not lost
    assert len(result.records) == len([x for x in sites.split(b"\r\n")[1:] if x]) - len(bad)
    streamed = list(utf8.stream("theatre", io.BytesIO(sites), CTX))
    assert any(isinstance(i, DeadLetter) and "utf-8" in i.reason for i in streamed)


def test_stream_equals_read_and_reports_bad_lines(restline, soapbox, reelfeed):
    doc = sessions_doc()
    lines = (json.dumps(doc) + "\n" + json.dumps(doc) + "\n").encode()
    streamed = list(restline.stream("show", io.BytesIO(lines), CTX))
    assert len(streamed) == 4 and streamed[:2] == restline.read("show", doc, CTX).records
    broken = list(restline.stream("show", io.BytesIO(lines + b"{oops\n"), CTX))
    assert isinstance(broken[-1], DeadLetter) and "line 3" in broken[-1].reason

    xml = (SAMPLES / "soapbox/samples/sessions.xml").read_bytes()
    expected = soapbox.read("show", xml, CTX).records
    assert list(soapbox.stream("show", io.BytesIO(xml), CTX)) == expected

    csv_bytes = (SAMPLES / "reelfeed/samples/schedule_202603281200.csv").read_bytes()
    assert (
        list(reelfeed.stream("show", io.BytesIO(csv_bytes), CTX))
        == reelfeed.read("show", csv_bytes, CTX).records
    )
    assert len(list(reelfeed.stream("show", io.BytesIO(csv_bytes), CTX, limit=1))) == 1


def test_unreadable_answers_are_transient(restline, soapbox, reelfeed):
    for mapping, body in ((restline, b"<html>502</html>"), (soapbox, b"not xml"), (reelfeed, b"")):
        outcome = mapping.outcome("hold", body, CTX)
        assert outcome.status == "transient" and outcome.message.startswith("unreadable")
