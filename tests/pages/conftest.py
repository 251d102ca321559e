"""AppTest on the whole app (entry + navigation) against a private copy of the loaded store."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from vru_core.platform.config import REPO_ROOT


@pytest.fixture
def make_app(engine, monkeypatch):
    """Returns a function that opens a page of the app, optionally signed in."""
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def open_page(page: str | None = None, *, actor=None, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=90)
        if actor is not None:
            at.session_state["actor"] = actor
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        if page:
            at.switch_page(page)
            at.run()
            assert not at.exception
        return at

    return open_page


def visible(text: str) -> str:
    """What a reader sees of Markdown the pages escaped with ui.text.plain (backslash escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
