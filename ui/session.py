"""The store and the signed-in person, for every page. Not a page itself."""

from __future__ import annotations

import importlib.util

import streamlit as st
from sqlalchemy import Engine

from vru_core.needs.load import ensure_loaded
from vru_core.platform.auth import Actor, Permission
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine
from vru_core.platform.users import refresh_actor, sso_actor


@st.cache_resource(show_spinner="Opening the store and loading the bundled London data (first start only)…")
def _engine_for(url: str) -> Engine:
    store = get_engine(url)
    ensure_loaded(store)
    return store


def engine() -> Engine:
    """One engine per store URL; migrating and loading the bundle happen once, on first use."""
    return _engine_for(get_settings().database_url)


def sso_configured() -> bool:
    """Single sign-on is offered only when .streamlit/secrets.toml has an [auth] section (and Authlib is there)."""
    if importlib.util.find_spec("authlib") is None:
        return False
    try:
        return "auth" in st.secrets
    except Exception:  # no (or an unreadable) secrets file means no single sign-on, not a broken app
        return False


def sso_email() -> str | None:
    """The identity provider's e-mail for this browser session, when single sign-on is on and used."""
    if not sso_configured() or not st.user.get("is_logged_in", False):
        return None
    return st.user.get("email")


def current_actor() -> Actor | None:
    """Who is signed in, re-read from the store on every run so role changes and deactivation apply at once."""
    actor = st.session_state.get("actor")
    if actor is None and sso_email():
        actor = sso_actor(engine(), sso_email())
    actor = refresh_actor(engine(), actor)
    if actor is None:
        st.session_state.pop("actor", None)
    else:
        st.session_state["actor"] = actor
    return actor


def can(permission: Permission) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)
