"""Local accounts; passwords are only ever stored as argon2 hashes."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from vru_core.models.common import utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=120)
    display_name: str = ""
    role: str  # admin | commissioner | analyst | director | viewer
    password_hash: str | None = None  # None for single-sign-on accounts
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1
