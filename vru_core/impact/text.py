"""What the pages say about the method, in plain words (one place, so the page and README agree)."""

import pandas as pd

from vru_core.impact.synth import MIN_DONORS, MIN_POST_MONTHS, MIN_PRE_MONTHS, POOL_SIZE, POOR_FIT_RATIO

QUESTION = (
    "In the wards this funding served, did the offence change more than in comparable wards that were not funded?"
)

REGRESSION_TO_THE_MEAN = (
    "Awards go to wards chosen because violence was high, and unusually high figures tend to fall back on "
    "their own, so a simple before-and-after comparison would credit the funding with that fall. Here the "
    "comparison is built from unfunded wards that matched the funded wards' level and trend over at least "
    f"{MIN_PRE_MONTHS} months before the start, so they share the same tendency to fall back, and only a change "
    "beyond theirs counts as an effect."
)

METHOD_MARKDOWN = f"""\
**Synthetic control.** The funded wards are taken together (offences per 1,000 residents each month).
From the wards that no other award served in these months, and that do not touch a funded ward (so
spill-over cannot blur the comparison), the {POOL_SIZE} whose monthly figures before the start are closest
form the pool. The synthetic comparison is the weighted average of pool wards (weights of at least 0,
adding up to 1, found by the `pysyncon` library) that best follows the funded wards in every month before
the start. After the start it stands for what would have happened without the award.

**Effect.** The funded wards' offences after the start against the synthetic comparison's, as a % change.

**Interval and p-value (placebo in space).** Groups of pool wards the size of the funded group are
treated, one at a time, as if they had been funded, and get their own synthetic comparison: how far they
drift from it after the "start" is what chance alone produces. The p-value is how unusual the funded
wards' drift is among them (two-sided); the 90% interval holds every steady effect that this test would
not reject at 10%.

**When it refuses.** Fewer than {MIN_PRE_MONTHS} months of data before the start or fewer than
{MIN_POST_MONTHS} after it; fewer than {MIN_DONORS} possible comparison wards; fewer than one offence a
month in the funded wards; or a **poor pre-period fit**: before the start, the comparison misses the
funded wards by more than {POOR_FIT_RATIO:g} times the month-to-month chance variation expected from
counts of their size (usually because their rate is beyond every comparison ward's).
"""

CAVEATS = (
    "This is not proof that the funding caused the change: something else may have happened in these wards "
    "at the same time (a police operation, a new venue, another service).",
    "Small wards have few offences, so their figures swing by chance; the interval says how much.",
    "Recorded crime also changes with reporting and recording practice, and with police activity for "
    "possession of weapons.",
    "Planned dates are used: if delivery started late, the effect is spread over months without it.",
)

SOURCE = (
    "Source: MPS Ward Level Crime (recorded offences by ward and month, two releases combined, July 2023 on); "
    "ONS Census 2021 populations (LSOA best fit to May 2022 wards)."
)


def month_label(value: str) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


def _span(months: pd.Series) -> str:
    return f"{month_label(months.iloc[0])} to {month_label(months.iloc[-1])} ({len(months)} months)"


def periods(result) -> str:
    """The months an estimate compares, in words: before and after the start (one award), or per award (a group)."""
    series = result.series
    if "month" in series.columns:
        before = series.loc[series["period"] == "before", "month"]
        after = series.loc[series["period"] == "after", "month"]
        return f"Before the start: {_span(before)}. After: {_span(after)}."
    return (
        f"Each award from its own start: at least {result.pre_months} months before it and at least "
        f"{result.post_months} after (the chart counts months since each award's start)."
    )
