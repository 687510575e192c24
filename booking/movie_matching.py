"""One film, one movie: is a newly imported (or partner-added) movie a film Marquee already
lists? Pure rules; the store reads the facts, merges sure matches and queues unsure ones for an
admin to merge or split.

- A shared global id (IMDb, EIDR, TMDB) is the same film. Two different ids of one scheme are
  two films, whatever the titles say.
- Otherwise the same normalised title (in any language) and release year, with runtimes within
  a few minutes (sources count trailers differently), is the same film.
- The same title with a year missing on one side, or runtimes further apart, or two records of
  one source (a POS lists its own films apart on purpose: a dubbed or an IMAX version) is
  only a candidate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SURE_RUNTIME_MINUTES = 3
CANDIDATE_RUNTIME_MINUTES = 20
SCHEMES = ("imdb", "eidr", "tmdb")
_ARTICLES = re.compile(r"^(the|a|an|le|la|les|l|der|die|das|el|los|las|il)\s+")
_YEAR = re.compile(r"\s*[\(\[]\s*(19|20)\d{2}\s*[\)\]]\s*$")
_PUNCT = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class MovieFacts:
    id: str
    titles: frozenset[str]  # normalised, every language
    year: int | None
    runtime: int
    global_ids: frozenset[tuple[str, str]] = frozenset()  # (scheme, value)
    sources: frozenset[str] = frozenset()  # connectors (or partners) it came from


@dataclass(frozen=True)
class Match:
    movie_id: str  # the movie already listed
    sure: bool
    score: float
    reason: str


def normalise_title(title: str) -> str:
    """A title as compared: case, accents, punctuation, a leading article and a trailing
    "(2024)" do not count."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _YEAR.sub("", text)
    text = _PUNCT.sub(" ", text)
    text = " ".join(text.split())
    return _ARTICLES.sub("", text)


def facts(
    movie_id: str,
    titles: Iterable[str],
    year: int | None,
    runtime: int,
    global_ids: Iterable[tuple[str, str]] = (),
    sources: Iterable[str] = (),
) -> MovieFacts:
    return MovieFacts(
        id=movie_id,
        titles=frozenset(t for t in (normalise_title(x) for x in titles) if t),
        year=year,
        runtime=runtime,
        global_ids=frozenset((s, v.strip().lower()) for s, v in global_ids if v),
        sources=frozenset(sources),
    )


def compare(new: MovieFacts, old: MovieFacts) -> Match | None:
    """What `old` is to `new`: the same film (sure), maybe the same film, or not."""
    shared = new.global_ids & old.global_ids
    if shared:
        scheme, value = sorted(shared)[0]
        return Match(old.id, True, 1.0, f"same {scheme} id {value}")
    schemes_new = {s: v for s, v in new.global_ids}
    for scheme, value in old.global_ids:
        if scheme in schemes_new and schemes_new[scheme] != value:
            return None  # two ids of one scheme: two films
    if not new.titles & old.titles:
        return None
    runtime_gap = abs(new.runtime - old.runtime)
    same_source = bool(new.sources & old.sources)
    if new.year is not None and old.year is not None:
        if new.year != old.year:
            return None
        if runtime_gap <= SURE_RUNTIME_MINUTES and not same_source:
            return Match(old.id, True, 0.95, "same title, year and runtime")
        if runtime_gap <= CANDIDATE_RUNTIME_MINUTES:
            why = "one source lists both" if same_source else f"runtimes {runtime_gap} min apart"
            return Match(old.id, False, 0.7, f"same title and year; {why}")
        return None
    if runtime_gap <= SURE_RUNTIME_MINUTES:
        return Match(old.id, False, 0.6, "same title and runtime; a release year is missing")
    return None


def best_match(new: MovieFacts, listed: Iterable[MovieFacts]) -> Match | None:
    """The best match for `new` among the movies already listed (never itself): a sure one
    if any, else the likeliest candidate."""
    found = [m for m in (compare(new, old) for old in listed if old.id != new.id) if m]
    if not found:
        return None
    return sorted(found, key=lambda m: (not m.sure, -m.score, m.movie_id))[0]
