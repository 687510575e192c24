"""One film, one movie: the matching rules (booking.movie_matching)."""

from __future__ import annotations

from booking.movie_matching import best_match, compare, facts, normalise_title


def test_titles_compare_without_case_accents_punctuation_articles_or_a_year():
    assert normalise_title("The Lord of the Rings: The Return of the King (2003)") == (
        "lord of the rings the return of the king"
    )
    assert normalise_title("AMÉLIE") == normalise_title("Amelie") == "amelie"
    assert normalise_title("Kaala  Vettai!") == "kaala vettai"


def _f(mid, title="Kaala Vettai", year=2026, runtime=148, ids=(), sources=("restline",)):
    return facts(mid, [title], year, runtime, ids, sources)


def test_a_shared_global_id_is_one_film_whatever_the_titles():
    new = _f("mov_b", title="Hunt at Dusk", ids=[("imdb", "tt1234567")], sources=["soapbox"])
    old = _f("mov_a", ids=[("imdb", "TT1234567")])
    match = compare(new, old)
    assert match is not None and match.sure and "imdb" in match.reason


def test_two_ids_of_one_scheme_are_two_films():
    new = _f("mov_b", ids=[("imdb", "tt1111111")], sources=["soapbox"])
    assert compare(new, _f("mov_a", ids=[("imdb", "tt2222222")])) is None


def test_title_year_and_runtime_from_two_sources_is_sure():
    match = compare(
        _f("mov_b", title="kaala vettai", runtime=150, sources=["soapbox"]), _f("mov_a")
    )
    assert match is not None and match.sure


def test_unsure_cases_are_candidates_not_merges():
    other = ["soapbox"]
    far = compare(_f("mov_b", runtime=160, sources=other), _f("mov_a"))
    no_year = compare(_f("mov_b", year=None, sources=other), _f("mov_a"))
    same_source = compare(_f("mov_b"), _f("mov_a"))  # one POS lists two versions apart
    for match in (far, no_year, same_source):
        assert match is not None and not match.sure
    assert compare(_f("mov_b", runtime=200, sources=other), _f("mov_a")) is None
    assert compare(_f("mov_b", year=2025, sources=other), _f("mov_a")) is None
    assert compare(_f("mov_b", title="Another Film", sources=other), _f("mov_a")) is None


def test_best_match_prefers_a_sure_one_and_never_itself():
    new = _f("mov_c", sources=["reelfeed"])
    unsure = _f("mov_a", runtime=160)
    sure = _f("mov_b")
    assert best_match(new, [unsure, sure, new]).movie_id == "mov_b"
    assert best_match(new, [new]) is None
