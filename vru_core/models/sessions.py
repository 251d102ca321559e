"""Signed-in browser sessions and sign-in throttling, both kept in the store so every app server sees them."""

from datetime import datetime

from sqlmodel import Field, SQLModel


class WebSession(SQLModel, table=True):
    """One signed-in browser session. The cookie carries a signed random key; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(unique=True, index=True, max_length=64)  # sha256 hex of the session key (never the key)
    username: str = Field(index=True, max_length=120)
    method: str = Field(max_length=16)  # password | sso
    stamp: str = Field(max_length=64)  # the account's role/active/password at sign-in; any change ends the session
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # absolute lifetime
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=32)
    handoff_hash: str | None = Field(default=None, index=True, max_length=64)  # one-time token swapped for the cookie
    handoff_expires_at: datetime | None = None
    sso_identity: str | None = Field(
        default=None, unique=True, index=True, max_length=64
    )  # digest of (iss, sub, iat) used once
    client: str = Field(default="", max_length=64)


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per account ("account:<username>") and per client ("client:<address>")."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    last_failure_at: datetime
    locked_until: datetime | None = None
