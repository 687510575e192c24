"""Sign-up, tokens (OAuth2 password and client-credentials grants), refresh, logout, profile."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, Security
from pydantic import BaseModel, Field

from api.context import ApiContext, Ctx
from api.problems import ApiProblem
from api.ratelimit import client_ip, hashed, limiter_of
from api.schemas_auth import ProfileUpdate, RefreshIn, SignUp, TokenOut, UserOut
from api.security import accounts, login_guard
from api.security.passwords import hash_password, verify_password
from api.security.principal import Principal, current_principal
from api.security.scopes import Role
from api.security.standing import standings_for
from store import users
from store.users import EmailTaken

router = APIRouter(prefix="/v1", tags=["auth"])
log = logging.getLogger("marquee.auth")

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "OAuth2 error (invalid_grant, invalid_client, ...)"}
}


def _oauth_error(error: str, detail: str, status: int = 400) -> ApiProblem:
    # RFC 6749 clients look for `error`; our clients look for `code`. Both are present.
    headers = {"WWW-Authenticate": "Basic"} if status == 401 else None
    return ApiProblem(
        status, error, detail, title="Token request refused", error=error, headers=headers
    )


class SignUpAccepted(BaseModel):
    status: str = Field(examples=["accepted"])
    detail: str


SIGNUP_ANSWER = SignUpAccepted(
    status="accepted",
    detail="we have sent a mail to this address; it says what to do next",
)


@router.post(
    "/auth/signup",
    operation_id="auth_signup",
    response_model=SignUpAccepted,
    status_code=202,
    summary="Create a customer account (the same answer whether or not the address has one)",
    description="The answer never says whether the address already has an account: a new "
    "address gets its account and a welcome mail, a known one a mail saying someone tried to "
    "sign up with it. Either way, the password given works only for a new account.",
)
def signup(body: SignUp, request: Request, ctx: Ctx) -> SignUpAccepted:
    rl = limiter_of(request)
    rl.check("login_ip", rl.limits.login_per_ip, client_ip(request))
    rl.check("signup_account", rl.limits.login_per_account, hashed(body.email))
    created = True
    try:
        with ctx.hub.engine.begin() as conn:
            accounts.create_account(
                conn,
                ctx.cipher,
                email=body.email,
                password=body.password,
                role=Role.CUSTOMER,
                name=body.name,
                phone=body.phone,
                language=body.language,
            )
    except EmailTaken:
        created = False
    _mail_signup(ctx, str(body.email), body.language, created)
    return SIGNUP_ANSWER


def _mail_signup(ctx: ApiContext, to: str, language: str, created: bool) -> None:
    from notifications.channels import Outgoing

    if created:
        subject, text = (
            "Welcome to Marquee",
            "Your Marquee account is ready: sign in with this address and the password you "
            "chose.\n",
        )
    else:
        subject, text = (
            "Someone tried to create a Marquee account with your address",
            "This address already has a Marquee account, so no new one was made. If it was "
            "you, sign in, or reset your password if you forgot it. If it was not you, you need "
            "do nothing: your account is unchanged.\n",
        )
    email = ctx.hub.notifier.email
    digest = hashlib.sha256(f"{to}:{time.time_ns()}".encode()).hexdigest()[:16]
    try:
        assert email is not None  # failing here is logged like any mail failure
        email.send(
            Outgoing(
                channel="email",
                to=to,
                subject=subject,
                body=text,
                language=language or "en",
                kind="signup",
                key=f"signup.{digest}",
            )
        )
    except Exception:  # noqa: BLE001 - the answer must not differ when the mail fails
        log.warning("sign-up mail not sent", exc_info=True)


def _basic_client(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        raw = base64.b64decode(header[6:]).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = raw.partition(":")
    return client_id or None, secret or None


@router.post(
    "/auth/token",
    operation_id="auth_token",
    response_model=TokenOut,
    responses=AUTH_ERRORS,
    summary="OAuth2 token endpoint",
    description="Form-encoded, as OAuth2 requires. `grant_type=password` (customers, "
    "partner staff, admins: `username` is the email), `client_credentials` (partner "
    "systems: client id and secret in the form or HTTP Basic) or `refresh_token`.",
)
def token(
    request: Request,
    grant_type: Annotated[str, Form(pattern="^(password|client_credentials|refresh_token)$")],
    ctx: Ctx,
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str, Form(max_length=500)] = "",
) -> TokenOut:
    s = ctx.hub.settings
    requested = scope.split() or None
    if grant_type == "password":
        if not username or not password:
            raise _oauth_error("invalid_request", "username and password are required")
        login_guard.check_login(request, username)
        with ctx.hub.engine.begin() as conn:
            user = accounts.authenticate(conn, ctx.cipher, username, password)
            if user is None:
                login_guard.record_failure(request, username)
                raise _oauth_error("invalid_grant", "wrong email or password")
            out, _ = accounts.issue_user_tokens(
                conn,
                secret=ctx.jwt_secret,
                user=user,
                access_minutes=s.security.access_token_minutes,
                refresh_days=s.security.refresh_token_days,
                requested=requested,
            )
        return out
    if grant_type == "client_credentials":
        basic_id, basic_secret = _basic_client(request)
        cid, csecret = client_id or basic_id, client_secret or basic_secret
        if not cid or not csecret:
            raise _oauth_error("invalid_client", "client id and secret are required", 401)
        login_guard.check_login(request, cid)
        with ctx.hub.engine.connect() as conn:
            client = accounts.authenticate_client(conn, cid, csecret)
        if client is None:
            login_guard.record_failure(request, cid)
            raise _oauth_error("invalid_client", "unknown client or wrong secret", 401)
        return accounts.issue_client_token(
            secret=ctx.jwt_secret,
            client=client,
            access_minutes=s.security.access_token_minutes,
            requested=requested,
        )
    if not refresh_token:
        raise _oauth_error("invalid_request", "refresh_token is required")
    return _rotate(ctx, refresh_token)


def _rotate(ctx: ApiContext, refresh_token: str) -> TokenOut:
    s = ctx.hub.settings
    refused: accounts.RefreshRefused | None = None
    with ctx.hub.engine.begin() as conn:
        try:
            return accounts.rotate(
                conn,
                secret=ctx.jwt_secret,
                token=refresh_token,
                access_minutes=s.security.access_token_minutes,
                refresh_days=s.security.refresh_token_days,
            )
        except accounts.RefreshRefused as err:
            # Commit what rotate() did before refusing (a replayed token revokes its family).
            refused = err
    raise _oauth_error("invalid_grant", str(refused))


@router.post(
    "/auth/refresh",
    operation_id="auth_refresh",
    response_model=TokenOut,
    responses=AUTH_ERRORS,
    summary="Exchange a refresh token for new tokens (the old one stops working)",
)
def refresh(body: RefreshIn, ctx: Ctx) -> TokenOut:
    return _rotate(ctx, body.refresh_token)


@router.post(
    "/auth/logout",
    operation_id="auth_logout",
    status_code=204,
    response_class=Response,
    summary="Revoke a refresh token (and every token rotated from the same login)",
)
def logout(body: RefreshIn, ctx: Ctx) -> Response:
    with ctx.hub.engine.begin() as conn:
        session = accounts.revoke(conn, body.refresh_token)
    if session:
        standings_for(ctx.hub).forget_session(session)  # its access tokens end now
    # Same answer whether or not the token existed: logout reveals nothing.
    return Response(status_code=204)


@router.get("/me", operation_id="auth_me", response_model=UserOut, summary="Your account")
def me(
    principal: Annotated[Principal, Security(current_principal, scopes=["profile"])],
    ctx: Ctx,
) -> UserOut:
    with ctx.hub.engine.connect() as conn:
        row = users.get_user(conn, principal.subject)
    if row is None:
        raise ApiProblem(404, "unknown_user", "this account no longer exists")
    return accounts.user_out(ctx.cipher, row)


@router.patch(
    "/me",
    operation_id="auth_update_me",
    response_model=UserOut,
    summary="Change your name, phone, language or password",
)
def update_me(
    body: ProfileUpdate,
    principal: Annotated[Principal, Security(current_principal, scopes=["profile"])],
    ctx: Ctx,
) -> UserOut:
    with ctx.hub.engine.begin() as conn:
        row = users.get_user(conn, principal.subject)
        if row is None:
            raise ApiProblem(404, "unknown_user", "this account no longer exists")
        values: dict = {}
        if body.name is not None:
            values["name"] = body.name
        if body.language is not None:
            values["language"] = body.language
        if body.phone is not None:
            values["phone_enc"] = ctx.cipher.encrypt(body.phone)
        if body.password is not None:
            if not verify_password(row.password_hash, body.current_password or ""):
                raise ApiProblem(403, "wrong_password", "current_password does not match")
            values["password_hash"] = hash_password(body.password)
            users.revoke_user_refresh_tokens(conn, row.id)  # other sessions end
        users.update_user(conn, row.id, **values)
        row = users.get_user(conn, row.id)
    if body.password is not None:
        standings_for(ctx.hub).forget_user(principal.subject)  # the ended sessions, now
    assert row is not None
    return accounts.user_out(ctx.cipher, row)
