"""WCAG 2.2 AA in a real browser: axe-core (bundled by axe-playwright-python) finds no serious or critical
violation on any page, signed out or signed in as an administrator (who sees every page); every control
is reachable with the keyboard and shows where the focus is."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_sessions_browser import _account, sign_in
from vru_core.platform.db import get_engine

pytestmark = pytest.mark.browser
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = [  # (path, a heading the page shows)
    ("", "Ward need scores"),
    ("sensitivity", "Sensitivity"),
    ("trends", "Trends and concentration"),
    ("measures", "Measures and sources"),
    ("register", "Commissioning register"),
    ("award_new", "New award"),
    ("award?id={award}", None),
    ("import_awards", "Import awards"),
    ("export", "Open data export"),
    ("funding_vs_need", "Funding vs need"),
    ("framework", "Performance against the strategy"),
    ("objective?objective=1", "Objective 1: Supporting individuals"),
    ("indicators_entry", "Enter indicator values"),
    ("framework_admin", "Framework settings"),
    ("account", "Account"),
    ("accessibility", "Accessibility statement"),
]
ADMIN_PAGES = [("users", "Users and roles"), ("audit", "Audit log")]


def _settled(page) -> None:
    """Wait until the script run is over and charts have drawn."""
    page.locator('[data-test-script-state="notRunning"]').wait_for(state="attached")
    page.wait_for_timeout(1500)


def _serious(page) -> list[dict]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def award_id(live_app) -> int:
    from vru_core.platform.auth import SYSTEM
    from vru_core.register.examples import load_examples
    from vru_core.register.query import load_register

    engine = get_engine(live_app.database_url)
    if not len(load_register(engine).awards):
        load_examples(engine=engine, actor=SYSTEM)
    award = int(load_register(engine).awards.index.min())
    engine.dispose()
    return award


def _walk(page, base: str, pages: list, award: int, shots: str, artifacts) -> dict:
    found = {}
    for path, heading in pages:
        path = path.format(award=award)
        page.goto(f"{base}/{path}")
        if heading:
            page.get_by_role("heading", name=heading).first.wait_for()
        _settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0, f"/{path} raised"
        serious = _serious(page)
        if serious:
            found[f"/{path}"] = serious
        name = (path.split("?")[0] or "need_scores").replace("/", "_")
        page.screenshot(path=str(artifacts / f"a11y-{shots}-{name}.png"), full_page=True)
    return found


def test_no_serious_violation_on_any_page_signed_out(page, live_app, award_id, artifacts):
    found = _walk(page, live_app.url, PAGES, award_id, "out", artifacts)
    (artifacts / "axe-signed-out.json").write_text(json.dumps(found, indent=1))
    assert not found, json.dumps(found, indent=1)


def test_no_serious_violation_on_any_page_signed_in(page, live_app, award_id, artifacts):
    sign_in(page, live_app.url, _account(live_app.database_url, "axe-admin", "admin"))
    found = _walk(page, live_app.url, PAGES + ADMIN_PAGES, award_id, "in", artifacts)
    (artifacts / "axe-signed-in.json").write_text(json.dumps(found, indent=1))
    assert not found, json.dumps(found, indent=1)


FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
  let parentRing = false;
  for (let p = el.parentElement, i = 0; p && i < 3; p = p.parentElement, i++) {
    const ps = getComputedStyle(p);
    const outlined = ps.outlineStyle !== 'none' && parseFloat(ps.outlineWidth) > 0;
    if (outlined || (ps.boxShadow && ps.boxShadow !== 'none')) parentRing = true;
  }
  const r = el.getBoundingClientRect();
  return {tag: el.tagName, label: (el.getAttribute('aria-label') || el.innerText || el.value || '').slice(0, 40),
          ring: ring || parentRing, visible: r.width > 0 && r.height > 0};
}"""


@pytest.mark.parametrize(
    ("path", "heading", "control"),
    [
        ("account", "Account", "Sign in"),
        ("register", "Commissioning register", "Download these rows (CSV)"),
        ("", "Ward need scores", None),
    ],
)
def test_every_control_is_reached_by_the_keyboard_and_shows_its_focus(page, live_app, award_id, path, heading, control):
    """award_id: the register holds awards (an empty register shows no table or downloads)."""
    page.goto(f"{live_app.url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for()
    _settled(page)
    seen, unfocused = [], []
    for _ in range(160):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_VISIBLE)
        if state is None:
            continue
        seen.append(state["label"])
        if not (state["ring"] and state["visible"]):
            unfocused.append(state)
    assert len(seen) > 10
    assert not unfocused, f"focus not visible on: {unfocused[:5]}"
    assert any("Ward need scores" in s for s in seen)  # the navigation links are in the tab order
    if control:
        assert any(control in s for s in seen), f"{control!r} not reached by Tab"
