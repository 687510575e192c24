"""Navigation: a nested JSON record reads its parent and grandparent (`^.X`, `^^.X`); XPath
placeholders of templates may use `$variables` bound by `let`."""

from __future__ import annotations

import io
import json

from adapters.mapping import load_mapping

NESTED = """
version: 2
system: nested
protocol: rest
entities:
  show:
    source: {records: "Cinemas[*].Films[*].Sessions[*]"}
    theatre: "^^.CinemaId"
    fields:
      id: {derive: shw, from: Id, scope: "cinema:{^^.CinemaId}"}
      movie_id: {derive: mov, from: "^.FilmCode"}
      theatre_id: {derive: thr, from: "^^.CinemaId"}
      screen_id: {derive: scr, from: Screen, scope: "cinema:{^^.CinemaId}"}
      start: {path: Start, transforms: [datetime]}
      end: {path: Start, transforms: [datetime, {add_minutes: "^.Minutes"}]}
      language: {path: "^.Lang"}
"""

DOC = {
    "Cinemas": [
        {
            "CinemaId": "C1",
            "Films": [
                {
                    "FilmCode": "F1",
                    "Minutes": 100,
                    "Lang": "ta",
                    "Sessions": [
                        {"Id": "1", "Screen": "2", "Start": "2026-12-05T18:00:00"},
                        {"Id": "2", "Screen": "1", "Start": "2026-12-05T21:00:00"},
                    ],
                },
                {
                    "FilmCode": "F2",
                    "Minutes": 90,
                    "Lang": "hi",
                    "Sessions": [{"Id": "3", "Screen": "1", "Start": "2026-12-06T18:00:00"}],
                },
            ],
        }
    ]
}
CTX = {"connector_id": "t", "theatres": {"C1": {"timezone": "Asia/Kolkata", "currency": "INR"}}}


def test_sessions_nested_in_films_read_their_film_and_cinema(write_mapping):
    mapping = load_mapping(write_mapping(NESTED))
    result = mapping.read("show", json.dumps(DOC), CTX)
    assert not result.dead_letters
    by_lang = [(s.language, (s.end - s.start).total_seconds() / 60) for s in result.records]
    assert by_lang == [("ta", 100), ("ta", 100), ("hi", 90)]
    assert len({s.movie_id for s in result.records}) == 2
    assert result.records[0].start.utcoffset().total_seconds() == 5.5 * 3600  # C1's zone
    streamed = list(mapping.stream("show", io.BytesIO(json.dumps(DOC).encode()), CTX))
    assert [s.id for s in streamed] == [s.id for s in result.records]


XML = """
version: 2
system: xmlvars
protocol: soap
source: {format: xml}
entities:
  translation:
    source: {records: "//Film/Titles/Title"}
    transport: {operation: GetFilms}
    let: {lang: "@lang"}
    fields:
      movie_id: {derive: mov, from: ../../Code}
      language: "@lang"
      title: "."
      synopsis: {template: "{string(../../Synopses/Synopsis[@lang = $lang])} ({$lang})"}
"""


def test_xpath_placeholders_of_templates_read_let_variables(write_mapping):
    mapping = load_mapping(write_mapping(XML))
    body = (
        "<Films><Film><Code>F1</Code><Titles><Title lang='en'>Hunt</Title>"
        "<Title lang='ta'>Vettai</Title></Titles><Synopses><Synopsis lang='en'>A chase"
        "</Synopsis><Synopsis lang='ta'>Oru</Synopsis></Synopses></Film></Films>"
    )
    result = mapping.read("translation", body, {"connector_id": "t"})
    assert not result.dead_letters
    assert [t.synopsis for t in result.records] == ["A chase (en)", "Oru (ta)"]


def test_language_tags_answer_with_region_fallback_both_ways():
    from canonical.text import LocalizedText

    stored_regional = LocalizedText(values={"ta-IN": "Vettai", "en": "The Hunt"})
    assert stored_regional.resolve(["ta"]) == "Vettai"  # `ta` finds `ta-IN`
    assert stored_regional.resolve_tag(["ta"]) == "ta-IN"
    stored_plain = LocalizedText(values={"ta": "Vettai", "en": "The Hunt"})
    assert stored_plain.resolve(["ta-IN"]) == "Vettai"  # `ta-IN` falls back to `ta`
    assert stored_plain.resolve(["fr"]) == "The Hunt"
    # A mapping normalises vendor locales (hi_IN) to BCP 47 before they are stored.
    assert LocalizedText(values={"hi_IN": "Shikar"}).resolve(["hi"]) == "Shikar"
