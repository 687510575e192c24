"""Who is calling: the bearer token becomes a Principal; endpoints declare the scope they need.

401 means "no or bad credentials" (with `WWW-Authenticate: Bearer`), 403 means "valid token,
missing scope". Tenant checks (a partner's own theatres, a customer's own bookings) answer 404,
never 403, so an id of someone else's resource reveals nothing.

Every way a request carries an access token (the Authorization header, the browser's session
cookie) goes through `principal_from_token`: signature and expiry under the current or a
previous signing key, then the subject's standing now (api/security/standing.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from starlette.concurrency import run_in_threadpool

from api.problems import ApiProblem
from api.security.scopes import SCOPES, Role
from api.security.standing import standings_for
from api.security.tokens import Claims, InvalidToken, decode_access_token

T = TypeVar("T")

oauth2 = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", scopes=SCOPES, auto_error=False)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    scopes: frozenset[str]
    partner_id: str | None
    kind: str  # "user" (a person who logged in) or "client" (a partner system)
    session: str | None = None  # a user's login session (refresh token family)
    # The verified claims, kept for a standing check deferred by the endpoint (holds).
    claims: Claims | None = field(default=None, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def _unauthenticated(detail: str, scopes: SecurityScopes) -> ApiProblem:
    value = "Bearer"
    if scopes.scopes:
        value += f' scope="{scopes.scope_str}"'
    return ApiProblem(401, "unauthenticated", detail, headers={"WWW-Authenticate": value})


async def principal_from_token(hub: Any, token: str, *, standing: bool = True) -> Principal:
    """The caller an access token speaks for now, or a 401 problem. The one place a token
    becomes a principal: header and cookie sessions both come through here. `standing=False`
    checks signature and expiry only; the endpoint must then `await confirm_standing(...)` (or
    call its work through `standing_then`) before it reads or changes anything not public."""
    try:
        claims = decode_access_token(hub.settings.security.jwt_verify_secrets(), token)
        role = Role(claims.role)
    except (InvalidToken, ValueError):
        raise _unauthenticated("the access token is invalid or expired", SecurityScopes()) from None
    principal = Principal(
        subject=claims.subject,
        role=role,
        scopes=frozenset(claims.scopes),
        partner_id=claims.partner_id,
        kind=claims.kind,
        session=claims.session,
        claims=claims,
    )
    if standing:
        await confirm_standing(hub, principal)
    return principal


async def confirm_standing(hub: Any, principal: Principal) -> None:
    """401 unless the token's subject (and session) still stands: exists, active, same role."""
    assert principal.claims is not None  # every Principal comes from principal_from_token
    _refuse(await standings_for(hub).arefusal(principal.claims))


async def standing_then(hub: Any, principal: Principal, fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)` in a worker thread once the token's standing is confirmed. A standing this
    process does not hold in memory is read first in that same thread: a caller not seen this
    second costs a sale one thread hop, not two."""
    claims = principal.claims
    assert claims is not None  # every Principal comes from principal_from_token
    standings = standings_for(hub)
    await standings.arefresh()
    known, refusal = standings.refusal_cached(claims)
    if known:
        _refuse(refusal)
        return await run_in_threadpool(fn, *args)

    def confirmed() -> T:
        _refuse(standings.refusal(claims))
        return fn(*args)

    return await run_in_threadpool(confirmed)


def _refuse(refusal: str | None) -> None:
    if refusal is not None:
        raise _unauthenticated(f"the access token is no longer valid: {refusal}", SecurityScopes())


async def optional_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Principal | None:
    return await _from_request(request, token, standing=True)


async def signed_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Principal | None:
    """As `optional_principal`, standing not yet checked (see `principal_from_token`)."""
    return await _from_request(request, token, standing=False)


async def _from_request(request: Request, token: str | None, standing: bool) -> Principal | None:
    if not token:
        return None
    principal = await principal_from_token(request.app.state.hub, token, standing=standing)
    request.state.principal = principal  # the access log names the caller
    return principal


async def current_principal(
    security_scopes: SecurityScopes,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    return _scoped(security_scopes, principal)


async def current_signed_principal(
    security_scopes: SecurityScopes,
    principal: Annotated[Principal | None, Depends(signed_principal)],
) -> Principal:
    """A valid token with the scopes; its standing is the endpoint's to confirm."""
    return _scoped(security_scopes, principal)


def _scoped(security_scopes: SecurityScopes, principal: Principal | None) -> Principal:
    if principal is None:
        raise _unauthenticated("this endpoint needs a bearer access token", security_scopes)
    missing = [s for s in security_scopes.scopes if s not in principal.scopes]
    if missing:
        raise ApiProblem(
            403,
            "insufficient_scope",
            f"the token lacks the scope(s): {', '.join(missing)}",
            required_scopes=list(security_scopes.scopes),
        )
    return principal
