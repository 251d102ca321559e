"""The store and the signed-in person, for every page. Not a page itself.

Who is signed in comes from a session in the store (vru_core.platform.sessions), checked on every run:
the browser's HttpOnly cookie names it (set by the /session/start route, ui/routes.py), or, between
signing in and the cookie arriving, the key this browser tab holds in its server-side session state.
Tests drive pages with AppTest, which cannot carry cookies: there, and only there, an ``actor`` put in
session state signs that actor in (re-read from the store each run, as before).
"""

from __future__ import annotations

import importlib.util
from urllib.parse import quote

import streamlit as st
from sqlalchemy import Engine

from ui.routes import safe_next
from vru_core.needs.load import ensure_loaded
from vru_core.platform import sessions, signin
from vru_core.platform.auth import Actor, Permission
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine
from vru_core.platform.users import refresh_actor

SESSION_KEY = "_vru_session_key"  # this tab's session key, until the cookie carries it
ENDED_KEY = "_vru_session_ended"  # why the session this browser presented ended (shown once, on Account)
SSO_TRIED_KEY = "_vru_sso_tried"  # the single-sign-on identity this tab already tried
SSO_MESSAGE_KEY = "_vru_sso_message"
TEST_ACTOR_KEY = "actor"  # AppTest only (see the module docstring)


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


def sso_issuers() -> list[str]:
    """The issuers trusted for single sign-on: VRU_SSO_ISSUER, else each [auth] provider's metadata address
    less its /.well-known/openid-configuration (OpenID Connect Discovery puts the document there)."""
    if get_settings().sso_issuer:
        return [get_settings().sso_issuer]
    auth = st.secrets.get("auth", {})
    urls = [auth.get("server_metadata_url")] + [
        v.get("server_metadata_url") for v in auth.values() if hasattr(v, "get")
    ]
    suffix = "/.well-known/openid-configuration"
    return [u.removesuffix(suffix) for u in urls if isinstance(u, str) and u.endswith(suffix)]


def _under_apptest() -> bool:
    """AppTest puts Streamlit's testing marker in session state before the first run; a server never does."""
    from streamlit.runtime.state.common import TESTING_KEY

    return TESTING_KEY in st.session_state


def client_address() -> str:
    """The browser's address for per-client throttling (VRU_CLIENT_ADDRESS_HEADER behind a reverse proxy)."""
    header = get_settings().client_address_header
    if header:
        value = st.context.headers.get(header, "")
        if isinstance(value, str) and value:
            return value.split(",")[-1].strip()[:64]  # the address the proxy itself saw is the last one
    address = st.context.ip_address
    return address[:64] if isinstance(address, str) else ""


def _routes_mounted() -> bool:
    import ui.routes

    return ui.routes.MOUNTED  # read at call time: app.py sets it when it mounts the routes


def _base() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _redirect(url: str) -> None:
    """Send the browser to a URL of this server, the way st.login does (a ForwardMsg the front end follows)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        msg = ForwardMsg()
        msg.auth_redirect.url = url
        ctx.enqueue(msg)


def begin(started: sessions.Started, next_path: str = "/account") -> bool:
    """This tab is signed in now; the browser then swaps the one-time token for the session cookie.
    Returns whether the browser was sent on (the caller then stops; else it reruns)."""
    st.session_state[SESSION_KEY] = started.key
    st.session_state.pop(ENDED_KEY, None)
    if not _routes_mounted():
        return False
    target = quote(safe_next(next_path), safe="/?=&")
    _redirect(f"{_base()}/session/start?token={quote(started.handoff)}&next={target}")
    return True


def session_key() -> str | None:
    """This browser's session key: the tab's own (just signed in), else the cookie's."""
    key = st.session_state.get(SESSION_KEY)
    if key:
        return key
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    return sessions.key_from_cookie(engine(), cookie) if isinstance(cookie, str) else None


def end_this_session(everywhere: bool = False) -> bool:
    """Sign out: end the session in the store now, then let the browser drop its cookie (and the SSO one).
    Returns whether the browser was sent on."""
    key = session_key()
    sso = sessions.resume(engine(), key).method == "sso" and bool(sso_email())
    signin.sign_out(engine(), key, everywhere=everywhere)
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(TEST_ACTOR_KEY, None)
    if _routes_mounted():
        _redirect(f"{_base()}/session/end" + ("?sso=1" if sso else ""))
        return True
    if sso:
        st.logout()
        return True
    return False


def _sso_sign_in() -> Actor | None:
    """A fresh single sign-on (st.login) for a known, active account starts a session, once per sign-in."""
    if not sso_email():
        return None
    claims = dict(st.user.to_dict())
    identity = signin.sso_identity(claims)
    if st.session_state.get(SSO_TRIED_KEY) == identity:
        return None
    st.session_state[SSO_TRIED_KEY] = identity
    result = signin.sign_in_sso(engine(), claims, sso_issuers(), client=client_address())
    if result.actor is None or result.started is None:
        st.session_state[SSO_MESSAGE_KEY] = result.message
        return None
    begin(result.started, st.session_state.get("_vru_next", "/account"))
    return result.actor


def current_actor() -> Actor | None:
    """Who is signed in, from the session checked against the store on every run: sign-out, a password reset,
    a role change, deactivation, idle time or the lifetime end it at the next click, on every app server."""
    if _under_apptest() and TEST_ACTOR_KEY in st.session_state:
        actor = refresh_actor(engine(), st.session_state[TEST_ACTOR_KEY])
        if actor is None:
            st.session_state.pop(TEST_ACTOR_KEY, None)
        else:
            st.session_state[TEST_ACTOR_KEY] = actor
        return actor
    key = session_key()
    resumed = sessions.resume(engine(), key)
    if resumed.actor is None and key:
        st.session_state.pop(SESSION_KEY, None)
        if resumed.ended:
            st.session_state[ENDED_KEY] = resumed.ended
    return resumed.actor or _sso_sign_in()


def can(permission: Permission) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)
