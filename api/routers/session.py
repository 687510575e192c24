"""Browser sessions: sign-up, sign-in, sign-out, who am I, password reset by e-mail.

The web app never sees a token. Signing in sets three cookies:
- `mq_access`: the short-lived access JWT (httpOnly), the same token a bearer client gets;
- `mq_refresh`: the refresh token (httpOnly, sent only to /v1/session), rotated by
  `POST /v1/session/refresh` when the access token expires;
- `mq_csrf`: a random value the page reads and echoes in `X-CSRF-Token` on unsafe requests
  (double-submit: another site can make the browser send the cookies, not read them);
- `mq_signed_in`: `1`, readable by the page and as long-lived as the refresh cookie. It grants
  nothing; it only tells the page that a refresh may succeed, so a visitor who never signed in
  is not sent to `/refresh` for a 401.

`CookieSessionMiddleware` turns the access cookie into an `Authorization: Bearer` header before
routing, so a browser request is resolved by exactly the same principal code as an API client
(signature, expiry, scopes, revocation). Cookies are `Secure` except over plain http to a
loopback host (the demo), and `SameSite=Lax`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import jwt
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, EmailStr, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from api.context import ApiContext, Ctx
from api.problems import ApiProblem, problem_response
from api.ratelimit import limit_login
from api.routers.auth import SignUpAccepted, signup
from api.schemas_auth import SignUp, UserOut
from api.security import accounts, login_guard
from api.security.passwords import MIN_LENGTH, hash_password
from api.security.principal import Principal, optional_principal
from api.security.standing import standings_for
from canonical.time import utcnow
from store import users

ACCESS_COOKIE = "mq_access"
REFRESH_COOKIE = "mq_refresh"
CSRF_COOKIE = "mq_csrf"
HINT_COOKIE = "mq_signed_in"
CSRF_HEADER = "x-csrf-token"
REFRESH_PATH = "/v1/session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
RESET_MINUTES = 30
RESET_PURPOSE = "password_reset"

router = APIRouter(prefix="/v1/session", tags=["session"])


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is ignored, not fatal
                continue
    return {k: m.value for k, m in jar.items()}


def _csrf_ok(cookies: dict[str, str], headers: dict[bytes, bytes]) -> bool:
    expected = cookies.get(CSRF_COOKIE, "")
    given = headers.get(CSRF_HEADER.encode(), b"").decode("latin-1")
    return bool(expected) and hmac.compare_digest(expected, given)


class CookieSessionMiddleware:
    """Access cookie -> bearer header, with the CSRF check on unsafe methods (pure ASGI, so
    server-sent event streams pass through unbuffered)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        cookies = _cookies(scope) if b"cookie" in headers else {}
        path: str = scope.get("path", "")
        unsafe = scope.get("method", "GET") in UNSAFE
        cookie_auth = ACCESS_COOKIE in cookies and b"authorization" not in headers
        # Every unsafe session call is checked too: sign-in included (login CSRF).
        checked = unsafe and (cookie_auth or path.startswith(REFRESH_PATH + "/"))
        if checked and not _csrf_ok(cookies, headers):
            await _refuse_csrf(scope, receive, send)
            return
        if cookie_auth:
            token = cookies[ACCESS_COOKIE]
            scope = dict(scope)
            scope["headers"] = [
                *scope.get("headers", ()),
                (b"authorization", f"Bearer {token}".encode("latin-1")),
            ]
        await self.app(scope, receive, send)


async def _refuse_csrf(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        Request(scope),
        403,
        "csrf_failed",
        "Forbidden",
        "the X-CSRF-Token header must echo the mq_csrf cookie (reload the page)",
    )
    await response(scope, receive, send)


# ---- cookies ------------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    host = (request.url.hostname or "").lower()
    return not (request.url.scheme == "http" and host in LOOPBACK)


def _set_csrf(request: Request, response: Response) -> str:
    value = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    # Readable by the page on purpose: it is echoed in a header, it grants nothing alone.
    response.set_cookie(
        CSRF_COOKIE, value, secure=_secure(request), httponly=False, samesite="lax", path="/"
    )
    return value


