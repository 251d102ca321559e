"""Monthly ward crime series built from two MPS "Ward Level Crime (most recent 24 months)" releases.

The MPS publishes a rolling 24-month file. Two releases are bundled:

* ``mps_ward_crime_202307_202506.csv`` (the *older* release, Jul 2023 – Jun 2025)
* ``mps_ward_crime_202403_202603.csv`` (the *newer* release, Mar 2024 – Mar 2026)

They overlap for Mar 2024 – Jun 2025. For a month in both, the newer release is used (the MPS
revises recent months), *except* where the newer release's London total for that month (all
categories) is below half of the older release's: that month is an incomplete edge of the newer
24-month window (Mar 2024: 47 offences against 73,244), so the older release is used. Every
overlapping month is checked, nothing is hard-coded. :func:`load_monthly` returns the per-month
choice and both London totals as ``MonthlySeries.provenance``.

Category comparability between the releases (checked on the overlapping months):

* The newer release splits STALKING AND HARASSMENT out of VIOLENCE WITHOUT INJURY (the older
  release counts it inside VIOLENCE WITHOUT INJURY) and adds DEATH SERIOUS INJURY ILLEGAL DRIVING
  (about 10 a month London-wide). Both moves happen inside VIOLENCE AGAINST THE PERSON, so the
  major-class total (``vap``) is comparable (overlapping months agree within about 1%, the size of
  ordinary MPS revisions). VIOLENCE WITHOUT INJURY on its own is *not* comparable and is therefore
  not offered as a category.
* Burglary minor classes were renamed (BURGLARY IN A DWELLING -> BURGLARY - RESIDENTIAL in the
  older release from Feb 2024 -> RES BURGLARY OF A HOME + RES BURGLARY OF UNCONNECTED BUILDING in
  the newer), so only the major class (``burglary``) is offered.
* The other categories have the same MajorText/MinorText in both releases.

The 12-month windows over the series are in :mod:`vru_core.needs.windows` (re-exported here); the
measures built on them are declared in :mod:`vru_core.needs.sources.crime`.

Nothing here imports streamlit; the app caches on top of the module-level cache.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from vru_core.needs.windows import (  # noqa: F401  (re-exported: crime.Window, crime.last_12_months, ...)
    Window,
    comparison_windows,
    last_12_months,
    period_labels,
    previous_12_months,
    window_months,
)

# --------------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """An offence category used by the app, mapped onto the MPS MajorText/MinorText columns.

    ``minors`` empty means every MinorText under ``major``.
    """

    code: str
    label: str
    major: str
    minors: tuple[str, ...] = ()
    comparable_across_releases: bool = True
    notes: str = ""


VAP = "VIOLENCE AGAINST THE PERSON"

CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "vwi",
            "Violence with injury",
            VAP,
            ("VIOLENCE WITH INJURY",),
            notes=(
                "Same MinorText in both releases. The newer release also lists DEATH SERIOUS INJURY "
                "ILLEGAL DRIVING separately (about 10 a month London-wide); overlapping months "
                "agree within about 0.5%."
            ),
        ),
        Category("robbery_personal", "Robbery of personal property", "ROBBERY", ("ROBBERY OF PERSONAL PROPERTY",)),
        Category("weapons", "Possession of weapons", "POSSESSION OF WEAPONS"),
        Category("sexual", "Sexual offences", "SEXUAL OFFENCES"),
        Category("drug_trafficking", "Drug trafficking", "DRUG OFFENCES", ("TRAFFICKING OF DRUGS",)),
        Category("public_order", "Public order offences", "PUBLIC ORDER OFFENCES"),
        Category("homicide", "Homicide", VAP, ("HOMICIDE",)),
        Category(
            "vap",
            "Violence against the person (all)",
            VAP,
            notes=(
                "Major-class total. The newer release splits Stalking and harassment out of Violence "
                "without injury and adds Death or serious injury by illegal driving; both moves are "
                "inside this class, so the total is comparable across releases (overlapping months "
                "agree within about 1%). Violence without injury alone is not comparable."
            ),
        ),
        Category(
            "burglary",
            "Burglary (all)",
            "BURGLARY",
            notes=(
                "Major-class total only: the minor classes were renamed between releases "
                "(Burglary in a dwelling / Burglary - residential / Res burglary of a home + of "
                "unconnected building)."
            ),
        ),
    )
}

# Release files, oldest first. Labels are used in the provenance table's column names.
RELEASES: tuple[tuple[str, str], ...] = (
    ("older", "mps_ward_crime_202307_202506.csv"),
    ("newer", "mps_ward_crime_202403_202603.csv"),
)

#: Where the combined series comes from (the measures, the framework's indicators and the pages cite it so).
SOURCE = "MPS Ward Level Crime (most recent 24 months), two releases combined"
PUBLISHER = "Metropolitan Police Service (London Datastore)"

#: A month from a newer release is rejected when its London total is below this share of the
#: largest total any release gives for that month.
INCOMPLETE_MONTH_RATIO = 0.5

_MONTH_COL = re.compile(r"^\d{6}$")


# --------------------------------------------------------------------------------------------------
# The series
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlySeries:
    """Combined monthly counts. Treat as read-only (it is cached and shared).

    counts: long frame, columns ward_code (str), category (code), month ("YYYY-MM" str),
        count (int64); every ward x category x month, zeros included.
    provenance: one row per month: month, release (label), release_file, total_<label> for every
        release (Int64, <NA> where the release does not cover the month), reason.
    wards: index ward_code; columns ward_name, borough_name (MPS LookUp_BoroughName: Heathrow
        Villages is "Aviation Security (SO18)").
    months: the months covered, ascending and contiguous.
    categories: the category codes loaded, in CATEGORIES order.
    """

    counts: pd.DataFrame
    provenance: pd.DataFrame
    wards: pd.DataFrame
    months: tuple[str, ...]
    categories: tuple[str, ...]
    _matrices: Mapping[str, pd.DataFrame] = field(repr=False, default_factory=dict)

    @property
    def ward_codes(self) -> pd.Index:
        return self.wards.index

    def matrix(self, category: str) -> pd.DataFrame:
        """Counts for one category as a wide frame: index ward_code, columns months (int64)."""
        try:
            return self._matrices[category].copy()
        except KeyError:
            raise KeyError(f"category {category!r} not loaded; have {list(self.categories)}") from None

    def window_counts(self, category: str, months: Sequence[str]) -> pd.Series:
        """Total count per ward (index ward_code, int64) over the given months."""
        mat = self._matrices[category]
        missing = [m for m in months if m not in mat.columns]
        if missing:
            raise ValueError(f"months not in the series: {missing}")
        return mat.loc[:, list(months)].sum(axis=1).astype("int64").rename(category)


def _month_label(col: str) -> str:
    return f"{col[:4]}-{col[4:]}"


def _read_release(path: Path) -> tuple[pd.DataFrame, list[str]]:
    raw = pd.read_csv(path)
    months = [c for c in raw.columns if _MONTH_COL.match(str(c))]
    if not months:
        raise ValueError(f"{path.name}: no YYYYMM month columns")
    for col in ("MajorText", "MinorText", "WardCode", "WardName", "LookUp_BoroughName"):
        if col not in raw.columns:
            raise ValueError(f"{path.name}: missing column {col}")
    raw[months] = raw[months].fillna(0).astype("int64")
    return raw, months


def _category_mask(raw: pd.DataFrame, cat: Category) -> pd.Series:
    mask = raw["MajorText"] == cat.major
    if cat.minors:
        mask &= raw["MinorText"].isin(cat.minors)
    return mask


def _build(data_dir: Path, releases: tuple[tuple[str, str], ...], categories: tuple[str, ...]) -> MonthlySeries:
    loaded = []  # (label, file, raw, month cols), oldest first
    for label, fname in releases:
        raw, months = _read_release(data_dir / fname)
        loaded.append((label, fname, raw, months))

    # Ward list: union over releases; names from the newest release that has the ward.
    ward_frames = [
        raw[["WardCode", "WardName", "LookUp_BoroughName"]].drop_duplicates("WardCode").set_index("WardCode")
        for _, _, raw, _ in reversed(loaded)
    ]
    wards = pd.concat(ward_frames)
    wards = wards[~wards.index.duplicated(keep="first")].sort_index()
    wards.index.name = "ward_code"
    wards = wards.rename(columns={"WardName": "ward_name", "LookUp_BoroughName": "borough_name"})
    ward_index = wards.index

    # London totals per release and month (all categories), then choose a release per month.
    totals = {label: raw[months].sum() for label, _, raw, months in loaded}
    all_cols = sorted({c for _, _, _, months in loaded for c in months})
    prov_rows = []
    chosen: dict[str, int] = {}  # month col -> index into loaded
    for col in all_cols:
        having = [i for i, (_, _, _, months) in enumerate(loaded) if col in months]
        tot = {i: int(totals[loaded[i][0]][col]) for i in having}
        best = max(tot.values())
        pick = None
        rejected = []
        for i in reversed(having):  # newest first
            if tot[i] >= INCOMPLETE_MONTH_RATIO * best:
                pick = i
                break
            rejected.append(i)
        assert pick is not None  # the release with the maximum always qualifies
        if len(having) == 1:
            reason = f"only in the {loaded[pick][0]} release"
        elif rejected:
            names = ", ".join(f"{loaded[i][0]} release total {tot[i]:,} is below half of {best:,}" for i in rejected)
            reason = f"in {len(having)} releases; {names} (incomplete month), so the {loaded[pick][0]} release is used"
        else:
            reason = f"in {len(having)} releases; newest preferred (MPS revises recent months)"
        chosen[col] = pick
        row = {"month": _month_label(col), "release": loaded[pick][0], "release_file": loaded[pick][1]}
        for i, (label, _, _, _) in enumerate(loaded):
            row[f"total_{label}"] = tot.get(i, pd.NA)
        row["reason"] = reason
        prov_rows.append(row)
    provenance = pd.DataFrame(prov_rows)
    for label, _, _, _ in loaded:
        provenance[f"total_{label}"] = provenance[f"total_{label}"].astype("Int64")

    labels = tuple(_month_label(c) for c in all_cols)
    periods = pd.PeriodIndex(list(labels), freq="M")
    if len(periods) > 1 and not (np.diff(periods.asi8) == 1).all():
        raise ValueError(f"combined months are not contiguous: {labels}")

    # Per category, per release: ward x month matrices; then pick columns per month.
    matrices: dict[str, pd.DataFrame] = {}
    for code in categories:
        cat = CATEGORIES[code]
        per_release = []
        for _, fname, raw, rmonths in loaded:
            mask = _category_mask(raw, cat)
            if not mask.any():
                raise ValueError(f"{fname}: no rows for category {code} ({cat.major} / {cat.minors or 'all'})")
            per_release.append(raw.loc[mask].groupby("WardCode")[rmonths].sum().reindex(ward_index, fill_value=0))
        data = np.empty((len(ward_index), len(all_cols)), dtype=np.int64)
        for j, col in enumerate(all_cols):
            data[:, j] = per_release[chosen[col]][col].to_numpy()
        matrices[code] = pd.DataFrame(data, index=ward_index.copy(), columns=list(labels))

    n_w, n_m = len(ward_index), len(labels)
    counts = pd.DataFrame(
        {
            "ward_code": np.tile(np.repeat(ward_index.to_numpy(dtype=object), n_m), len(categories)),
            "category": np.repeat(np.array(categories, dtype=object), n_w * n_m),
            "month": np.tile(np.array(labels, dtype=object), n_w * len(categories)),
            "count": np.concatenate([matrices[c].to_numpy().ravel() for c in categories])
            if categories
            else np.array([], dtype=np.int64),
        }
    )
    counts = counts.astype({"ward_code": "str", "category": "str", "month": "str", "count": "int64"})
    return MonthlySeries(
        counts=counts,
        provenance=provenance,
        wards=wards,
        months=labels,
        categories=tuple(categories),
        _matrices=matrices,
    )


@functools.lru_cache(maxsize=8)
def _load_cached(
    data_dir: str, releases: tuple[tuple[str, str], ...], categories: tuple[str, ...], stamp: tuple
) -> MonthlySeries:
    del stamp  # part of the cache key only
    return _build(Path(data_dir), releases, categories)


def load_monthly(
    data_dir: Path,
    categories: Sequence[str] | None = None,
    releases: Sequence[tuple[str, str]] = RELEASES,
) -> MonthlySeries:
    """Read the MPS releases in ``data_dir`` and combine them into one monthly series.

    categories: codes from CATEGORIES (default: all). releases: (label, file name), oldest first.
    Cached on (directory, releases, categories, each file's mtime and size): after the first load a
    call costs a few stat() calls. Wards x months with no row count as 0 (all wards in the files).
    """
    data_dir = Path(data_dir).resolve()
    cats = tuple(CATEGORIES) if categories is None else tuple(categories)
    unknown = [c for c in cats if c not in CATEGORIES]
    if unknown:
        raise KeyError(f"unknown categories {unknown}; known: {list(CATEGORIES)}")
    rel = tuple((str(label), str(fname)) for label, fname in releases)
    stamp = []
    for _, fname in rel:
        st = (data_dir / fname).stat()
        stamp.append((fname, st.st_mtime_ns, st.st_size))
    return _load_cached(str(data_dir), rel, cats, tuple(stamp))
