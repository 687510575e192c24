"""Request and response bodies of sign-up, tokens and accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.security.passwords import MIN_LENGTH

PHONE = r"^\+[1-9][0-9]{6,14}$"


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class SignUp(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "asha@example.com",
                    "password": "correct horse battery",
                    "name": "Asha",
                    "phone": "+919800000001",
                    "language": "ta",
                }
            ]
        },
    )

    email: EmailStr
    password: str = Field(min_length=MIN_LENGTH, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE)
    language: str = Field(default="en", max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")


class ProfileUpdate(Strict):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE)
    language: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"
    )
    password: str | None = Field(default=None, min_length=MIN_LENGTH, max_length=200)
    current_password: str | None = Field(
        default=None, max_length=200, description="Required to change the password"
    )


class UserOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "usr_4f1c",
                    "email": "asha@example.com",
                    "name": "Asha",
                    "phone": "+919800000001",
                    "language": "ta",
                    "role": "customer",
                    "partner_id": None,
                    "active": True,
                    "created_at": "2026-11-25T10:00:00Z",
                }
            ]
        }
    )

    id: str
    email: str
    name: str | None
    phone: str | None
    language: str
    role: str
    partner_id: str | None
    active: bool
    created_at: datetime


class TokenOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIs...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "rt_9a8b....Zk3",
                    "scope": "bookings profile",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str | None = Field(
        default=None, description="Single use: each refresh returns a new one"
    )
    scope: str


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=10, max_length=200)
