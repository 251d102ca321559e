"""English Indices of Deprivation 2025 (MHCLG), File 1 summarised from LSOA to ward."""

from typing import Any

from vru_core.needs.measures import HIGH_IS_WORSE, LOW_IS_WORSE
from vru_core.needs.sources.base import BEST_FIT_NOTE, OGL, DataFile, MeasureDef, column

ORDER = 20
FILE = DataFile("ward_imd2025.csv", "ward_code")
FILES = (FILE,)

_COMMON: dict[str, Any] = {  # what every measure of this source shares
    "family": "deprivation",
    "geography": "ward",
    "period": "IMD 2025",
    "source": "English Indices of Deprivation 2025, File 1 (IMD rank by LSOA 2021), summarised to ward",
    "publisher": "Ministry of Housing, Communities & Local Government",
    "licence": OGL,
    "files": FILES,
}

MEASURES = (
    MeasureDef(
        code="imd_rank",
        label="Deprivation: population-weighted mean IMD rank",
        unit="rank of 33,755 LSOAs (1 = most deprived)",
        direction=LOW_IS_WORSE,
        notes="Rank-based (File 1 has no scores). " + BEST_FIT_NOTE,
        columns=("imd2025_popweighted_mean_rank",),
        derivation=column("imd2025_popweighted_mean_rank"),
        **_COMMON,
    ),
    MeasureDef(
        code="imd_pct_most_deprived_10",
        label="Deprivation: % of residents in England's most deprived 10% of LSOAs",
        unit="% of residents",
        direction=HIGH_IS_WORSE,
        notes=BEST_FIT_NOTE,
        columns=("pct_pop_in_most_deprived_10pct",),
        derivation=column("pct_pop_in_most_deprived_10pct"),
        **_COMMON,
    ),
)
