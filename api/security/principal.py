"""Who is calling: the bearer token becomes a Principal; endpoints declare the scope they need.

401 means "no or bad credentials" (with `WWW-Authenticate: Bearer`), 403 means "valid token,
missing scope". Tenant checks (a partner's own theatres, a customer's own bookings) answer 404,
never 403, so an id of someone else's resource reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

from api.problems import ApiProblem
from api.security.scopes import SCOPES, Role
from api.security.tokens import InvalidToken, decode_access_token

oauth2 = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", scopes=SCOPES, auto_error=False)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    scopes: frozenset[str]
    partner_id: str | None
    kind: str  # "user" (a person who logged in) or "client" (a partner system)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def _unauthenticated(detail: str, scopes: SecurityScopes) -> ApiProblem:
    value = "Bearer"
    if scopes.scopes:
        value += f' scope="{scopes.scope_str}"'
    return ApiProblem(401, "unauthenticated", detail, headers={"WWW-Authenticate": value})


async def optional_principal(
    request: Request, token: str | None = Depends(oauth2)
) -> Principal | None:
    if not token:
        return None
    secret = request.app.state.hub.settings.jwt_secret.get_secret_value()
    try:
        claims = decode_access_token(secret, token)
        role = Role(claims.role)
    except (InvalidToken, ValueError):
        raise _unauthenticated("the access token is invalid or expired", SecurityScopes()) from None
    principal = Principal(
        subject=claims.subject,
        role=role,
        scopes=frozenset(claims.scopes),
        partner_id=claims.partner_id,
        kind=claims.kind,
    )
    request.state.principal = principal  # the access log names the caller
    return principal


async def current_principal(
    security_scopes: SecurityScopes, principal: Principal | None = Depends(optional_principal)
) -> Principal:
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