def _set_session(request: Request, response: Response, access: str, refresh: str | None) -> None:
    s = request.app.state.hub.settings
    secure = _secure(request)
    response.set_cookie(
        ACCESS_COOKIE,
        access,
        max_age=s.security.access_token_minutes * 60,
        secure=secure,
        httponly=True,
        samesite="lax",
        path="/",
    )
    if refresh is not None:
        response.set_cookie(
            REFRESH_COOKIE,
            refresh,
            max_age=s.security.refresh_token_days * 86400,
            secure=secure,
            httponly=True,
            samesite="lax",
            path=REFRESH_PATH,
        )
        response.set_cookie(
            HINT_COOKIE,
            "1",
            max_age=s.security.refresh_token_days * 86400,
            secure=secure,
            httponly=False,
            samesite="lax",
            path="/",
        )


def _clear_session(request: Request, response: Response) -> None:
    secure = _secure(request)
    response.delete_cookie(ACCESS_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_PATH, secure=secure, httponly=True, samesite="lax"
    )
    response.delete_cookie(HINT_COOKIE, path="/", secure=secure, httponly=False, samesite="lax")


# ---- schemas ------------------------------------------------------------------------------


class SessionOut(BaseModel):
    user: UserOut | None = Field(description="The signed-in account, or null")
    csrf_token: str = Field(description="Echo in X-CSRF-Token on POST/PUT/PATCH/DELETE")


class SignIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class ResetRequest(BaseModel):
    email: EmailStr


class ResetConfirm(BaseModel):
    token: str = Field(min_length=10, max_length=2000)
    password: str = Field(min_length=MIN_LENGTH, max_length=200)


class Accepted(BaseModel):
    status: str = "accepted"


# ---- endpoints ----------------------------------------------------------------------------


def _user_of(ctx: ApiContext, principal: Principal | None) -> UserOut | None:
    if principal is None or principal.kind != "user":
        return None
    with ctx.hub.engine.connect() as conn:
        row = users.get_user(conn, principal.subject)
    return accounts.user_out(ctx.cipher, row) if row is not None and row.active else None


async def _maybe_principal(request: Request) -> Principal | None:
    # An expired access cookie is "signed out" here (the page then tries /refresh), not a 401.
    try:
        return await optional_principal(request, _bearer(request))
    except ApiProblem:
        return None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:] if header.lower().startswith("bearer ") else None


@router.get(
    "",
    operation_id="session_get_session",
    response_model=SessionOut,
    summary="Who is signed in (and the CSRF token)",
)
async def get_session(request: Request, response: Response, ctx: Ctx) -> SessionOut:
    response.headers["Cache-Control"] = "no-store"
    principal = await _maybe_principal(request)
    _sync_hint(request, response)
    return SessionOut(user=_user_of(ctx, principal), csrf_token=_set_csrf(request, response))


def _sync_hint(request: Request, response: Response) -> None:
    # The refresh cookie's path includes this endpoint, so here the server can see whether one
    # exists: the hint follows it (sessions begun before the hint existed get one; a hint whose
    # refresh cookie expired goes).
    has_refresh = REFRESH_COOKIE in request.cookies
    hinted = request.cookies.get(HINT_COOKIE) == "1"
    if has_refresh and not hinted:
        response.set_cookie(
            HINT_COOKIE,
            "1",
            max_age=request.app.state.hub.settings.security.refresh_token_days * 86400,
            secure=_secure(request),
            httponly=False,
            samesite="lax",
            path="/",
        )
    elif not has_refresh and HINT_COOKIE in request.cookies:
        response.delete_cookie(
            HINT_COOKIE, path="/", secure=_secure(request), httponly=False, samesite="lax"
        )


