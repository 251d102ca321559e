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


def _boroughs(data_dir: Path) -> list[str]:
    """The options of the page's "Boroughs" filter, read from the benchmark's own store."""
    from vru_core.needs.measures import load_measure_frame
    from vru_core.platform.db import get_engine

    engine = get_engine(f"sqlite:///{data_dir / 'vru.sqlite3'}")
    try:
        return sorted(load_measure_frame(engine).wards["borough_name"].unique())
    finally:
        engine.dispose()


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
        for i, (u, t) in enumerate(zip(users, thumbs, strict=True)):
            times[i].append(u.finish_or_retry(t)[0])
    return [statistics.median(t) for t in times]


def measure(browser, app: Server, bare: Server, boroughs: list[str], steps: int, users: int, paints: int) -> list[str]:
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
    borough_samples = [ours.step_borough(b) for b in boroughs[:steps]]
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

    crowd = {}
    retries = [ours.retries + base.retries]
    pages = [("need scores page", app, t_ours, rss_one), ("bare page", bare, t_bare, bare_rss_one)]
    for name, server, single, one_mb in pages:
        group = [User(browser, server.url).open() for _ in range(users)]
        worst = max(_together(group, steps, User.threshold))
        crowd[name] = f"{name} {_fmt(worst, 's')} vs {_fmt(single, 's')}, ratio {worst / single:.2f}x"
        crowd[name + " verdict"] = "ok" if worst / single <= TARGET_USERS else "OVER TARGET"
        many_mb = server.rss_mb()
        memory = f"{name} {many_mb:.0f} MB vs {one_mb:.0f} MB, ratio {many_mb / one_mb:.2f}x"
        crowd[name + " memory"] = memory
        crowd[name + " memory verdict"] = "ok" if many_mb / one_mb <= TARGET_MEMORY else "OVER TARGET"
        retries[0] += sum(u.retries for u in group)
        for u in group:
            u.close()
    out.append(f"{users} users stepping the threshold at once, worst user's median step vs the single-user median: "
               f"{crowd['need scores page']}, target <= {TARGET_USERS:g}x ({crowd['need scores page verdict']}); "
               f"{crowd['bare page']}")  # fmt: skip
    out.append(f"server memory (VmRSS) with {users} sessions open vs 1: {crowd['need scores page memory']}, "
               f"target <= {TARGET_MEMORY:g}x ({crowd['need scores page memory verdict']}); "
               f"{crowd['bare page memory']}")  # fmt: skip
    out.append(f"presses that started no rerun and were pressed again: {retries[0]}")
    return out


def run(steps: int = 15, users: int = 10, paints: int = 3) -> list[str]:
    """Start the store, both servers and chromium; measure; stop everything this started."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="vru-bench-browser-") as tmp:
        data_dir = Path(tmp)
        load_store(data_dir)
        boroughs = _boroughs(data_dir)
        servers: list[Server] = []
        try:
            servers.append(Server("app.py", data_dir, "app"))
            servers.append(Server("bench/bare_app.py", data_dir, "bare"))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    return measure(browser, servers[0], servers[1], boroughs, steps, users, paints)
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
    if not 1 <= args.steps <= 39 or args.users < 1 or args.paints < 1:
        parser.error(
            "--steps must be 1 to 39 (the threshold slider steps up from 10% to at most 50%), "
            "--users and --paints at least 1"
        )
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"== browser (chromium, steps {args.steps}, users {args.users}; load average before: {load})")
    for row in run(steps=args.steps, users=args.users, paints=args.paints):
        print(row)
    return 0
