"""Browser figures (issue 13): the need scores page against a bare page, side by side in one run, in chromium.

`python -m bench browser [--steps N] [--users N]` starts two headless Streamlit servers on a fresh SQLite
store with the bundled data (the real app, app.py, and bench/bare_app.py: one slider and the same ranked
704-row table), drives Debian's chromium through Playwright, and prints each figure as
"need scores page X, bare page Y, ratio X/Y, target". Benchmarks, not tests: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.browser.servers import Server, load_store
from bench.browser.steps import User, first_paint

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]  # fmt: skip
TARGET_STEP, TARGET_PAINT, TARGET_BYTES, TARGET_USERS, TARGET_MEMORY = 1.5, 1.5, 3.0, 2.0, 2.0


def line(figure: str, ours: float, bare: float, unit: str, target: float, ours_name: str = "need scores page",
         bare_name: str = "bare page") -> str:  # fmt: skip
    """One figure: both measurements, their ratio and the target it is held to."""
    ratio = ours / bare if bare else float("inf")
    verdict = "ok" if ratio <= target else "OVER TARGET"
    return (f"{figure}: {ours_name} {_fmt(ours, unit)}, {bare_name} {_fmt(bare, unit)}, "
            f"ratio {ratio:.2f}x, target <= {target:g}x ({verdict})")  # fmt: skip


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms"
    if unit == "B":
        return f"{value / 1024:.1f} KiB"
    return f"{value:.0f} {unit}"


def _medians(samples: list[tuple[float, int]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in samples), statistics.median(b for _, b in samples)


def _boroughs() -> list[str]:
    from vru_core.needs.measures import load_measure_frame
    from vru_core.platform.db import get_engine

    return sorted(load_measure_frame(get_engine()).wards["borough_name"].unique())


def _together(users: list[User], steps: int, thumb: Callable[[User], object]) -> list[float]:
    """All users step at once: arm and press on every page, then collect; each user's median step."""
    times: list[list[float]] = [[] for _ in users]
    for _ in range(steps):
        thumbs = [thumb(u) for u in users]
        for u, t in zip(users, thumbs, strict=True):
            t.focus()  # type: ignore[attr-defined]
            u.arm()
        for u in users:
            u.press("ArrowRight")
        for i, u in enumerate(users):
            times[i].append(u.finish()[0])
    return [statistics.median(t) for t in times]


def measure(browser, app: Server, bare: Server, steps: int, users: int, paints: int) -> list[str]:
    """Every figure of issue 13's browser section, as report lines."""
    out: list[str] = []
    for url, with_map in [(app.url, True), (bare.url, False)]:
        first_paint(browser, url, with_map)  # warm: the servers' caches, chromium's code cache
    app_paint = statistics.median(first_paint(browser, app.url, True) for _ in range(paints))
    bare_paint = statistics.median(first_paint(browser, bare.url, False) for _ in range(paints))

    ours, base = User(browser, app.url).open(), User(browser, bare.url).open()
    ours.step_slider(ours.weight())  # one untimed step each: the first rerun pays for imports and caches
    base.step_slider(base.threshold())
    threshold_samples, bare_samples = [], []
    for _ in range(steps):  # interleaved, so background load falls on both pages alike
        threshold_samples.append(ours.step_slider(ours.threshold()))
        bare_samples.append(base.step_slider(base.threshold()))
    weight_samples = [ours.step_slider(ours.weight()) for _ in range(steps)]
    borough_samples = [ours.step_borough(b) for b in _boroughs()[:steps]]
    (t_ours, b_ours), (t_bare, b_bare) = _medians(threshold_samples), _medians(bare_samples)
    (t_weight, b_weight), (t_borough, b_borough) = _medians(weight_samples), _medians(borough_samples)
    rss_one, bare_rss_one = app.rss_mb(), bare.rss_mb()
    ours.close()
    base.close()

    out.append(line(f"threshold slider step (median of {steps})", t_ours, t_bare, "s", TARGET_STEP))
    out.append(line(f"weight slider step (median of {steps})", t_weight, t_bare, "s", TARGET_STEP))
    out.append(line(f"borough filter change (median of {len(borough_samples)})", t_borough, t_bare, "s", TARGET_STEP))
    out.append(line(f"first paint, table and map (median of {paints})", app_paint, bare_paint, "s", TARGET_PAINT))
    out.append(line("bytes per threshold step", b_ours, b_bare, "B", TARGET_BYTES))
    out.append(line("bytes per weight step", b_weight, b_bare, "B", TARGET_BYTES))
    out.append(line("bytes per borough change", b_borough, b_bare, "B", TARGET_BYTES))

    crowd: dict[str, tuple[float, float, float]] = {}
    for name, server, single, one_mb in [("need scores page", app, t_ours, rss_one), ("bare page", bare, t_bare, bare_rss_one)]:
        group = [User(browser, server.url).open() for _ in range(users)]
        medians = _together(group, steps, User.threshold)
        crowd[name] = (max(medians) / single, server.rss_mb(), one_mb)
        for u in group:
            u.close()
    (a_ratio, a_many, a_one), (s_ratio, s_many, s_one) = crowd["need scores page"], crowd["bare page"]
    out.append(line(f"{users} users stepping at once, worst user's median / single-user median",
                    a_ratio, s_ratio, "x", TARGET_USERS))  # fmt: skip
    out.append(f"{users} users: server memory with {users} sessions vs 1 (VmRSS): "
               f"need scores page {a_many:.0f} MB vs {a_one:.0f} MB, ratio {a_many / a_one:.2f}x, "
               f"target <= {TARGET_MEMORY:g}x ({'ok' if a_many / a_one <= TARGET_MEMORY else 'OVER TARGET'}); "
               f"bare page {s_many:.0f} MB vs {s_one:.0f} MB, ratio {s_many / s_one:.2f}x")  # fmt: skip
    return out


def run(steps: int = 15, users: int = 10, paints: int = 3) -> list[str]:
    """Start the store, both servers and chromium; measure; stop everything this started."""
    import os

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="vru-bench-browser-") as tmp:
        data_dir = Path(tmp)
        load_store(data_dir)
        os.environ["VRU_DATA_DIR"] = str(data_dir)  # this process reads the borough names from the same store
        os.environ.pop("VRU_DATABASE_URL", None)
        servers: list[Server] = []
        try:
            servers.append(Server("app.py", data_dir, "app"))
            servers.append(Server("bench/bare_app.py", data_dir, "bare"))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    return measure(browser, servers[0], servers[1], steps, users, paints)
                finally:
                    browser.close()
        finally:
            for server in servers:
                server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench browser", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="slider steps per figure (median); default 15")
    parser.add_argument("--users", type=int, default=10, help="simultaneous browser users; default 10")
    parser.add_argument("--paints", type=int, default=3, help="first-paint runs (median); default 3")
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"== browser (chromium, steps {args.steps}, users {args.users}; load average before: {load})")
    for row in run(steps=args.steps, users=args.users, paints=args.paints):
        print(row)
    return 0