def _start(request: Request, response: Response, ctx: ApiContext, row: Any) -> SessionOut:
    s = ctx.hub.settings
    with ctx.hub.engine.begin() as conn:
        out, _ = accounts.issue_user_tokens(
            conn,
            secret=ctx.jwt_secret,
            user=row,
            access_minutes=s.security.access_token_minutes,
            refresh_days=s.security.refresh_token_days,
        )
    _set_session(request, response, out.access_token, out.refresh_token)
    response.headers["Cache-Control"] = "no-store"
    # A new session gets a new CSRF value (a value planted before sign-in is worthless).
    fresh = secrets.token_urlsafe(24)
    response.set_cookie(
        CSRF_COOKIE, fresh, secure=_secure(request), httponly=False, samesite="lax", path="/"
    )
    return SessionOut(user=accounts.user_out(ctx.cipher, row), csrf_token=fresh)


@router.post(
    "/sign-up",
    operation_id="session_sign_up",
    response_model=SignUpAccepted,
    status_code=202,
    summary="Create a customer account (the same answer whether or not the address has one)",
    description="Exactly `POST /v1/auth/signup`: the answer never says whether the address "
    "already has an account (a new address gets its account and a welcome mail, a known one a "
    "mail saying someone tried). No session starts: the page asks the person to check their "
    "mail and sign in.",
)
def sign_up(body: SignUp, request: Request, ctx: Ctx) -> SignUpAccepted:
    # Signing the caller in here would tell them the address was new: same path as the API.
    return signup(body, request, ctx)


@router.post(
    "/sign-in",
    operation_id="session_sign_in",
    response_model=SessionOut,
    summary="Sign in with e-mail and password",
)
def sign_in(body: SignIn, request: Request, response: Response, ctx: Ctx) -> SessionOut:
    # Failures count per (account, address) with a per-account ceiling, like the token grant.
    login_guard.check_login(request, body.email)
    with ctx.hub.engine.begin() as conn:
        row = accounts.authenticate(conn, ctx.cipher, body.email, body.password)
    if row is None:
        login_guard.record_failure(request, body.email)
        raise ApiProblem(401, "invalid_credentials", "wrong email or password")
    return _start(request, response, ctx, row)


@router.post(
    "/refresh",
    operation_id="session_refresh",
    response_model=SessionOut,
    summary="New access cookie from the refresh cookie (the refresh token rotates)",
)
def refresh(request: Request, response: Response, ctx: Ctx) -> SessionOut:
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise ApiProblem(401, "unauthenticated", "not signed in")
    s = ctx.hub.settings
    refused: accounts.RefreshRefused | None = None
    with ctx.hub.engine.begin() as conn:
        try:
            out = accounts.rotate(
                conn,
                secret=ctx.jwt_secret,
                token=token,
                access_minutes=s.security.access_token_minutes,
                refresh_days=s.security.refresh_token_days,
            )
        except accounts.RefreshRefused as err:
            refused = err  # commit what rotate() did (a replay revokes the family)
    if refused is not None:
        failed = Response(status_code=401)
        _clear_session(request, failed)
        raise ApiProblem(
            401, "unauthenticated", f"session ended: {refused}", headers=_cookie_headers(failed)
        )
    _set_session(request, response, out.access_token, out.refresh_token)
    response.headers["Cache-Control"] = "no-store"
    claims = jwt.decode(out.access_token, options={"verify_signature": False})
    with ctx.hub.engine.connect() as conn:
        row = users.get_user(conn, claims["sub"])
    user = accounts.user_out(ctx.cipher, row) if row is not None else None
    return SessionOut(user=user, csrf_token=request.cookies.get(CSRF_COOKIE, ""))


def _cookie_headers(response: Response) -> dict[str, str]:
    # ApiProblem takes a flat dict; two Set-Cookie lines would collapse, so send the first
    # (clearing the access cookie is what matters; the refresh token is already refused).
    values = [v.decode("latin-1") for k, v in response.raw_headers if k == b"set-cookie"]
    return {"Set-Cookie": values[0]} if values else {}


