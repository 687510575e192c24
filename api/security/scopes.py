"""Roles and the scopes each role's tokens carry. Endpoints ask for scopes, never for roles, so a
partner system (client credentials) and a partner's staff member pass the same checks."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PARTNER = "partner"
    CUSTOMER = "customer"


SCOPES: dict[str, str] = {
    "bookings": "Hold seats, pay, and read or cancel your own bookings",
    "profile": "Read and change your own account",
    "partner:read": "Read your own theatres, shows and sales",
    "partner:write": "Change your own theatres, screens, layouts, shows, prices and house seats",
    "checkin": "Scan e-tickets and admit their seats at your own theatres' doors",
    "admin:read": "Read users, connectors, conflicts, dead letters and the audit log",
    "admin:write": "Change users, roles, connectors, conflicts and dead letters",
}

ROLE_SCOPES: dict[Role, tuple[str, ...]] = {
    Role.CUSTOMER: ("bookings", "profile"),
    Role.PARTNER: ("partner:read", "partner:write", "checkin", "profile"),
    Role.ADMIN: ("admin:read", "admin:write", "profile"),
}

# A partner system's client may be limited to fewer scopes than a staff member.
CLIENT_SCOPES: tuple[str, ...] = ("partner:read", "partner:write", "checkin")


def scopes_for(role: Role, requested: list[str] | None = None) -> list[str]:
    """The role's scopes, narrowed to `requested` if the client asked for fewer."""
    allowed = ROLE_SCOPES[role]
    if not requested:
        return list(allowed)
    return [s for s in allowed if s in requested]
