"""`python -m vru_core.impact`: did the funding change offences in the wards it served?

    python -m vru_core.impact --award IDENTIFIER [--outcome vwi|robbery_personal|weapons] --json
    python -m vru_core.impact --stream CODE [--outcome ...] --json
    python -m vru_core.impact --objective N [--outcome ...] --json
    python -m vru_core.impact --round CODE [--outcome ...] --json

Prints one JSON object (effect_pct, ci_low_pct, ci_high_pct, p_value, treated_wards, donor_wards,
pre_months, post_months, method, ...). Exit status 3 with {"refused": "reason"} when the data cannot
support an estimate; 2 for an unknown award, stream, objective or round. Without --json a short text summary
is printed instead. Runs against the store named by VRU_DATABASE_URL / VRU_DATA_DIR and the bundled
MPS series in VRU_BUNDLED_DATA_DIR.
"""

from __future__ import annotations

import argparse
import json
import sys

from vru_core.impact.awards import estimate_award, estimate_for_awards, find_award, group_awards
from vru_core.impact.panel import DEFAULT_OUTCOME, OUTCOMES
from vru_core.impact.synth import CannotEstimate

EXIT_REFUSED = 3
EXIT_UNKNOWN = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m vru_core.impact", description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--award", metavar="IDENTIFIER", help="an award's 360Giving identifier (or its number)")
    target.add_argument("--stream", metavar="CODE", help="every committed award of a funding stream")
    target.add_argument("--objective", metavar="N", type=int, help="every committed award serving objective N")
    target.add_argument("--round", metavar="CODE", help="every committed award a funding round's decisions made")
    parser.add_argument("--outcome", choices=list(OUTCOMES), default=DEFAULT_OUTCOME, help="offence (default vwi)")
    parser.add_argument("--keep-neighbours", action="store_true", help="allow wards touching funded wards as donors")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _open_store():
    from vru_core.needs.load import ensure_loaded
    from vru_core.platform.db import get_engine

    engine = get_engine()
    ensure_loaded(engine)
    return engine


def _emit(payload: dict, as_json: bool, stream=None) -> None:
    stream = stream or sys.stdout
    if as_json:
        stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
    elif "refused" in payload:
        stream.write(f"Cannot estimate yet: {payload['refused']}\n")
    else:
        stream.write(
            f"{payload['outcome_label']}: {payload['effect_pct']:+.1f}% "
            f"(90% interval {payload['ci_low_pct']:+.1f}% to {payload['ci_high_pct']:+.1f}%, "
            f"p = {payload['p_value']:.3f}); "
            f"{payload['treated_wards']} funded wards against {payload['donor_wards']} comparison wards, "
            f"{payload['pre_months']} months before and {payload['post_months']} after the start.\n"
            f"Method: {payload['method']}.\n"
        )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from vru_core.register.query import load_register

    engine = _open_store()
    register = load_register(engine)
    keep = not args.keep_neighbours
    try:
        if args.award is not None:
            try:
                award_id = find_award(register, args.award)
            except LookupError as exc:
                _emit({"error": str(exc)}, True, sys.stderr)
                return EXIT_UNKNOWN
            payload = {
                "award": args.award,
                **estimate_award(engine, award_id, args.outcome, register=register, exclude_neighbours=keep).to_json(),
            }
        else:
            if args.stream is not None and args.stream not in set(register.awards["funding_stream"]):
                from vru_core.register.query import choices

                if args.stream not in choices(engine)["funding_streams"]:
                    _emit({"error": f"no funding stream {args.stream!r}"}, True, sys.stderr)
                    return EXIT_UNKNOWN
            if args.objective is not None and not 1 <= args.objective <= 8:
                _emit({"error": f"objective must be 1 to 8, got {args.objective}"}, True, sys.stderr)
                return EXIT_UNKNOWN
            if args.round is not None:
                from vru_core.platform.errors import NotFound
                from vru_core.rounds import award_ids

                try:
                    among = award_ids(engine, args.round)
                except NotFound as exc:
                    _emit({"error": str(exc)}, True, sys.stderr)
                    return EXIT_UNKNOWN
                label = f"round {args.round}"
                ids = group_awards(register, among=among)
            else:
                label = f"stream {args.stream}" if args.stream is not None else f"objective {args.objective}"
                ids = group_awards(register, stream=args.stream, objective=args.objective)
            payload = estimate_for_awards(
                engine, ids, args.outcome, label=label, register=register, exclude_neighbours=keep
            ).to_json()
    except CannotEstimate as exc:
        _emit({"refused": str(exc)}, args.json)
        return EXIT_REFUSED
    _emit(payload, args.json)
    return 0