@router.post(
    "/sign-out",
    operation_id="session_sign_out",
    status_code=204,
    response_class=Response,
    summary="End this session",
)
def sign_out(request: Request, ctx: Ctx) -> Response:
    token = request.cookies.get(REFRESH_COOKIE)
    ended: set[str] = set()
    with ctx.hub.engine.begin() as conn:
        if token:
            family = accounts.revoke(conn, token)
            if family:
                ended.add(family)
        # The access token names its session too: end it even when the refresh cookie is gone
        # (or belongs to another session), so a copied access token dies with this sign-out.
        session = _access_session(ctx, _bearer(request))
        if session and session not in ended:
            users.revoke_refresh_family(conn, session)
            ended.add(session)
    standing = standings_for(ctx.hub)
    for family in ended:
        standing.forget_session(family)  # its access tokens end on the next request
    response = Response(status_code=204)
    _clear_session(request, response)
    return response


def _access_session(ctx: ApiContext, token: str | None) -> str | None:
    # Signature and expiry only: a token whose session already ended may still sign out.
    if not token:
        return None
    for secret in ctx.hub.settings.security.jwt_verify_secrets():
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="marquee")
        except jwt.PyJWTError:
            continue
        sid = claims.get("sid")
        return sid if isinstance(sid, str) else None
    return None


def _reset_fingerprint(password_hash: str | None) -> str:
    # The token names the password it replaces: once changed, every older reset link is dead.
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def reset_token(secret: str, user_id: str, password_hash: str | None) -> str:
    now = utcnow()
    payload = {
        "iss": "marquee",
        "sub": user_id,
        "purpose": RESET_PURPOSE,
        "pw": _reset_fingerprint(password_hash),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=RESET_MINUTES)).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm="HS256")


@router.post(
    "/password-reset",
    operation_id="session_request_password_reset",
    response_model=Accepted,
    status_code=202,
    summary="Mail a password-reset link (same answer whether or not the account exists)",
)
def request_password_reset(body: ResetRequest, request: Request, ctx: Ctx) -> Accepted:
    limit_login(request, body.email)
    with ctx.hub.engine.connect() as conn:
        row = users.get_by_email_hash(conn, ctx.cipher.email_hash(body.email))
    if row is not None and row.active:
        token = reset_token(ctx.jwt_secret, row.id, row.password_hash)
        link = f"{str(request.base_url).rstrip('/')}/reset-password?token={token}"
        _mail_reset(ctx, str(body.email), row.language or "en", link, token)
    return Accepted()


def _mail_reset(ctx: ApiContext, to: str, language: str, link: str, token: str) -> None:
    from notifications.channels import Outgoing

    email = ctx.hub.notifier.email
    if email is None:
        return
    body = (
        "Someone asked to reset the password of your Marquee account.\n\n"
        f"Open this link within {RESET_MINUTES} minutes to choose a new password:\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    email.send(
        Outgoing(
            channel="email",
            to=to,
            subject="Reset your Marquee password",
            body=body,
            language=language,
            kind=RESET_PURPOSE,
            key=f"{RESET_PURPOSE}.{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        )
    )


@router.post(
    "/password-reset/confirm",
    operation_id="session_confirm_password_reset",
    response_model=Accepted,
    summary="Set a new password with the mailed token (signs out every session)",
)
def confirm_password_reset(body: ResetConfirm, ctx: Ctx) -> Accepted:
    refused = ApiProblem(400, "invalid_reset_token", "the reset link is invalid or expired")
    claims = _reset_claims(ctx, body.token)
    if claims is None:
        raise refused
    if claims.get("purpose") != RESET_PURPOSE:
        raise refused
    with ctx.hub.engine.begin() as conn:
        row = users.get_user(conn, claims["sub"])
        if row is None or not row.active:
            raise refused
        if not hmac.compare_digest(claims.get("pw", ""), _reset_fingerprint(row.password_hash)):
            raise refused  # already used: the password it named has changed
        users.update_user(conn, row.id, password_hash=hash_password(body.password))
        users.revoke_user_refresh_tokens(conn, row.id)
    standings_for(ctx.hub).forget_user(row.id)  # the ended sessions' access tokens, now
    return Accepted()


def _reset_claims(ctx: ApiContext, token: str) -> dict[str, Any] | None:
    # A link mailed just before a key rotation stays good under the previous keys.
    for secret in ctx.hub.settings.security.jwt_verify_secrets():
        try:
            return jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer="marquee",
                options={"require": ["exp", "sub", "purpose"]},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            return None
    return None
