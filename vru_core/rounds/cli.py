"""Command line for scripts and checks:

    python -m vru_core.rounds list [--json]
    python -m vru_core.rounds show ROUND [--json]

ROUND is a round's code (e.g. YLF-2026-R1) or id. `--json` prints one JSON object: `list` gives
`rounds`, one entry per round; `show` gives the round, its criteria and weights, its applications in
the panel paper's order and the ids of the awards it made (`award_ids`). Money is in pounds as strings
with two decimals. An unknown round exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from vru_core.platform.db import get_engine, upgrade
from vru_core.platform.errors import DomainError
from vru_core.rounds.decisions import award_ids
from vru_core.rounds.paper import paper
from vru_core.rounds.rounds import list_rounds


def _money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _round(r: dict) -> dict:
    keys = (
        "code",
        "title",
        "funding_stream_code",
        "financial_year",
        "opens_on",
        "closes_on",
        "decision_on",
        "status",
        "eligible_boroughs",
        "objectives",
        "priority_areas",
        "is_example",
    )
    out = {k: (r[k].isoformat() if hasattr(r[k], "isoformat") else r[k]) for k in keys}
    return {"id": r["id"], **out, "stream": r["funding_stream_code"], "budget": _money(r["budget"])}


def _show(engine, ref: str) -> dict:
    info, table = paper(engine, ref)
    applications = []
    for row in table.to_dict(orient="records"):
        row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        row["amount_requested"] = _money(row["amount_requested"])
        row["cumulative_amount"] = _money(row["cumulative_amount"])
        row["award_id"] = None if row["award_id"] is None else int(row["award_id"])
        applications.append(row)
    return {
        "round": _round(info),
        "criteria": [
            {"code": c["code"], "label": c["label"], "weight": c["weight"], "computed": c["computed"]}
            for c in info["criteria"]
        ],
        "profile": info["profile_settings"],
        "moderation_gap": info["moderation_gap"],
        "applications": applications,
        "award_ids": award_ids(engine, info["id"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vru_core.rounds", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="every funding round")
    ls.add_argument("--json", action="store_true")
    show = sub.add_parser("show", help="one round: criteria, ranked applications, awards")
    show.add_argument("round")
    show.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    engine = get_engine()
    upgrade(engine)
    try:
        if args.command == "list":
            rounds = [_round(r) for r in list_rounds(engine)]
            if args.json:
                print(json.dumps({"rounds": rounds}, indent=2, default=str))
            for r in [] if args.json else rounds:
                print(f"{r['code']}\t{r['financial_year']}\t{r['status']}\t£{r['budget']}\t{r['title']}")
            return 0
        shown = _show(engine, args.round)
        if args.json:
            print(json.dumps(shown, indent=2, default=str))
            return 0
        r = shown["round"]
        print(f"{r['code']} {r['title']} ({r['financial_year']}, {r['status']}), budget line £{r['budget']}")
        for a in shown["applications"]:
            print(f"{a['rank']:>3} {a['reference']}\t{a['weighted_score']}\t£{a['amount_requested']}\t{a['decision']}")
        print(f"awards: {', '.join(map(str, shown['award_ids'])) or 'none'}")
        return 0
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
