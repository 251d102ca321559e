"""Command line for scheduled publication and bulk loads:

    python -m vru_core.register export --format 360giving-json OUT.json
    python -m vru_core.register export --format 360giving-csv OUT.csv
    python -m vru_core.register export --format 360giving-xlsx OUT.xlsx
    python -m vru_core.register import FILE.csv [--as USERNAME]
    python -m vru_core.register examples load|remove
    python -m vru_core.register orgids show
    python -m vru_core.register orgids refresh SOURCE
    python -m vru_core.register budget [--year 2026] [--json]

`orgids refresh` installs the full org-id.guide register into the data folder (VRU_DATA_DIR) from
SOURCE, which an administrator obtains: org-id.guide's download.json, a checkout of the org-id/register
repository, or a CSV with code, name and deprecated columns. `orgids show` says which list is in force.

Runs against the store named by VRU_DATABASE_URL / VRU_DATA_DIR. Exit status 1 with the row errors
printed when an import has any problem (nothing is written then); an export exits with status 2 and
writes nothing when an open-data setting would make the file invalid, and prints any warnings.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

from vru_core.platform.auth import SYSTEM, Actor, Role
from vru_core.platform.db import get_engine, upgrade
from vru_core.platform.errors import DomainError
from vru_core.register import budget, budget_reads, examples, export_360, export_flat, orgid_list
from vru_core.register.importer import import_csv

# format -> (writer, binary file?)
FORMATS: dict[str, tuple[Callable[..., int], bool]] = {
    "360giving-json": (export_360.write_json, False),
    "360giving-csv": (export_flat.write_csv, False),
    "360giving-xlsx": (export_flat.write_xlsx, True),
}


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
    org = sub.add_parser("orgids", help="show the organisation-identifier prefix list, or install the full one")
    org_sub = org.add_subparsers(dest="action", required=True)
    org_sub.add_parser("show", help="say which list recipient identifiers are checked against")
    refresh = org_sub.add_parser("refresh", help="install the full org-id.guide register from a file or folder")
    refresh.add_argument("source", type=Path, help="download.json, an org-id/register checkout, or a CSV")
    bud = sub.add_parser("budget", help="allocated, committed, paid, forecast and remaining per stream and year")
    bud.add_argument("--year", help="one financial year: 2026 or 2026/27 (default: every year)")
    bud.add_argument("--json", action="store_true", help="one JSON object with a `lines` list")
    args = parser.parse_args(argv)
    if args.command == "orgids":
        return _orgids(args.action, getattr(args, "source", None))

    engine = get_engine()
    upgrade(engine)
    if args.command == "export":
        return _export(engine, args.format, args.out)
    if args.command == "budget":
        return _budget(engine, args.year, args.json)
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


def _export(engine, fmt: str, path: Path) -> int:
    errors, warnings = export_360.settings_notes()
    for message in warnings:
        print(f"warning: {message}", file=sys.stderr)
    if errors:
        for message in errors:
            print(f"cannot publish: {message}", file=sys.stderr)
        return 2
    write, binary = FORMATS[fmt]
    buffer: io.BytesIO | io.StringIO = io.BytesIO() if binary else io.StringIO()
    n = write(engine, buffer)  # built in memory first: a failed export never leaves half a file behind
    if isinstance(buffer, io.BytesIO):
        path.write_bytes(buffer.getvalue())
    else:
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    print(f"Wrote {n:,} grants to {path} ({fmt}).")
    return 0


def _orgids(action: str, source: Path | None) -> int:
    if action == "refresh" and source is not None:
        try:
            installed = orgid_list.install(source)
        except orgid_list.ListSourceError as exc:
            print(f"Not installed: {exc}. The list in force is unchanged.", file=sys.stderr)
            return 2
        print(f"Installed {installed.description} as {orgid_list.installed_path()}.")
        return 0
    in_force = orgid_list.prefix_list()
    print(f"Recipient identifiers are checked against {in_force.description}.")
    if not in_force.full:
        print(f"Install the full register with: {orgid_list.REFRESH_COMMAND}")
    return 0


def _budget(engine, raw_year: str | None, as_json: bool) -> int:
    year = None
    if raw_year is not None:
        year = budget.parse_year(raw_year)
        if year is None:
            print(f"--year {raw_year!r} is not a financial year: use 2026 or 2026/27", file=sys.stderr)
            return 2
    answer = budget_reads.budget_json(engine, year=year)
    if as_json:
        print(json.dumps(answer, indent=2))
        return 0
    columns = ("allocated", "committed", "paid", "forecast", "remaining")
    print(f"{'stream':<34} {'year':<8} " + " ".join(f"{c:>15}" for c in columns))
    for line in answer["lines"]:
        money = " ".join(f"{line[c]:>15}" for c in columns)
        print(
            f"{line['stream_name'][:34]:<34} {line['year']:<8} {money}"
            + ("" if line["budget_set"] else "  (no budget set)")
        )
    for name, meaning in answer["counts"].items():
        print(f"  {name}: {meaning}")
    return 0
