"""SQL of one film, one movie: global ids, merges and the candidate queue (tables in
store/tables_movies.py; the rules in booking/movie_matching.py).

A merge keeps both movie rows and every external id: the merged movie's shows move to the kept
movie, its translations fill the kept movie's missing languages, and `movie_merges` sends
anything that still names the merged id (the next import derives it again from the POS's film
code) to the kept one. Merged movies have no shows, so customers never see them listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from booking.movie_matching import Match, MovieFacts, best_match, facts
from canonical import Movie, new_id
from canonical.time import utcnow
from store.tables import external_ids, movie_translations, movies, shows
from store.tables_movies import movie_global_ids, movie_match_candidates, movie_merges

CHUNK = 2000


def global_ids_of(movie: Movie) -> list[tuple[str, str]]:
    pairs = [("imdb", movie.imdb_id), ("eidr", movie.eidr_id), ("tmdb", movie.tmdb_id)]
    return [(scheme, value.strip().lower()) for scheme, value in pairs if value]


def record_global_ids(conn: Connection, items: Sequence[Movie]) -> None:
    """Remember each movie's global ids; an id already taken by another movie stays with it
    (the matcher merges the two)."""
    wanted = {(s, v): m.id for m in items for s, v in global_ids_of(m)}
    if not wanted:
        return
    taken = {
        (r.scheme, r.value)
        for r in conn.execute(
            select(movie_global_ids.c.scheme, movie_global_ids.c.value).where(
                or_(
                    *[
                        and_(movie_global_ids.c.scheme == s, movie_global_ids.c.value == v)
                        for s, v in wanted
                    ]
                )
            )
        )
    }
    now = utcnow()
    fresh = [
        {"scheme": s, "value": v, "movie_id": mid, "updated_at": now}
        for (s, v), mid in wanted.items()
        if (s, v) not in taken
    ]
    if fresh:
        conn.execute(insert(movie_global_ids), fresh)


def resolve(conn: Connection, movie_ids: Iterable[str]) -> dict[str, str]:
    """Merged movie id -> the movie it now is, for those of `movie_ids` that were merged."""
    ids = list(set(movie_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), CHUNK):
        out.update(
            {
                r.merged_id: r.movie_id
                for r in conn.execute(
                    select(movie_merges).where(movie_merges.c.merged_id.in_(ids[i : i + CHUNK]))
                )
            }
        )
    return out


def listed_facts(conn: Connection, only: Iterable[str] | None = None) -> list[MovieFacts]:
    """Facts of movies not merged into another (all, or `only` these ids)."""
    query = select(movies.c.id, movies.c.runtime_minutes, movies.c.release_date).where(
        movies.c.id.not_in(select(movie_merges.c.merged_id))
    )
    if only is not None:
        query = query.where(movies.c.id.in_(list(only)))
    rows = list(conn.execute(query))
    ids = [r.id for r in rows]
    titles: dict[str, list[str]] = {}
    globals_: dict[str, list[tuple[str, str]]] = {}
    sources: dict[str, list[str]] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        for t in conn.execute(
            select(movie_translations.c.movie_id, movie_translations.c.title).where(
                movie_translations.c.movie_id.in_(part)
            )
        ):
            if t.title:
                titles.setdefault(t.movie_id, []).append(t.title)
        for g in conn.execute(
            select(movie_global_ids).where(movie_global_ids.c.movie_id.in_(part))
        ):
            globals_.setdefault(g.movie_id, []).append((g.scheme, g.value))
        for e in conn.execute(
            select(external_ids.c.canonical_id, external_ids.c.connector_id).where(
                external_ids.c.entity == "movie", external_ids.c.canonical_id.in_(part)
            )
        ):
            sources.setdefault(e.canonical_id, []).append(e.connector_id)
    return [
        facts(
            r.id,
            titles.get(r.id, []),
            r.release_date.year if r.release_date else None,
            r.runtime_minutes,
            globals_.get(r.id, []),
            sources.get(r.id, []),
        )
        for r in rows
    ]


@dataclass
class Matched:
    merged: list[tuple[str, str, str]]  # (new movie, into movie, reason)
    queued: list[str]  # candidate ids


def match_new(conn: Connection, new_ids: Sequence[str], movies_: Sequence[Movie] = ()) -> Matched:
    """Match movies just created against every movie listed: merge sure matches into the
    older movie, queue unsure ones for an admin. `movies_`: the new movies themselves, for what
    is not stored yet (their connectors' external ids; a global id another movie holds)."""
    out = Matched([], [])
    if not new_ids:
        return out
    listed = listed_facts(conn)
    given = {m.id: m for m in movies_}
    if given:
        listed = [
            replace(
                f,
                sources=f.sources | {r.connector_id for r in given[f.id].external_refs},
                global_ids=f.global_ids | frozenset(global_ids_of(given[f.id])),
            )
            if f.id in given
            else f
            for f in listed
        ]
    fresh = set(new_ids)
    by_id = {f.id: f for f in listed}
    # Only movies sharing a title or a global id can match: index them, not compare all pairs.
    index: dict[object, list[MovieFacts]] = {}
    for f in listed:
        for key in (*f.titles, *f.global_ids):
            index.setdefault(key, []).append(f)
    merged_away: set[str] = set()
    for movie_id in new_ids:
        new = by_id.get(movie_id)
        if new is None:
            continue
        near = {f.id: f for key in (*new.titles, *new.global_ids) for f in index.get(key, [])}
        # New movies of one batch are compared with the older ones and with each other once.
        others = [
            f
            for f in near.values()
            if f.id != movie_id
            and f.id not in merged_away
            and (f.id not in fresh or f.id < movie_id)
        ]
        match = best_match(new, others)
        if match is None:
            continue
        if match.sure:
            merge(conn, keep=match.movie_id, merged=movie_id, by="matcher")
            merged_away.add(movie_id)
            out.merged.append((movie_id, match.movie_id, match.reason))
        else:
            queued = queue(conn, match.movie_id, movie_id, match)
            if queued:
                out.queued.append(queued)
    return out


def queue(conn: Connection, movie_id: str, candidate_id: str, match: Match) -> str | None:
    """Queue a pair for an admin once (either order); None if it was queued or decided before."""
    known = conn.execute(
        select(movie_match_candidates.c.id).where(
            or_(
                and_(
                    movie_match_candidates.c.movie_id == movie_id,
                    movie_match_candidates.c.candidate_id == candidate_id,
                ),
                and_(
                    movie_match_candidates.c.movie_id == candidate_id,
                    movie_match_candidates.c.candidate_id == movie_id,
                ),
            )
        )
    ).first()
    if known:
        return None
    cid = new_id("mmc")
    conn.execute(
        insert(movie_match_candidates).values(
            id=cid,
            movie_id=movie_id,
            candidate_id=candidate_id,
            score=match.score,
            reason=match.reason,
            status="open",
            created_at=utcnow(),
        )
    )
    return cid


def merge(conn: Connection, *, keep: str, merged: str, by: str | None) -> None:
    """`merged` becomes `keep`: shows move, missing languages are copied, global ids and earlier
    merges follow; both rows and every external id stay."""
    if keep == merged:
        raise ValueError("a movie cannot be merged into itself")
    keep = resolve(conn, [keep]).get(keep, keep)
    conn.execute(update(shows).where(shows.c.movie_id == merged).values(movie_id=keep))
    have = set(
        conn.execute(
            select(movie_translations.c.language).where(movie_translations.c.movie_id == keep)
        ).scalars()
    )
    copies = [
        {"movie_id": keep, "language": t.language, "title": t.title, "synopsis": t.synopsis}
        for t in conn.execute(
            select(movie_translations).where(movie_translations.c.movie_id == merged)
        )
        if t.language not in have
    ]
    if copies:
        conn.execute(insert(movie_translations), copies)
    conn.execute(
        update(movie_global_ids).where(movie_global_ids.c.movie_id == merged).values(movie_id=keep)
    )
    conn.execute(
        update(movie_merges).where(movie_merges.c.movie_id == merged).values(movie_id=keep)
    )
    conn.execute(
        insert(movie_merges).values(
            merged_id=merged, movie_id=keep, merged_at=utcnow(), merged_by=by
        )
    )
    conn.execute(
        update(movie_match_candidates)
        .where(
            movie_match_candidates.c.status == "open",
            or_(
                movie_match_candidates.c.movie_id == merged,
                movie_match_candidates.c.candidate_id == merged,
            ),
        )
        .values(status="merged", resolved_at=utcnow(), resolved_by=by)
    )


def get_candidate(conn: Connection, candidate_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(movie_match_candidates).where(movie_match_candidates.c.id == candidate_id)
    ).first()
    return dict(row._mapping) if row else None


def list_candidates(conn: Connection, status: str | None = "open") -> list[dict[str, Any]]:
    query = select(movie_match_candidates).order_by(
        movie_match_candidates.c.created_at, movie_match_candidates.c.id
    )
    if status:
        query = query.where(movie_match_candidates.c.status == status)
    return [dict(r._mapping) for r in conn.execute(query)]


def decide(conn: Connection, candidate_id: str, status: str, by: str | None) -> bool:
    return bool(
        conn.execute(
            update(movie_match_candidates)
            .where(
                movie_match_candidates.c.id == candidate_id,
                movie_match_candidates.c.status == "open",
            )
            .values(status=status, resolved_at=utcnow(), resolved_by=by)
        ).rowcount
    )


def identities(conn: Connection, movie_id: str) -> dict[str, Any]:
    """Every id a movie is known by: its merged movies, their external ids, global ids."""
    merged = list(
        conn.execute(
            select(movie_merges.c.merged_id).where(movie_merges.c.movie_id == movie_id)
        ).scalars()
    )
    ids = [movie_id, *merged]
    return {
        "movie_id": movie_id,
        "merged": sorted(merged),
        "external_ids": sorted(
            (
                {
                    "connector_id": r.connector_id,
                    "external_id": r.external_id,
                    "movie_id": r.canonical_id,
                }
                for r in conn.execute(
                    select(external_ids).where(
                        external_ids.c.entity == "movie", external_ids.c.canonical_id.in_(ids)
                    )
                )
            ),
            key=lambda x: (x["connector_id"], x["external_id"]),
        ),
        "global_ids": [
            {"scheme": r.scheme, "value": r.value}
            for r in conn.execute(
                select(movie_global_ids)
                .where(movie_global_ids.c.movie_id == movie_id)
                .order_by(movie_global_ids.c.scheme, movie_global_ids.c.value)
            )
        ],
    }
