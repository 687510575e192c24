"""Accounts: create, authenticate, and issue or rotate tokens. Shared by sign-up, the admin
API and the demo data loader, so every account is stored the same way (argon2 password hash,
encrypted email and phone, keyed email hash)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from api.schemas_auth import TokenOut, UserOut
from api.security.passwords import hash_password, needs_rehash, verify_password
from api.security.pii import PiiCipher, normalize_email
from api.security.scopes import CLIENT_SCOPES, Role, scopes_for
from api.security.tokens import (
    hash_token,
    issue_access_token,
    new_refresh_token,
    split_refresh_token,
)
from canonical.identity import new_id
from canonical.time import utcnow
from store import users
from store.users import ClientRow, UserRow


class RefreshRefused(Exception):
    pass


def create_account(
    conn: Connection,
    cipher: PiiCipher,
    *,
    email: str,
    password: str | None,
    role: Role,
    partner_id: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    language: str = "en",
    user_id: str | None = None,
) -> UserRow:
    """Raises store.users.EmailTaken if the address already has an account."""
    email = normalize_email(email)
    return users.create_user(
        conn,
        user_id=user_id or new_id("usr"),
        email_hash=cipher.email_hash(email),
        email_enc=cipher.encrypt(email),
        phone_enc=cipher.encrypt(phone) if phone else None,
        name=name,
        language=language,
        password_hash=hash_password(password) if password else None,
        role=role.value,
        partner_id=partner_id,
    )


def user_out(cipher: PiiCipher, row: UserRow) -> UserOut:
    return UserOut(
        id=row.id,
        email=cipher.decrypt(row.email_enc),
        phone=cipher.decrypt(row.phone_enc) if row.phone_enc else None,
        name=row.name,
        language=row.language,
        role=row.role,
        partner_id=row.partner_id,
        active=row.active,
        created_at=row.created_at,
    )


def authenticate(conn: Connection, cipher: PiiCipher, email: str, password: str) -> UserRow | None:
    row = users.get_by_email_hash(conn, cipher.email_hash(email))
    # verify_password runs even for an unknown email, so timing does not reveal accounts.
    ok = verify_password(row.password_hash if row else None, password)
    if not ok or row is None or not row.active:
        return None
    if row.password_hash and needs_rehash(row.password_hash):
        users.update_user(conn, row.id, password_hash=hash_password(password))
    return row


def authenticate_client(conn: Connection, client_id: str, secret: str) -> ClientRow | None:
    client = users.get_client(conn, client_id)
    ok = verify_password(client.secret_hash if client else None, secret)
    if not ok or client is None or client.revoked_at is not None:
        return None
    return client


def issue_user_tokens(
    conn: Connection,
    *,
    secret: str,
    user: UserRow,
    access_minutes: int,
    refresh_days: int,
    requested: list[str] | None = None,
    family_id: str | None = None,
) -> tuple[TokenOut, str]:
    """Access + refresh token for a user. Returns the token body and the refresh token id."""
    role = Role(user.role)
    scopes = scopes_for(role, requested)
    token_id, refresh, digest = new_refresh_token()
    family = family_id or token_id
    # The access token names its session (the refresh family): ending the session ends it.
    access, _ = issue_access_token(
        secret,
        subject=user.id,
        role=role.value,
        scopes=scopes,
        partner_id=user.partner_id,
        kind="user",
        minutes=access_minutes,
        session=family,
    )
    users.add_refresh_token(
        conn,
        token_id=token_id,
        user_id=user.id,
        family_id=family,
        token_hash=digest,
        expires_at=utcnow() + timedelta(days=refresh_days),
    )
    return TokenOut(
        access_token=access,
        expires_in=access_minutes * 60,
        refresh_token=refresh,
        scope=" ".join(scopes),
    ), token_id


def issue_client_token(
    *, secret: str, client: ClientRow, access_minutes: int, requested: list[str] | None = None
) -> TokenOut:
    """Client credentials get no refresh token (RFC 6749 §4.4.3): they simply ask again."""
    allowed = [s for s in client.scopes if s in CLIENT_SCOPES]
    scopes = [s for s in allowed if not requested or s in requested]
    access, _ = issue_access_token(
        secret,
        subject=client.client_id,
        role=Role.PARTNER.value,
        scopes=scopes,
        partner_id=client.partner_id,
        kind="client",
        minutes=access_minutes,
    )
    return TokenOut(access_token=access, expires_in=access_minutes * 60, scope=" ".join(scopes))


def rotate(
    conn: Connection, *, secret: str, token: str, access_minutes: int, refresh_days: int
) -> TokenOut:
    """Exchange a refresh token for new tokens; the old one stops working. A token presented
    after it was rotated revokes its whole family (a stolen copy is being replayed)."""
    token_id = split_refresh_token(token)
    row = users.get_refresh_token(conn, token_id, for_update=True) if token_id else None
    if row is None or row.token_hash != hash_token(token):
        raise RefreshRefused("unknown refresh token")
    if row.revoked_at is not None:
        if row.replaced_by is not None:
            users.revoke_refresh_family(conn, row.family_id)
        raise RefreshRefused("refresh token was revoked")
    if row.expires_at <= utcnow():
        raise RefreshRefused("refresh token expired")
    user = users.get_user(conn, row.user_id)
    if user is None or not user.active:
        raise RefreshRefused("account is disabled")
    out, new_id_ = issue_user_tokens(
        conn,
        secret=secret,
        user=user,
        access_minutes=access_minutes,
        refresh_days=refresh_days,
        family_id=row.family_id,
    )
    if not users.rotate_refresh_token(conn, row.id, new_id_):
        raise RefreshRefused("refresh token was used concurrently")
    return out


def revoke(conn: Connection, token: str) -> str | None:
    """Log out: revoke this token's family (every token rotated from the same login). Returns
    the family (the session its access tokens name; forget its cached standing) or None."""
    token_id = split_refresh_token(token)
    row = users.get_refresh_token(conn, token_id) if token_id else None
    if row is None or row.token_hash != hash_token(token):
        return None
    users.revoke_refresh_family(conn, row.family_id)
    return row.family_id
