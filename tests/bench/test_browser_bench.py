"""The browser benchmark's harness runs end to end and prints every figure of issue 13 with its ratio.

A smoke run (1 step, 2 users, 1 first paint): it asserts the report's shape and that the harness really
measured something (bytes came over the websocket, memory was read), never a timing.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from vru_core.platform.config import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RATIO = r"ratio \d+\.\d\dx"
OK = r"\((ok|OVER TARGET)\)"
FIGURES = {
    "threshold slider step": rf"need scores page \d+ ms, bare page \d+ ms, {RATIO}, target <= 1\.5x {OK}",
    "weight slider step": rf"need scores page \d+ ms, bare page \d+ ms, {RATIO}, target <= 1\.5x {OK}",
    "borough filter change": rf"need scores page \d+ ms, bare page \d+ ms, {RATIO}, target <= 1\.5x {OK}",
    "first paint, table and map": rf"need scores page \d+ ms, bare page \d+ ms, {RATIO}, target <= 1\.5x {OK}",
    "bytes per threshold step": rf"need scores page [\d.]+ KiB, bare page [\d.]+ KiB, {RATIO}, target <= 3x {OK}",
    "2 users stepping the threshold at once": rf"need scores page \d+ ms vs \d+ ms, {RATIO}, "
    rf"target <= 2x {OK}; bare page \d+ ms vs \d+ ms, {RATIO}",
    "server memory (VmRSS) with 2 sessions open vs 1": rf"need scores page \d+ MB vs \d+ MB, {RATIO}, "
    rf"target <= 2x {OK}; bare page \d+ MB vs \d+ MB, {RATIO}",
}


def test_smoke_run_prints_every_figure_with_a_ratio():
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: ./run test installs it")
    # Its own temp folder (short: chromium's socket path must fit), so a benchmark run at the same time is not this one.
    own_tmp = Path(tempfile.mkdtemp(prefix="vrubb-", dir="/tmp"))
    try:
        _smoke(own_tmp)
    finally:
        shutil.rmtree(own_tmp, ignore_errors=True)


def _smoke(own_tmp: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "browser", "--steps", "1", "--users", "2", "--paints", "1"],
        cwd=REPO_ROOT,
        env={**os.environ, "TMPDIR": str(own_tmp)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = done.stdout
    for figure, shape in FIGURES.items():
        lines = [line for line in report.splitlines() if line.startswith(figure)]
        assert len(lines) == 1, f"{figure!r} missing from:\n{report}"
        assert re.search(shape, lines[0]), lines[0]
    kib = re.search(r"bytes per threshold step: need scores page ([\d.]+) KiB, bare page ([\d.]+) KiB", report)
    assert kib and float(kib[1]) > 0 and float(kib[2]) > 0, "no websocket bytes were counted"
    # It cleans up after itself: its temp store is gone.
    assert not list(own_tmp.glob("vru-bench-browser-*"))


def test_bad_options_are_refused_before_anything_starts():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "browser", "--steps", "45"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and "--steps must be 1 to 39" in done.stderr
