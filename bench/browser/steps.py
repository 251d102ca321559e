"""One browser user of a Streamlit page: open it, make one change, time it until the rerun is painted.

A step is timed in the page itself: from the keydown that makes the change until Streamlit's app root
says the script is not running (having seen it run), no element is stale, and two animation frames have
passed (the next frame painted). The websocket bytes the page receives in between are counted too.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

# Installed before the key press: resolves with the milliseconds from keydown to the painted rerun.
NO_RERUN = "no rerun started within 20 s"
ARM_JS = """() => {
  const root = document.querySelector('[data-testid="stApp"]');
  const STATE = 'data-test-script-state';
  window.__benchDone = new Promise((resolve, reject) => {
    let t0 = null, sawRunning = false, done = false, target = '';
    document.addEventListener('keydown', (e) => {
      if (t0 === null) { t0 = performance.now(); target = `${e.target.tagName} ${e.target.type || ''}`; }
    }, {capture: true, once: true});
    const idle = () => root.getAttribute(STATE) === 'notRunning'
                       && !document.querySelector('[data-stale="true"]');
    // A short rerun can go running -> notRunning within one batch of records: the old values show it.
    const check = (records) => {
      if (done || t0 === null) return;
      if (root.getAttribute(STATE) === 'running'
          || records.some(r => r.attributeName === STATE && r.oldValue === 'running')) sawRunning = true;
      if (sawRunning && idle()) {
        done = true;
        obs.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {attributes: true, attributeOldValue: true, childList: true, subtree: true,
                                attributeFilter: [STATE, 'data-stale']});
    const fail = (why) => reject(new Error(`${why} (key pressed on: ${target || 'nothing'}, `
                                            + `state: ${root.getAttribute(STATE)})`));
    setTimeout(() => { if (!sawRunning) fail('""" + NO_RERUN + """'); }, 20000);
    setTimeout(() => { if (!done) fail('no finished rerun within 120 s'); }, 120000);
  });
}"""

# The map is drawn: a pydeck canvas, or the map component's ready mark (possibly inside shadow roots).
MAP_DRAWN_JS = """() => {
  if (document.querySelector('[data-testid="stDeckGlJsonChart"] canvas')) return true;
  const walk = (root) => {
    if (root.querySelector('[data-vru-map-ready="1"]')) return true;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot && walk(el.shadowRoot)) return true;
    return false;
  };
  return walk(document);
}"""

TABLE_DRAWN_JS = """() => !!document.querySelector(
  '[data-testid="stDataFrame"] canvas, [data-testid="stDataFrame"] table')"""
IDLE_JS = (
    "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
    " && !document.querySelector('[data-stale=\"true\"]')"
)
THUMB = 'input[type="range"]'  # Streamlit's slider thumb (react-aria): focusable, arrow keys step it
THRESHOLD = re.compile(r"^\s*Threshold")


def map_drawn(page) -> bool:
    """True once the page's map is drawn (the one definition the benchmark uses)."""
    return bool(page.evaluate(MAP_DRAWN_JS))


def first_paint(browser, url: str, with_map: bool) -> float:
    """Seconds from navigation (fresh context) until the ranked table (and the map, if the page has one) is drawn."""
    context = browser.new_context(viewport={"width": 1440, "height": 1100})
    try:
        page = context.new_page()
        page.set_default_timeout(180_000)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(TABLE_DRAWN_JS, polling=50)
        if with_map:
            page.wait_for_function(MAP_DRAWN_JS, polling=50)
            assert map_drawn(page)
        return time.perf_counter() - start
    finally:
        context.close()


@dataclass
class User:
    """One browser context on one page, with a count of the websocket bytes it has received."""

    browser: object
    url: str
    received: list[int] = field(default_factory=lambda: [0])
    retries: int = 0  # presses that started no rerun and were pressed again

    def open(self) -> User:
        self.context = self.browser.new_context(viewport={"width": 1440, "height": 1100})  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.page.set_default_timeout(180_000)
        self.page.on("websocket", self._watch)
        self.page.goto(self.url)
        self.page.wait_for_function(TABLE_DRAWN_JS, polling=100)
        self.page.wait_for_function(IDLE_JS, polling=100)
        return self

    def _watch(self, ws) -> None:
        def count(payload) -> None:
            self.received[0] += len(payload)

        ws.on("framereceived", count)

    def close(self) -> None:
        self.context.close()

    # -- getting a change ready (untimed), then arming, pressing, and waiting (timed in the page) --

    def threshold(self):
        return self._sliders().filter(has_text=THRESHOLD).locator(THUMB).first

    def weight(self):
        """The first weight slider in the sidebar that can still go up (each step a value not seen before)."""
        sliders = self.page.get_by_test_id("stSidebar").get_by_test_id("stSlider").filter(has_not_text=THRESHOLD)
        for i in range(sliders.count()):
            thumb = sliders.nth(i).locator(THUMB).first
            if thumb.evaluate("e => Number(e.value) < Number(e.max)"):
                return thumb
        raise RuntimeError("every weight slider is at its maximum")

    def _sliders(self):
        return self.page.get_by_test_id("stSlider")

    def arm(self) -> None:
        self.page.evaluate(ARM_JS)
        self.received[0] = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def finish(self) -> tuple[float, int]:
        """(seconds, bytes received) of the armed step, once its rerun is painted."""
        ms = float(self.page.evaluate("() => window.__benchDone"))
        return ms / 1000, self.received[0]

    def step_slider(self, thumb) -> tuple[float, int]:
        thumb.focus()
        self.arm()
        self.press("ArrowRight")
        return self.finish_or_retry(thumb)

    def finish_or_retry(self, thumb) -> tuple[float, int]:
        """finish(); a press that started no rerun at all (rare, under load) is pressed again, and counted."""
        from playwright.sync_api import Error

        for _ in range(3):
            try:
                return self.finish()
            except Error as e:
                if NO_RERUN not in str(e):
                    raise
                self.retries += 1
                thumb.focus()
                self.arm()
                self.press("ArrowRight")
        return self.finish()

    def step_borough(self, borough: str) -> tuple[float, int]:
        """Add one borough to the "Boroughs" filter: type its name (untimed), then Enter (timed)."""
        box = self.page.get_by_test_id("stMultiSelect").filter(has_text="Boroughs").locator("input").first
        box.click()
        box.fill(borough)
        self.page.get_by_role("option", name=borough, exact=True).first.wait_for()
        self.arm()
        self.press("Enter")
        result = self.finish()
        self.page.keyboard.press("Escape")
        return result
