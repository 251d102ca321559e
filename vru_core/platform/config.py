"""Settings read from the environment: one typed object, nothing else lives here."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from vru_core.platform.errors import Invalid, Problem

REPO_ROOT = Path(__file__).resolve().parents[2]
OGL_V3 = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    bundled_data_dir: Path
    funder_org_id: str
    funder_name: str
    funder_department: str
    award_id_prefix: str
    migration_database_url: str  # the owner's connection (PostgreSQL): runs migrations, owns the tables
    app_db_role: str  # the role the app connects as on PostgreSQL: owns nothing, holds only grants
    min_free_mb: int  # below this much free disk, the store is shown as (nearly) full
    data_source_url: str
    open_data_licence: str
    # Sessions and sign-in (README "Sessions and sign-in").
    session_idle_minutes: float  # a session not used for this long ends
    session_lifetime_hours: float  # and none lasts longer than this, used or not
    session_secret: str  # signs the session cookie; blank: a random secret kept in the store
    sign_in_lockout_minutes: float  # how long 20 failures lock an account or client out
    client_address_header: str  # behind a reverse proxy: the header carrying the client's address
    sso_issuer: str  # the identity provider's issuer; blank: from [auth] server_metadata_url
    # Approval limits in pounds by role (None: no limit); an award or variation above it needs a higher role.
    approval_limits: dict[str, Decimal | None] = field(default_factory=dict)
    return_due_days: int = 30  # a quarter's monitoring return is due this many days after the quarter ends
    due_within_days: int = 30  # the due list shows what falls due within this many days


def get_settings() -> Settings:
    """Read settings afresh each call so tests can point at their own store via env vars."""
    data_dir = Path(os.environ.get("VRU_DATA_DIR", REPO_ROOT / "var")).resolve()
    url = os.environ.get("VRU_DATABASE_URL") or f"sqlite:///{data_dir / 'vru.sqlite3'}"
    migration_url = os.environ.get("VRU_MIGRATION_DATABASE_URL") or url
    app_role = os.environ.get("VRU_APP_DB_ROLE") or (
        _username(url) if migration_url != url and url.startswith("postgresql") else "vru_app"
    )
    return Settings(
        database_url=url,
        data_dir=data_dir,
        bundled_data_dir=Path(os.environ.get("VRU_BUNDLED_DATA_DIR", REPO_ROOT / "data")).resolve(),
        # 360Giving publishing: the VRU is part of the Greater London Authority, which publishes as GB-LAE-GLA.
        funder_org_id=os.environ.get("VRU_FUNDER_ORG_ID", "GB-LAE-GLA"),
        funder_name=os.environ.get("VRU_FUNDER_NAME", "Greater London Authority"),
        funder_department=os.environ.get("VRU_FUNDER_DEPARTMENT", "London Violence Reduction Unit"),
        award_id_prefix=os.environ.get("VRU_AWARD_ID_PREFIX", "360G-LondonVRU-"),
        migration_database_url=migration_url,
        app_db_role=app_role or "vru_app",
        min_free_mb=int(os.environ.get("VRU_MIN_FREE_MB", "50")),
        data_source_url=os.environ.get("VRU_DATA_SOURCE_URL", "").strip(),
        open_data_licence=os.environ.get("VRU_OPEN_DATA_LICENCE", OGL_V3),
        session_idle_minutes=_positive("VRU_SESSION_IDLE_MINUTES", 30),
        session_lifetime_hours=_positive("VRU_SESSION_LIFETIME_HOURS", 12),
        session_secret=os.environ.get("VRU_SESSION_SECRET", ""),
        sign_in_lockout_minutes=_positive("VRU_SIGN_IN_LOCKOUT_MINUTES", 30),
        client_address_header=os.environ.get("VRU_CLIENT_ADDRESS_HEADER", "").strip(),
        sso_issuer=os.environ.get("VRU_SSO_ISSUER", "").strip(),
        approval_limits={
            "commissioner": _pounds(
                "VRU_APPROVAL_LIMIT_COMMISSIONER", os.environ.get("VRU_APPROVAL_LIMIT_COMMISSIONER", "250000")
            ),
            "admin": _pounds("VRU_APPROVAL_LIMIT_ADMIN", os.environ.get("VRU_APPROVAL_LIMIT_ADMIN", "")),
        },
        return_due_days=_days("VRU_RETURN_DUE_DAYS", os.environ.get("VRU_RETURN_DUE_DAYS", "30")),
        due_within_days=_days("VRU_DUE_WITHIN_DAYS", os.environ.get("VRU_DUE_WITHIN_DAYS", "30")),
    )


def _positive(name: str, default: float) -> float:
    """A positive number of minutes or hours; a bad value stops the app with the setting's name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"{name}: must be more than 0, not {raw!r}")
    return value


def _unreadable(name: str, message: str) -> Invalid:
    """A setting in the environment that cannot be read: named, with what it should look like."""
    return Invalid([Problem(None, name, message)])


def _pounds(name: str, raw: str) -> Decimal | None:
    """Whole pounds or pounds and pence; blank or 'none' means no limit."""
    text = raw.strip().replace(",", "")
    if text.lower() in ("", "none"):
        return None
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", text):
        raise _unreadable(name, f"{raw!r} is not an amount in pounds (e.g. 250000), or blank for no limit")
    value = Decimal(text)
    return value


def _days(name: str, raw: str) -> int:
    if not raw.strip().isdigit() or not raw.strip().isascii():
        raise _unreadable(name, f"{raw!r} is not a whole number of days")
    return int(raw.strip())


def _username(url: str) -> str:
    """The user name in a database URL (scheme://user[:password]@host/db), or ''."""
    rest = url.split("://", 1)[-1]
    if "@" not in rest:
        return ""
    return rest.rsplit("@", 1)[0].split(":", 1)[0]
