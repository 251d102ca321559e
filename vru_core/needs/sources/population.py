"""Census 2021 usual residents by age (ONS), LSOA best fit to ward.

The same file gives every ward its population (the denominator of the crime rates; read by the
loader's geography step), and one context measure: the share of residents aged under 25.
"""

from vru_core.needs.measures import HIGH_IS_WORSE
from vru_core.needs.sources.base import BEST_FIT_NOTE, OGL, DataFile, Derived, Inputs, MeasureDef

ORDER = 40
FILE = DataFile("ward_population_census2021.csv", "ward_code")
FILES = (FILE,)


def under_25(inputs: Inputs) -> Derived:
    table = inputs.table()
    return Derived(table["pct_aged_0_15"] + table["pct_aged_16_24"])


MEASURES = (
    MeasureDef(
        code="pct_aged_under_25",
        label="Residents aged under 25 (%)",
        family="population",
        unit="% of residents",
        geography="ward",
        direction=HIGH_IS_WORSE,
        period="Census 2021 (March 2021)",
        source="Census 2021 usual residents by age (6 bands), LSOA best fit to ward",
        publisher="Office for National Statistics",
        licence=OGL,
        notes=(
            "Context, not harm: a high share of children and young people means more potential "
            "demand for youth provision. Off (weight 0) by default. " + BEST_FIT_NOTE
        ),
        files=FILES,
        columns=("pct_aged_0_15", "pct_aged_16_24"),
        derivation=under_25,
        default_weight=0.0,
    ),
)
