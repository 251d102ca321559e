"""Command line for scheduled publication and bulk loads:

    python -m vru_core.register export --format 360giving-json OUT.json
    python -m vru_core.register export --format 360giving-csv OUT.csv
    python -m vru_core.register import FILE.csv [--as USERNAME]
    python -m vru_core.register examples load|remove

Runs against the store named by VRU_DATABASE_URL / VRU_DATA_DIR. Exit status 1 with the row errors
printed when an import has any problem (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vru_core.platform.auth import SYSTEM, Actor, Role
from vru_core.platform.db import get_engine, upgrade
from vru_core.platform.errors import DomainError
from vru_core.register import examples, export_360
from vru_core.register.importer import import_csv

FORMATS = {"360giving-json": export_360.write_json, "360giving-csv": export_360.write_csv}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vru_core.register", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write the register as 360Giving open data")
    exp.add_argument("--format", choices=sorted(FORMATS), required=True)
    exp.add_argument("out", type=Path)
    imp = sub.add_parser("import", help="bulk-load awards from a CSV made from the template (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--as", dest="username", default=SYSTEM.username, help="name recorded in the audit log")
    ex = sub.add_parser("examples", help="load or remove the labelled example register")
    ex.add_argument("action", choices=["load", "remove"])
    args = parser.parse_args(argv)

    engine = get_engine()
    upgrade(engine)
    if args.command == "export":
        with args.out.open("w", encoding="utf-8", newline="") as out:
            n = FORMATS[args.format](engine, out)
        print(f"Wrote {n:,} grants to {args.out} ({args.format}).")
        return 0
    actor = SYSTEM if args.command != "import" else Actor(args.username, Role.ADMIN)
    if args.command == "examples":
        if args.action == "load":
            print(examples.load_examples(engine=engine, actor=actor))
        else:
            print(f"Removed {examples.remove_examples(engine=engine, actor=actor)} example awards.")
        return 0
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        result = import_csv(engine=engine, actor=actor, content=content)
    except DomainError as exc:
        print(f"{args.file}: {len(exc.problems) or 1} problem(s); nothing was imported.", file=sys.stderr)
        if not exc.problems:
            print(f"  {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"Imported {args.file}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.")
    return 0
