"""`python -m bench`: speed and memory figures with ratios against bare baselines measured in the same run.

Benchmarks, not tests: they print figures for README and never fail a build. Each section is a module
of this package with `run(quick: bool = False) -> list[tuple[str, str]]` (label, figure).
`python -m bench browser [--steps N] [--users N]` prints the browser figures instead (bench/browser).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import numpy as np

SECTIONS = ["bench.needs", "bench.register", "bench.register_view", "bench.framework", "bench.stress", "bench.impact"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["browser"]:  # `python -m bench browser [--steps N] [--users N]`: the browser figures
        from bench.browser import main as browser_main

        return browser_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description="Print VRU Hub's speed and memory benchmarks.")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (for a smoke run)")
    parser.add_argument("--only", choices=SECTIONS, help="run one section, e.g. bench.register")
    args = parser.parse_args(argv)
    print(f"VRU Hub benchmarks: {os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}")
    for name in [args.only] if args.only else SECTIONS:
        module = importlib.import_module(name)
        print(f"\n== {name}")
        rows = module.run(quick=args.quick)
        width = max(len(label) for label, _ in rows)
        for label, figure in rows:
            print(f"{label:<{width}}  {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
