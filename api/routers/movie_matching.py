"""Admins decide the film matches the importer was not sure of (store.movie_matching): merge
the pair (every external id is kept; the merged movie's shows move to the kept one) or split it
(two films; never suggested again). A movie's identities list every id it is known by."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.context import Ctx
from api.deps import PathId
from api.problems import ApiProblem, not_found
from api.security.access import AdminReader, AdminWriter
from store import catalog, movie_matching

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class MovieBrief(BaseModel):
    id: str
    title: str | None
    release_year: int | None
    runtime_minutes: int


class CandidateOut(BaseModel):
    id: str
    status: str = Field(description="open, merged or split")
    score: float
    reason: str
    movie: MovieBrief | None = Field(description="The movie listed first")
    candidate: MovieBrief | None = Field(description="The movie that may be the same film")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep: Literal["movie", "candidate"] = Field(
        default="movie", description="Which of the two stays (the other merges into it)"
    )


class ExternalIdOut(BaseModel):
    connector_id: str
    external_id: str
    movie_id: str


class GlobalIdOut(BaseModel):
    scheme: str
    value: str


class IdentitiesOut(BaseModel):
    movie_id: str
    merged: list[str]
    external_ids: list[ExternalIdOut]
    global_ids: list[GlobalIdOut]


def _brief(conn: Any, movie_id: str) -> MovieBrief | None:
    movie = catalog.get_movie(conn, movie_id)
    if movie is None:
        return None
    titles = movie.title.values
    return MovieBrief(
        id=movie.id,
        title=titles.get(movie.original_language) or next(iter(titles.values()), None),
        release_year=movie.release_date.year if movie.release_date else None,
        runtime_minutes=movie.runtime_minutes,
    )


def _out(conn: Any, row: dict[str, Any]) -> CandidateOut:
    return CandidateOut(
        id=row["id"],
        status=row["status"],
        score=row["score"],
        reason=row["reason"],
        movie=_brief(conn, row["movie_id"]),
        candidate=_brief(conn, row["candidate_id"]),
    )


@router.get(
    "/movie-matches",
    operation_id="admin_list_matches",
    response_model=list[CandidateOut],
    summary="Film matches to decide",
)
def list_matches(
    _: AdminReader,
    ctx: Ctx,
    status: Annotated[Literal["open", "merged", "split"], Query()] = "open",
) -> list[CandidateOut]:
    with ctx.hub.engine.connect() as conn:
        return [_out(conn, row) for row in movie_matching.list_candidates(conn, status)]


def _open(conn: Any, match_id: str) -> dict[str, Any]:
    row = movie_matching.get_candidate(conn, match_id)
    if row is None:
        raise not_found("movie match", match_id)
    if row["status"] != "open":
        raise ApiProblem(409, "match_decided", f"this match was already {row['status']}")
    return row


@router.post(
    "/movie-matches/{match_id}/merge", operation_id="admin_merge", response_model=CandidateOut
)
def merge(
    body: MergeIn,
    match_id: PathId,
    principal: AdminWriter,
    ctx: Ctx,
) -> CandidateOut:
    """One film: the other movie merges into the one kept."""
    with ctx.hub.engine.begin() as conn:
        row = _open(conn, match_id)
        keep, merged = (
            (row["movie_id"], row["candidate_id"])
            if body.keep == "movie"
            else (row["candidate_id"], row["movie_id"])
        )
        movie_matching.merge(conn, keep=keep, merged=merged, by=principal.subject)
        return _out(conn, movie_matching.get_candidate(conn, match_id) or row)


@router.post(
    "/movie-matches/{match_id}/split", operation_id="admin_split", response_model=CandidateOut
)
def split(
    match_id: PathId,
    principal: AdminWriter,
    ctx: Ctx,
) -> CandidateOut:
    """Two films: both stay listed, and the pair is not suggested again."""
    with ctx.hub.engine.begin() as conn:
        row = _open(conn, match_id)
        movie_matching.decide(conn, match_id, "split", principal.subject)
        return _out(conn, movie_matching.get_candidate(conn, match_id) or row)


@router.get(
    "/movies/{movie_id}/identities", operation_id="admin_identities", response_model=IdentitiesOut
)
def identities(
    movie_id: PathId,
    _: AdminReader,
    ctx: Ctx,
) -> IdentitiesOut:
    """Every id a movie is known by: the movies merged into it, their external ids (kept on
    merge), its global ids."""
    with ctx.hub.engine.connect() as conn:
        if catalog.get_movie(conn, movie_id) is None:
            raise not_found("movie", movie_id)
        return IdentitiesOut.model_validate(movie_matching.identities(conn, movie_id))
