"""The RAG rule's edge cases, as a table: each row is one situation a director could ask about."""

import pytest

from vru_core.framework.rag import Rag, Thresholds, combine, describe, rate
from vru_core.platform.errors import Invalid

T = Thresholds(on_track_progress=0.5, off_track_below=0.0, trend_tolerance_pct=1.0)


@pytest.mark.parametrize(
    ("case", "latest", "previous", "baseline", "target", "direction", "expected"),
    [
        ("target reached exactly (down is good)", 90.0, 95.0, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("target beaten (down is good)", 80.0, 95.0, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("target reached, trend against: not downgraded", 89.0, 85.0, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("exactly at the on-track threshold", 95.0, 95.0, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("just below the on-track threshold", 95.1, 95.1, 100.0, 90.0, "down", Rag.AT_RISK),
        ("exactly at baseline (off-track threshold 0)", 100.0, 100.0, 100.0, 90.0, "down", Rag.AT_RISK),
        ("worse than baseline", 101.0, 101.0, 100.0, 90.0, "down", Rag.OFF_TRACK),
        ("up is good, on track", 57.0, 57.0, 50.0, 60.0, "up", Rag.ON_TRACK),
        ("up is good, fell below baseline", 48.0, 48.0, 50.0, 60.0, "up", Rag.OFF_TRACK),
        ("target on the wrong side for down-is-good", 57.0, 57.0, 50.0, 60.0, "down", Rag.NOT_RATED),
        ("target on the wrong side for up-is-good", 57.0, 57.0, 60.0, 50.0, "up", Rag.NOT_RATED),
        ("baseline equals target, met", 50.0, 50.0, 50.0, 50.0, "up", Rag.ON_TRACK),
        ("baseline equals target, missed", 49.0, 49.0, 50.0, 50.0, "up", Rag.OFF_TRACK),
        ("trend against drops on track to at risk", 94.0, 92.0, 100.0, 90.0, "down", Rag.AT_RISK),
        ("trend against drops at risk to off track", 97.0, 95.0, 100.0, 90.0, "down", Rag.OFF_TRACK),
        ("move against within tolerance is flat", 94.0, 93.5, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("trend towards target keeps rating", 94.0, 96.0, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("no previous value: no trend", 94.0, None, 100.0, 90.0, "down", Rag.ON_TRACK),
        ("no value", None, None, 100.0, 90.0, "down", Rag.NOT_RATED),
        ("no baseline", 94.0, None, None, 90.0, "down", Rag.NOT_RATED),
        ("no target", 94.0, None, 100.0, None, "down", Rag.NOT_RATED),
        ("NaN value counts as missing", float("nan"), None, 100.0, 90.0, "down", Rag.NOT_RATED),
    ],
)
def test_rule(case, latest, previous, baseline, target, direction, expected):
    r = rate(latest=latest, previous=previous, baseline=baseline, target=target, direction=direction, thresholds=T)
    assert r.status is expected, f"{case}: {r}"
    assert r.reason  # always says why


def test_nothing_after_the_baseline_is_not_rated():
    r = rate(
        latest=100.0, previous=None, baseline=100.0, target=90.0, direction="down", thresholds=T, after_baseline=False
    )
    assert r.status is Rag.NOT_RATED and "after the baseline" in r.reason


@pytest.mark.parametrize(
    ("on_track", "off_below", "expected"),
    [(0.3, 0.0, Rag.ON_TRACK), (0.5, 0.0, Rag.AT_RISK), (0.9, 0.5, Rag.OFF_TRACK)],
)
def test_thresholds_are_configurable(on_track, off_below, expected):
    # 40% of the way from 100 to 90
    r = rate(
        latest=96.0,
        previous=96.0,
        baseline=100.0,
        target=90.0,
        direction="down",
        thresholds=Thresholds(on_track, off_below, 1.0),
    )
    assert r.status is expected
    assert r.progress == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on_track_progress": 0.2, "off_track_below": 0.3}, "on_track_progress"),
        ({"on_track_progress": 1.5}, "on_track_progress"),
        ({"trend_tolerance_pct": -1.0}, "trend_tolerance_pct"),
    ],
)
def test_bad_thresholds_are_refused(kwargs, field):
    with pytest.raises(Invalid, match=field):
        Thresholds(**kwargs)


def test_bad_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        rate(latest=1.0, previous=None, baseline=2.0, target=0.0, direction="sideways", thresholds=T)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Rag.ON_TRACK, Rag.AT_RISK, Rag.NOT_RATED], Rag.AT_RISK),
        ([Rag.ON_TRACK, Rag.OFF_TRACK, Rag.AT_RISK], Rag.OFF_TRACK),
        ([Rag.ON_TRACK, Rag.NOT_RATED], Rag.ON_TRACK),
        ([Rag.NOT_RATED, Rag.NOT_RATED], Rag.NOT_RATED),
        ([], Rag.NOT_RATED),
    ],
)
def test_objective_takes_the_worst_rated_indicator(statuses, expected):
    assert combine(statuses) is expected


def test_rule_in_words_uses_the_thresholds():
    text = describe(Thresholds(0.6, 0.0, 2.5))
    assert "60%" in text and "2.5%" in text and "worst" in text
