"""`python -m vru_core.scoring` (or `python -m vru_core.needs`): score and rank wards, write the CSV."""

from __future__ import annotations

import argparse
import sys

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profile import DEFAULT_THRESHOLD_PCT, Profile, _fmt, _number
from vru_core.needs.scoring import METHOD_SUMMARY, ranked_csv, score


def _code_number(text: str) -> tuple[str, float]:
    code, sep, raw = text.partition("=")
    value = _number(raw) if sep else None
    if not code.strip() or value is None:
        raise argparse.ArgumentTypeError(f"expected CODE=NUMBER, got {text!r}")
    return code.strip(), value


def _code_method(text: str) -> tuple[str, str]:
    from vru_core.needs.smoothing import METHODS

    code, sep, method = text.partition("=")
    if not code.strip() or not sep or method.strip() not in METHODS:
        raise argparse.ArgumentTypeError(f"expected CODE=METHOD with METHOD one of {', '.join(METHODS)}, got {text!r}")
    return code.strip(), method.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vru_core.needs.scoring",
        description="Score and rank London wards on need, and write the ranked list as CSV.",
        epilog="Flag rule: " + " ".join(METHOD_SUMMARY.split()),
    )
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="PCT",
        help=f"flag the worst PCT%% of wards on each measure (default {_fmt(DEFAULT_THRESHOLD_PCT)}, "
        "or the saved profile's)",
    )
    parser.add_argument(
        "--weight", action="append", default=[], type=_code_number, metavar="CODE=W", help="weight for a measure"
    )
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        type=_code_number,
        metavar="CODE=PCT",
        help="a measure's own threshold %%",
    )
    parser.add_argument(
        "--smooth",
        action="append",
        default=[],
        type=_code_method,
        metavar="CODE=METHOD",
        help="smoothed rates for a count-based measure: eb (towards London) or spatial_eb (towards neighbours)",
    )
    parser.add_argument("--profile", metavar="NAME", help="start from a saved profile")
    parser.add_argument(
        "--draws",
        type=int,
        default=None,
        metavar="N",
        help="Monte Carlo draws for the rank_p05/rank_median/rank_p95 columns (default 200)",
    )
    parser.add_argument("--no-bands", action="store_true", help="leave out the rank bands, counts and population")
    parser.add_argument("--out", default="-", metavar="PATH", help="CSV file to write (default: standard output)")
    parser.add_argument("--list-measures", action="store_true", help="list the measures and exit")
    return parser


def _open_store():
    """The configured store, migrated and loaded (imported here so this module needs no store to import)."""
    from vru_core.needs.load import ensure_loaded
    from vru_core.platform.db import get_engine, upgrade

    engine = get_engine()
    upgrade(engine)
    ensure_loaded(engine)
    return engine


def _load_frame(engine) -> MeasureFrame:
    from vru_core.needs.measures import load_measure_frame

    return load_measure_frame(engine)


def _get_profile(engine, name: str) -> Profile | None:
    from vru_core.needs.profiles import get_profile

    return get_profile(engine, name)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    engine = _open_store()
    frame = _load_frame(engine)
    measures = frame.measures

    if args.list_measures:
        listing = measures.reset_index(names="code")[["code", "label", "direction", "geography", "period", "source"]]
        print(listing.to_string(index=False))
        return 0

    unknown = [c for c, _ in (*args.weight, *args.override, *args.smooth) if c not in measures.index]
    if unknown:
        print(
            f"error: unknown measure code(s): {', '.join(dict.fromkeys(unknown))} (see --list-measures)",
            file=sys.stderr,
        )
        return 2

    if args.smooth:
        from vru_core.needs.smoothing import counts_for

        not_counts = [c for c, _ in args.smooth if c not in counts_for(frame).codes]
        if not_counts:
            print(
                f"error: only counts per 1,000 residents can be smoothed, not: {', '.join(not_counts)}",
                file=sys.stderr,
            )
            return 2
    base = Profile()
    if args.profile:
        saved = _get_profile(engine, args.profile)
        if saved is None:
            print(f"error: no saved profile named {args.profile!r}", file=sys.stderr)
            return 2
        base = saved
    try:
        profile = Profile(
            threshold_pct=base.threshold_pct if args.threshold is None else args.threshold,
            weights={**base.weights, **dict(args.weight)},
            overrides={**base.overrides, **dict(args.override)},
            smoothing={**base.smoothing, **dict(args.smooth)},
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.draws is not None and not 1 <= args.draws <= 10_000:
        print("error: --draws must be between 1 and 10000", file=sys.stderr)
        return 2
    result = score(frame, profile)
    if args.no_bands:
        text = ranked_csv(result)
    else:
        from vru_core.needs.rank_bands import DEFAULT_DRAWS, csv_extra, csv_note

        draws = args.draws or DEFAULT_DRAWS
        text = ranked_csv(result, extra=csv_extra(frame, profile, draws=draws), notes=[csv_note(draws)])
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        top = result.table.head(5)
        print(
            f"wrote {len(result.table)} wards to {args.out}; top: "
            + ", ".join(f"{r.ward_name} ({r.borough_name}) {r.score:g}" for r in top.itertuples()),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
