"""The callers the routers ask for, by scope: a dependency per kind of caller and an `Annotated`
alias for each one used across routers, so an endpoint states who may call it in its signature
(`principal: PartnerWriter`) and every router checks the same scopes the same way.

Scopes, never roles (api/security/scopes.py): a partner system's client and a partner's staff
member pass the same partner checks. The OpenAPI document lists each endpoint's scopes from
these dependencies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security

from api.problems import ApiProblem
from api.security.principal import Principal, current_principal, current_signed_principal


async def admin_read(
    principal: Annotated[Principal, Security(current_principal, scopes=["admin:read"])],
) -> Principal:
    return principal


async def admin_write(
    principal: Annotated[Principal, Security(current_principal, scopes=["admin:write"])],
) -> Principal:
    return principal


async def partner_read(
    principal: Annotated[Principal, Security(current_principal, scopes=["partner:read"])],
) -> Principal:
    return _with_partner(principal)


async def partner_write(
    principal: Annotated[Principal, Security(current_principal, scopes=["partner:write"])],
) -> Principal:
    return _with_partner(principal)


def _with_partner(principal: Principal) -> Principal:
    if not principal.partner_id:
        raise ApiProblem(403, "no_partner", "this account belongs to no partner")
    return principal


async def customer(
    principal: Annotated[Principal, Security(current_principal, scopes=["bookings"])],
) -> Principal:
    return principal


async def signed_customer(
    principal: Annotated[Principal, Security(current_signed_principal, scopes=["bookings"])],
) -> Principal:
    """A customer whose token's standing is not yet confirmed: the endpoint confirms it
    (`standing_then`) before it reads or changes anything not public."""
    return principal


AdminReader = Annotated[Principal, Depends(admin_read)]
AdminWriter = Annotated[Principal, Depends(admin_write)]
PartnerReader = Annotated[Principal, Depends(partner_read)]
PartnerWriter = Annotated[Principal, Depends(partner_write)]
Customer = Annotated[Principal, Depends(customer)]
