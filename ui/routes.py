"""The two HTTP routes of sessions, mounted beside Streamlit's own by app.py (st.App), never by a page.

- ``/session/start?token=…&next=/page``: swaps the one-time handoff token a sign-in produced for the
  session cookie (signed, HttpOnly, SameSite=Lax, Secure over HTTPS, expiring with the session's
  lifetime) and sends the browser back to ``next`` on this site.
- ``/session/end``: ends the session the cookie names (the app has usually ended it already), deletes the
  cookie and returns to the Account page, or, with ``?sso=1``, on to Streamlit's /auth/logout.
"""

from __future__ import annotations

import functools

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from vru_core.platform import sessions, signin
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine

MOUNTED = False  # True once app.py has mounted these routes: pages then send the browser through them


@functools.cache
def _engine(url: str) -> Engine:
    return get_engine(url)


def _store() -> Engine:
    return _engine(get_settings().database_url)


def _base() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _redirect(path: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(path: str | None, default: str = "/account") -> str:
    """A path on this site to return to after signing in (never another site)."""
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return default
    return path


async def start_session(request: Request) -> Response:
    value = await run_in_threadpool(sessions.redeem, _store(), request.query_params.get("token"))
    response = _redirect(_base() + safe_next(request.query_params.get("next")))
    if value is not None:
        response.set_cookie(
            sessions.COOKIE_NAME,
            value,
            max_age=int(sessions.lifetime().total_seconds()),
            path=_base() or "/",
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )
    return response


async def end_session(request: Request) -> Response:
    store = _store()
    key = await run_in_threadpool(sessions.key_from_cookie, store, request.cookies.get(sessions.COOKIE_NAME))
    await run_in_threadpool(signin.sign_out, store, key)
    to_sso = request.query_params.get("sso") == "1"
    response = _redirect(f"{_base()}/auth/logout" if to_sso else f"{_base()}/account")
    response.delete_cookie(sessions.COOKIE_NAME, path=_base() or "/", httponly=True, samesite="lax")
    return response


def session_routes() -> list[Route]:
    global MOUNTED
    MOUNTED = True
    base = _base()
    return [
        Route(f"{base}/session/start", start_session, methods=["GET"]),
        Route(f"{base}/session/end", end_session, methods=["GET"]),
    ]
